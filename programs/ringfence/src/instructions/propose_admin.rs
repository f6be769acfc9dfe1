use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::AdminProposed;
use crate::state::Market;

/// First step of an admin transfer: the admin names its successor, who must accept.
/// Proposing the default key cancels a proposal.
///
/// # Accounts
/// - `admin`: signer, must be `market.admin`. `market`.
///
/// # Errors
/// - `NotAdmin`.
#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ RingfenceError::NotAdmin)]
    pub market: AccountLoader<'info, Market>,
}

pub fn handler(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
    ctx.accounts.market.load_mut()?.pending_admin = new_admin;
    emit!(AdminProposed {
        market: ctx.accounts.market.key(),
        admin: ctx.accounts.admin.key(),
        proposed: new_admin,
        timestamp: Clock::get()?.unix_timestamp,
    });
    Ok(())
}
