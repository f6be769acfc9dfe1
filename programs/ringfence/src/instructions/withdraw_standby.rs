use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::error::RingfenceError;
use crate::events::StandbyWithdrawn;
use crate::settlement::VaultAuthority;
use crate::state::{Market, Position};
use crate::token_account::check_token_account;

/// Pays standby margin back to the owner, at any time, whatever the position's health (standby
/// is the owner's, never the position's). The destination is any token account of the collateral
/// mint. Never paused.
///
/// # Accounts
/// - `owner`: signer, must be `position.owner`.
/// - `market`: must be `position.market` (read for the collateral mint).
/// - `position`: an open position.
/// - `vault`: must be `position.vault`.
/// - `destination`: any SPL Token account of the collateral mint.
///
/// # Errors
/// - `ZeroAmount`, `InsufficientStandby`, `PositionNotOpen`, `OwnerMismatch`, `MarketMismatch`,
///   `VaultMismatch`, `MintMismatch`, `NotTokenAccount`.
#[derive(Accounts)]
pub struct WithdrawStandby<'info> {
    pub owner: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    #[account(
        mut,
        has_one = owner @ RingfenceError::OwnerMismatch,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
        constraint = position.load()?.is_open() @ RingfenceError::PositionNotOpen,
    )]
    pub position: AccountLoader<'info, Position>,
    /// CHECK: address is `position.vault` (has_one); created by this program as a token account.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<WithdrawStandby>, amount: u64) -> Result<()> {
    require!(amount > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    check_token_account(&a.destination, &a.market.load()?.collateral_mint, None)?;
    let mut pos: Position = *a.position.load()?;
    pos.standby = pos.standby.checked_sub(amount).ok_or(RingfenceError::InsufficientStandby)?;
    VaultAuthority::new(&a.vault, &a.position.to_account_info(), &pos).pay(&a.destination, amount)?;
    *a.position.load_mut()? = pos;
    emit!(StandbyWithdrawn {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        destination: a.destination.key(),
        amount,
        standby: pos.standby,
        timestamp: now,
    });
    Ok(())
}
