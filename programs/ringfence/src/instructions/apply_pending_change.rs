use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::{MarketParamsUpdated, PoolSnapshot};
use crate::state::Market;

/// Applies a scheduled change once its timelock has elapsed. Anyone may call it: the change was
/// public from the moment it was scheduled.
///
/// # Accounts
/// - `market`.
///
/// # Errors
/// - `NoPendingChange`, `TimelockNotElapsed`.
#[derive(Accounts)]
pub struct ApplyPendingChange<'info> {
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

pub fn handler(ctx: Context<ApplyPendingChange>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let key = ctx.accounts.market.key();
    let mut m = ctx.accounts.market.load_mut()?;
    require!(m.pending.active == 1, RingfenceError::NoPendingChange);
    require!(now >= m.pending.effective_at, RingfenceError::TimelockNotElapsed);
    m.accrue(now)?;
    m.params = m.pending.params;
    m.oracle = m.pending.oracle;
    m.pending.active = 0;
    m.end_sweep();
    m.refresh_rate()?;
    emit!(MarketParamsUpdated {
        market: key,
        params: m.params,
        oracle: m.oracle,
        from_timelock: true,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
