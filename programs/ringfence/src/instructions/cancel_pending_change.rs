use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::MarketChangeCancelled;
use crate::state::Market;

/// Cancels a scheduled change.
///
/// # Accounts
/// - `admin`: signer, must be `market.admin`. `market`.
///
/// # Errors
/// - `NotAdmin`, `NoPendingChange`.
#[derive(Accounts)]
pub struct CancelPendingChange<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ RingfenceError::NotAdmin)]
    pub market: AccountLoader<'info, Market>,
}

pub fn handler(ctx: Context<CancelPendingChange>) -> Result<()> {
    let mut m = ctx.accounts.market.load_mut()?;
    require!(m.pending.active == 1, RingfenceError::NoPendingChange);
    m.pending.active = 0;
    emit!(MarketChangeCancelled { market: ctx.accounts.market.key() });
    Ok(())
}
