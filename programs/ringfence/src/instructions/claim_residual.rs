use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::error::RingfenceError;
use crate::events::ResidualClaimed;
use crate::settlement::VaultAuthority;
use crate::state::{status, Market, Position};
use crate::token_account::{check_token_account, token_balance};

/// Pays a position's residual to its owner. Only the owner signs; the destination is any token
/// account of the collateral mint the owner chooses (so a frozen or reassigned account of theirs
/// never strands the claim). Never paused.
/// - A liquidated position, or one closed in full by a keeper's trigger: pays the vault's whole
///   balance (the residual recorded then plus anything sent to the vault since) and closes the
///   position and its vault (rent to the owner).
/// - An open position: pays its `residual` (proceeds of keeper-run partial closes) and keeps it open.
///
/// # Accounts
/// - `owner`: signer; must be `position.owner`; receives the rent of both closed accounts.
/// - `market`: must be `position.market` (read for the collateral mint).
/// - `position`: the owner's position.
/// - `vault`: must be `position.vault`; emptied and closed.
/// - `destination`: any SPL Token account of the collateral mint.
///
/// # Errors
/// - `NothingToClaim`: an open position with no residual.
/// - `OwnerMismatch`, `MarketMismatch`, `VaultMismatch`: accounts not of this position.
/// - `MintMismatch`, `NotTokenAccount`: wrong destination.
#[derive(Accounts)]
pub struct ClaimResidual<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    #[account(
        mut,
        has_one = owner @ RingfenceError::OwnerMismatch,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
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
    let mut pos: Position = *a.position.load()?;
    let residual = pos.residual;
    let position_info = a.position.to_account_info();
    let vault = VaultAuthority::new(&a.vault, &position_info, &pos);
    let closed = pos.status != status::OPEN;
    let amount = if closed {
        let amount = token_balance(&a.vault)?;
        vault.pay(&a.destination, amount)?;
        vault.close(&a.owner.to_account_info())?;
        a.position.close(a.owner.to_account_info())?;
        amount
    } else {
        require!(residual > 0, RingfenceError::NothingToClaim);
        vault.pay(&a.destination, residual)?;
        pos.residual = 0;
        *a.position.load_mut()? = pos;
        residual
    };
    emit!(ResidualClaimed {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        destination: a.destination.key(),
        residual,
        amount,
        closed,
        timestamp: now,
    });
    Ok(())
}
