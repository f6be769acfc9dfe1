use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};

use crate::error::RingfenceError;
use crate::events::MarginAdded;
use crate::state::{Market, Position};

/// Adds collateral to a position: owner's token account -> this position's vault only.
///
/// # Accounts
/// - `owner`: signer, must be `position.owner`.
/// - `market`: must be `position.market`.
/// - `position`: the position (its `collateral` grows).
/// - `vault`: must be `position.vault`.
/// - `owner_token`: the owner's token account of the market's collateral mint (source).
///
/// # Errors
/// - `ZeroAmount`: zero amount.
/// - `OwnerMismatch`, `MarketMismatch`, `VaultMismatch`: accounts not of this position.
/// - `MintMismatch`, `TokenOwnerMismatch`: wrong source token account.
/// - `MathOverflow`: collateral would overflow.
#[derive(Accounts)]
pub struct AddMargin<'info> {
    pub owner: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(
        mut,
        has_one = owner @ RingfenceError::OwnerMismatch,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
    )]
    pub position: Box<Account<'info, Position>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = owner_token.mint == market.collateral_mint @ RingfenceError::MintMismatch,
        constraint = owner_token.owner == owner.key() @ RingfenceError::TokenOwnerMismatch,
    )]
    pub owner_token: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<AddMargin>, amount: u64) -> Result<()> {
    require!(amount > 0, RingfenceError::ZeroAmount);
    let accounts = ctx.accounts;
    let collateral = accounts.position.collateral.checked_add(amount).ok_or(RingfenceError::MathOverflow)?;
    let vault_balance = accounts.vault.amount.checked_add(amount).ok_or(RingfenceError::MathOverflow)?;

    token::transfer(
        CpiContext::new(
            accounts.token_program.key(),
            Transfer {
                from: accounts.owner_token.to_account_info(),
                to: accounts.vault.to_account_info(),
                authority: accounts.owner.to_account_info(),
            },
        ),
        amount,
    )?;
    accounts.position.collateral = collateral;

    emit!(MarginAdded {
        market: accounts.market.key(),
        position: accounts.position.key(),
        owner: accounts.owner.key(),
        amount,
        collateral,
        vault_balance,
        timestamp: Clock::get()?.unix_timestamp,
    });
    Ok(())
}
