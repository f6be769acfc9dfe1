use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::cpi::token_transfer;
use crate::error::RingfenceError;
use crate::events::StandbyAdded;
use crate::state::{Market, Position};
use crate::token_account::check_token_account;

/// Parks standby margin in a position's vault: owner's token account -> this position's vault.
/// Standby is not collateral: it counts in no health test, settlement or pool value until a
/// `top_up` (under the owner's rule) or a `liquidate` that it rescues moves it into collateral;
/// the owner can withdraw it at any time, and it returns to the owner in full when the position
/// closes or is liquidated. Never paused.
///
/// # Accounts
/// - `owner`: signer, must be `position.owner`.
/// - `market`: must be `position.market` (read for the collateral mint).
/// - `position`: an open position.
/// - `vault`: must be `position.vault`.
/// - `owner_token`: SPL Token account of the collateral mint owned by `owner` (source).
///
/// # Errors
/// - `ZeroAmount`, `PositionNotOpen`, `OwnerMismatch`, `MarketMismatch`, `VaultMismatch`,
///   `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`, `MathOverflow`.
#[derive(Accounts)]
pub struct AddStandby<'info> {
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
    /// CHECK: checked in the handler: SPL Token account of the collateral mint owned by `owner`.
    #[account(mut)]
    pub owner_token: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<AddStandby>, amount: u64) -> Result<()> {
    require!(amount > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    check_token_account(&a.owner_token, &a.market.load()?.collateral_mint, Some(a.owner.key))?;
    let mut pos: Position = *a.position.load()?;
    pos.standby = pos.standby.checked_add(amount).ok_or(RingfenceError::MathOverflow)?;
    pos.vault_claim()?; // the vault's total stays representable
    token_transfer(&a.owner_token, &a.vault, &a.owner, amount, &[])?;
    *a.position.load_mut()? = pos;
    emit!(StandbyAdded {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        amount,
        standby: pos.standby,
        timestamp: now,
    });
    Ok(())
}
