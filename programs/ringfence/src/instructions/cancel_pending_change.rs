use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::MarketChangeCancelled;
use crate::state::{Market, PendingChange};

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
    let fields = m.pending.fields;
    require!(m.pending.is_active(), RingfenceError::NoPendingChange);
    m.pending = PendingChange::none();
    emit!(MarketChangeCancelled { market: ctx.accounts.market.key(), fields, timestamp: Clock::get()?.unix_timestamp });
    Ok(())
}
