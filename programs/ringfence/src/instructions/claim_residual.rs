use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::error::RingfenceError;
use crate::events::ResidualClaimed;
use crate::settlement::VaultAuthority;
use crate::state::{status, Market, Position};
use crate::token_account::{check_token_account, token_balance};

/// Pays a liquidated position's residual to its owner and closes the position and its vault (rent
/// to the owner). Only the owner signs; the destination is any token account of the collateral
/// mint the owner chooses (so a frozen or reassigned account of theirs never strands the claim).
/// Pays the vault's whole balance: the residual recorded at liquidation plus anything sent to the
/// vault since. Never paused.
///
/// # Accounts
/// - `owner`: signer; must be `position.owner`; receives the rent of both closed accounts.
/// - `market`: must be `position.market` (read for the collateral mint).
/// - `position`: a liquidated position.
/// - `vault`: must be `position.vault`; emptied and closed.
/// - `destination`: any SPL Token account of the collateral mint.
///
/// # Errors
/// - `PositionNotLiquidated`: the position is open.
/// - `OwnerMismatch`, `MarketMismatch`, `VaultMismatch`: accounts not of this position.
/// - `MintMismatch`, `NotTokenAccount`: wrong destination.
#[derive(Accounts)]
pub struct ClaimResidual<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    #[account(
        mut,
        close = owner,
        has_one = owner @ RingfenceError::OwnerMismatch,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
        constraint = position.load()?.status == status::LIQUIDATED @ RingfenceError::PositionNotLiquidated,
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

pub fn handler(ctx: Context<ClaimResidual>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mint = a.market.load()?.collateral_mint;
    check_token_account(&a.destination, &mint, None)?;
    let pos: Position = *a.position.load()?;
    let amount = token_balance(&a.vault)?;
    let position_info = a.position.to_account_info();
    let vault = VaultAuthority::new(&a.vault, &position_info, &pos);
    vault.pay(&a.destination, amount)?;
    vault.close(&a.owner.to_account_info())?;
    emit!(ResidualClaimed {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        destination: a.destination.key(),
        residual: pos.residual,
        amount,
        timestamp: now,
    });
    Ok(())
}
