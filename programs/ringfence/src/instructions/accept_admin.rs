use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::AdminAccepted;
use crate::state::Market;

/// Second step of an admin transfer: the proposed admin signs and becomes the admin.
///
/// # Accounts
/// - `new_admin`: signer, must be `market.pending_admin`. `market`.
///
/// # Errors
/// - `NotPendingAdmin`.
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    pub new_admin: Signer<'info>,
    #[account(mut, constraint = market.load()?.pending_admin == new_admin.key() @ RingfenceError::NotPendingAdmin)]
    pub market: AccountLoader<'info, Market>,
}

pub fn handler(ctx: Context<AcceptAdmin>) -> Result<()> {
    let mut m = ctx.accounts.market.load_mut()?;
    let previous = m.admin;
    m.admin = ctx.accounts.new_admin.key();
    m.pending_admin = Pubkey::default();
    emit!(AdminAccepted {
        market: ctx.accounts.market.key(),
        previous,
        admin: m.admin,
        timestamp: Clock::get()?.unix_timestamp,
    });
    Ok(())
}
