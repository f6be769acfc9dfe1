use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::{MarketParamsUpdated, PoolSnapshot};
use crate::state::{field, Market, PendingChange};

/// Applies a scheduled change once its timelock has elapsed and before it lapses
/// (`bounds::APPLY_WINDOW_SECS` after its effective time): writes only the fields it holds onto the
/// parameters in force now (so nothing changed in between is reverted) and validates the result.
/// Anyone may call it: the change was public from the moment it was scheduled.
///
/// # Accounts
/// - `market`.
///
/// # Errors
/// - `NoPendingChange`, `TimelockNotElapsed`, `PendingChangeLapsed`; any parameter-bound error of `initialize_market`
///   when its fields no longer fit the parameters in force (the admin cancels it then).
#[derive(Accounts)]
pub struct ApplyPendingChange<'info> {
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

pub fn handler(ctx: Context<ApplyPendingChange>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let key = ctx.accounts.market.key();
    let mut m = ctx.accounts.market.load_mut()?;
    let p = m.pending;
    require!(p.is_active(), RingfenceError::NoPendingChange);
    require!(now >= p.effective_at, RingfenceError::TimelockNotElapsed);
    require!(!p.lapsed(now)?, RingfenceError::PendingChangeLapsed);
    let next = m.params.with_fields(&p.params, p.fields);
    next.validate()?;
    m.accrue(now)?;
    m.params = next;
    if p.fields & field::ORACLE != 0 {
        m.oracle = p.oracle;
    }
    m.pending = PendingChange::none();
    if p.fields & field::ORACLE != 0 {
        // The live sweep's price came from the replaced account.
        m.end_sweep();
    }
    m.refresh_rate()?;
    emit!(MarketParamsUpdated {
        market: key,
        fields: p.fields,
        params: m.params,
        oracle: m.oracle,
        from_timelock: true,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
