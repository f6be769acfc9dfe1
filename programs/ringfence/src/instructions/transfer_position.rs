use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::PositionTransferred;
use crate::state::{Position, TransferTerms};

/// Hands an open position, with its vault and everything in it, to another wallet atomically (an
/// OTC sale, a move between wallets). Both the owner and the new owner sign: a key that cannot
/// sign (a program id, a sysvar, a reserved or read-only key) can never become an owner. The
/// position keeps its address and its vault's signer (its seeds hold the owner at open,
/// `Position::seed_owner`); every later instruction checks the new owner. Moves no tokens and
/// changes nothing in the market.
///
/// # Accounts
/// - `owner`: signer, must be `position.owner`.
/// - `new_owner`: signer, the new owner.
/// - `position`: an open position.
///
/// `expected`: the position as the new owner agreed to take it (`TransferTerms::of` the account it
/// saw): a seller holding the buyer's signature cannot first withdraw standby, claim a residual,
/// remove margin or set a trigger and still land the sale.
///
/// # Errors
/// - `PositionChanged`: the position differs from `expected`.
/// - `OwnerMismatch`, `PositionNotOpen`, `TransferToSelf`; Anchor's `AccountNotSigner` when the
///   new owner did not sign.
#[derive(Accounts)]
pub struct TransferPosition<'info> {
    pub owner: Signer<'info>,
    pub new_owner: Signer<'info>,
    #[account(
        mut,
        has_one = owner @ RingfenceError::OwnerMismatch,
        constraint = position.load()?.is_open() @ RingfenceError::PositionNotOpen,
    )]
    pub position: AccountLoader<'info, Position>,
}

pub fn handler(ctx: Context<TransferPosition>, expected: TransferTerms) -> Result<()> {
    let a = ctx.accounts;
    let (from, to) = (a.owner.key(), a.new_owner.key());
    require_keys_neq!(from, to, RingfenceError::TransferToSelf);
    let market = {
        let mut pos = a.position.load_mut()?;
        require!(TransferTerms::of(&pos) == expected, RingfenceError::PositionChanged);
        pos.owner = to;
        pos.market
    };
    emit!(PositionTransferred {
        market,
        position: a.position.key(),
        from,
        to,
        timestamp: Clock::get()?.unix_timestamp,
    });
    Ok(())
}
