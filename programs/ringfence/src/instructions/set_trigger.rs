use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::cpi::token_transfer;
use crate::error::RingfenceError;
use crate::events::TriggerSet;
use crate::settlement::VaultAuthority;
use crate::state::{Market, Position, Trigger, TriggerKind};
use crate::token_account::check_token_account;

/// Sets, changes or clears (`price == 0`) a position's take-profit or stop-loss trigger, and
/// escrows its execution fee in the position's own vault: the fee of the trigger it replaces is
/// returned to the owner and the new fee taken from the owner (only the difference moves). The
/// trigger records the cluster time: only an oracle price published after it can execute it
/// (`execute_trigger`). Never paused.
///
/// `size`: the notional to close, 0 for the whole position (a size at or above the position's at
/// execution also closes it all). `fee`: paid to the keeper that executes it.
///
/// # Accounts
/// - `owner`: signer, must be `position.owner`.
/// - `market`: must be `position.market` (read for the collateral mint).
/// - `position`: an open position; `vault`: must be `position.vault`.
/// - `owner_token`: SPL Token account of the collateral mint owned by `owner` (pays the new fee,
///   receives the old one).
///
/// # Errors
/// - `InvalidTrigger`: a cleared trigger (`price == 0`) with a size or a fee.
/// - `PositionNotOpen`, `OwnerMismatch`, `MarketMismatch`, `VaultMismatch`, `MintMismatch`,
///   `TokenOwnerMismatch`, `NotTokenAccount`, `MathOverflow`.
#[derive(Accounts)]
pub struct SetTrigger<'info> {
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

pub fn handler(ctx: Context<SetTrigger>, kind: TriggerKind, price: u64, size: u64, fee: u64) -> Result<()> {
    require!(price > 0 || (size == 0 && fee == 0), RingfenceError::InvalidTrigger);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    check_token_account(&a.owner_token, &a.market.load()?.collateral_mint, Some(a.owner.key))?;
    let mut pos: Position = *a.position.load()?;
    let old = *pos.trigger(kind);
    *pos.trigger_mut(kind) = if price == 0 { Trigger::default() } else { Trigger { price, size, fee, set_at: now } };
    pos.vault_claim()?; // the vault's total stays representable
    if fee > old.fee {
        let more = fee.checked_sub(old.fee).ok_or(RingfenceError::MathOverflow)?;
        token_transfer(&a.owner_token, &a.vault, &a.owner, more, &[])?;
    } else {
        let back = old.fee.checked_sub(fee).ok_or(RingfenceError::MathOverflow)?;
        VaultAuthority::new(&a.vault, &a.position.to_account_info(), &pos).pay(&a.owner_token, back)?;
    }
    *a.position.load_mut()? = pos;
    emit!(TriggerSet {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        kind,
        price,
        size,
        fee,
        fee_refunded: old.fee,
        timestamp: now,
    });
    Ok(())
}
