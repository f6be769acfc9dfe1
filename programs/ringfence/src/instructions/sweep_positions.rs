use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::PositionsSwept;
use crate::state::{Market, Position};

/// Values a batch of open positions in the current sweep (see `crate::sweep`), passed as writable
/// remaining accounts. Anyone may call it. A position already valued by this sweep is skipped, so
/// racing sweepers cannot fail each other.
///
/// # Accounts
/// - `market`; remaining accounts: positions of this market (writable).
///
/// Liquidated positions (no longer part of the pool) and positions this sweep already valued are
/// skipped.
///
/// # Errors
/// - `SweepNotLive`: no sweep, or it is stale.
/// - `MarketMismatch`: a position of another market. Anchor's `AccountOwnedByWrongProgram` /
///   `AccountDiscriminatorMismatch`: an account that is not a position.
#[derive(Accounts)]
pub struct SweepPositions<'info> {
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

pub fn handler<'info>(ctx: Context<'info, SweepPositions<'info>>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let market_key = ctx.accounts.market.key();
    let mut m: Market = *ctx.accounts.market.load()?;
    require!(m.sweep_live(now), RingfenceError::SweepNotLive);
    let price = m.sweep.price;
    let mut valued: u64 = 0;
    for info in ctx.remaining_accounts {
        let loader = AccountLoader::<Position>::try_from(info)?;
        let mut pos = loader.load_mut()?;
        require_keys_eq!(pos.market, market_key, RingfenceError::MarketMismatch);
        if pos.sweep_epoch == m.sweep.epoch || !pos.is_open() {
            continue;
        }
        m.sweep_add(&mut pos, price)?;
        valued = valued.checked_add(1).ok_or(RingfenceError::MathOverflow)?;
    }
    *ctx.accounts.market.load_mut()? = m;
    emit!(PositionsSwept {
        market: market_key,
        epoch: m.sweep.epoch,
        valued,
        counted: m.sweep.counted,
        positions_open: m.positions_open,
        value: m.sweep.value,
        complete: m.sweep_complete(now),
        timestamp: now,
    });
    Ok(())
}
