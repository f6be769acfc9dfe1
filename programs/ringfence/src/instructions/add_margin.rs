use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::cpi::token_transfer;
use crate::error::RingfenceError;
use crate::events::MarginAdded;
use crate::state::{Market, Position};
use crate::token_account::{check_token_account, token_balance};

/// Adds collateral to a position: owner's token account -> this position's vault only.
///
/// # Accounts
/// - `owner`: signer, must be `position.owner`.
/// - `market`: must be `position.market` (writable: a position valued by a live pool sweep is re-valued).
/// - `position`: the position (its `collateral` grows).
/// - `vault`: must be `position.vault`.
/// - `owner_token`: SPL Token account of the market's collateral mint owned by `owner` (source).
///
/// Never paused: a trader can always save or trim a position.
///
/// # Errors
/// - `PositionNotOpen`: the position was liquidated.
/// - `ZeroAmount`: zero amount.
/// - `OwnerMismatch`, `MarketMismatch`, `VaultMismatch`: accounts not of this position.
/// - `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`: wrong source token account.
/// - `MathOverflow`: collateral would overflow.
#[derive(Accounts)]
pub struct AddMargin<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
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

pub fn handler(ctx: Context<AddMargin>, amount: u64) -> Result<()> {
    require!(amount > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut market = a.market.load_mut()?;
    check_token_account(&a.owner_token, &market.collateral_mint, Some(a.owner.key))?;
    let mut position = a.position.load_mut()?;
    let held = market.sweep_touch(Some(&mut position), now)?;
    let collateral = position.collateral.checked_add(amount).ok_or(RingfenceError::MathOverflow)?;
    let vault_balance = token_balance(&a.vault)?.checked_add(amount).ok_or(RingfenceError::MathOverflow)?;

    token_transfer(&a.owner_token, &a.vault, &a.owner, amount, &[])?;
    position.collateral = collateral;
    market.sweep_revalue(&mut position, now)?;
    market.sweep_hold(held)?;

    emit!(MarginAdded {
        market: position.market,
        position: a.position.key(),
        owner: position.owner,
        amount,
        collateral,
        vault_balance,
        timestamp: now,
    });
    Ok(())
}
