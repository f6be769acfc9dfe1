use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::PauseSet;
use crate::state::{pause, Market};

/// Sets the market's pause flags (`OPEN` = 1, `MARGIN` = 2, `DEPOSIT` = 4). Closing, decreasing,
/// liquidating and LP withdrawals have no flag: they can never be paused.
///
/// # Accounts
/// - `admin`: signer, must be `market.admin`. `market`.
///
/// # Errors
/// - `NotAdmin`, `InvalidPauseFlags`.
#[derive(Accounts)]
pub struct SetPause<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ RingfenceError::NotAdmin)]
    pub market: AccountLoader<'info, Market>,
}

pub fn handler(ctx: Context<SetPause>, paused: u8) -> Result<()> {
    require!(paused & !pause::ALL == 0, RingfenceError::InvalidPauseFlags);
    ctx.accounts.market.load_mut()?.paused = paused;
    emit!(PauseSet { market: ctx.accounts.market.key(), paused });
    Ok(())
}
