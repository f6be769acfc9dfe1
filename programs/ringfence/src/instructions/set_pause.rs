use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::PauseSet;
use crate::state::{pause, Market};

/// Sets the market's pause flags (`OPEN` = 1, `DEPOSIT` = 4; 2 is retired and refused). Only
/// actions that add risk can be paused: adding or removing margin, decreasing, closing,
/// liquidating, claiming a residual and LP withdrawals have no flag and can never be paused.
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
    emit!(PauseSet { market: ctx.accounts.market.key(), paused, timestamp: Clock::get()?.unix_timestamp });
    Ok(())
}
