use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::{MarketChangeScheduled, MarketParamsUpdated, PoolSnapshot};
use crate::state::{Market, RiskParams};

/// Sets the market's parameters (each within its on-chain bounds). A change that can hurt open
/// positions (stricter maintenance, higher keeper reward, close fee or borrow rates, lower max
/// profit, shorter liquidation price age or timelock) is scheduled for `now + timelock` and applied
/// by `apply_pending_change`; any other change applies at once. Scheduling replaces a pending change.
///
/// # Accounts
/// - `admin`: signer, must be `market.admin`. `market`.
///
/// # Errors
/// - `NotAdmin`; any parameter-bound error of `initialize_market`.
#[derive(Accounts)]
pub struct SetParams<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ RingfenceError::NotAdmin)]
    pub market: AccountLoader<'info, Market>,
}

pub fn handler(ctx: Context<SetParams>, params: RiskParams) -> Result<()> {
    params.validate()?;
    let now = Clock::get()?.unix_timestamp;
    let key = ctx.accounts.market.key();
    let mut m = ctx.accounts.market.load_mut()?;
    if m.params.change_hurts_positions(&params) {
        let delay = i64::try_from(m.params.timelock_secs).map_err(|_| error!(RingfenceError::MathOverflow))?;
        let effective_at = now.checked_add(delay).ok_or(RingfenceError::MathOverflow)?;
        m.pending.params = params;
        m.pending.oracle = m.oracle;
        m.pending.effective_at = effective_at;
        m.pending.active = 1;
        emit!(MarketChangeScheduled { market: key, params, oracle: m.oracle, effective_at });
        return Ok(());
    }
    // The borrow rate may change: accrue at the old rate up to now first.
    m.accrue(now)?;
    m.params = params;
    m.end_sweep();
    m.refresh_rate()?;
    emit!(MarketParamsUpdated {
        market: key,
        params,
        oracle: m.oracle,
        from_timelock: false,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
