use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{can_remove_margin, unrealized_pnl};

use crate::error::MathResultExt;
use crate::error::RingfenceError;
use crate::events::{MarginRemoved, PoolSnapshot};
use crate::settlement::{exit_quote, fees_owed, ExitQuote, VaultAuthority};
use crate::state::{Market, Position};
use crate::token_account::check_token_account;

/// Moves collateral from the position's vault back to its owner, only while the position stays
/// within the initial margin: remaining collateral, plus the PnL at the confidence-adjusted exit
/// price if it is a loss (profits are not counted), minus the fees owed (borrow + close), must
/// cover the initial margin of the notional.
///
/// # Accounts
/// - `owner`: signer, must be `position.owner`.
/// - `market`: must be `position.market` (the borrow index accrues).
/// - `oracle`: must be `market.oracle`.
/// - `position`, `vault`: the position and its vault (`position.vault`).
/// - `owner_token`: SPL Token account of the collateral mint owned by `owner` (destination).
///
/// Never paused: a trader can always save or trim a position.
///
/// # Errors
/// - `PositionNotOpen`: the position was liquidated.
/// - `ZeroAmount`, `RemoveMarginBreaksInitialMargin`.
/// - `OwnerMismatch`, `MarketMismatch`, `VaultMismatch`, `MintMismatch`, `TokenOwnerMismatch`,
///   `NotTokenAccount`.
/// - Oracle errors, including `OraclePriceOlderThanPosition` and `OraclePriceOlderThanMarket`.
#[derive(Accounts)]
pub struct RemoveMargin<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
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

pub fn handler(ctx: Context<RemoveMargin>, amount: u64) -> Result<()> {
    require!(amount > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let mut pos: Position = *a.position.load()?;
    check_token_account(&a.owner_token, &m.collateral_mint, Some(a.owner.key))?;
    let ExitQuote { px, side, exit } = exit_quote(&a.oracle, &mut m, &pos, now)?;
    let held = m.sweep_touch(Some(&mut pos), now)?;
    let pnl = unrealized_pnl(side.into(), pos.size, pos.entry_price, exit).or_err()?;
    let (borrow, close) = fees_owed(&pos, &m, pos.size)?;
    let fees = borrow.checked_add(close).ok_or(RingfenceError::MathOverflow)?;
    require!(
        can_remove_margin(pos.size, pos.collateral, amount, pnl, fees, u64::from(m.params.initial_margin_bps))
            .or_err()?,
        RingfenceError::RemoveMarginBreaksInitialMargin
    );

    VaultAuthority::new(&a.vault, &a.position.to_account_info(), &pos).pay(&a.owner_token, amount)?;
    pos.collateral = pos.collateral.checked_sub(amount).ok_or(RingfenceError::MathOverflow)?;
    pos.last_price_time = px.publish_time;
    m.note_price_time(px.publish_time);
    m.sweep_revalue(&mut pos, now)?;
    m.sweep_hold(held)?;
    *a.position.load_mut()? = pos;
    *a.market.load_mut()? = m;

    emit!(MarginRemoved {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        amount,
        collateral: pos.collateral,
        vault_balance: pos.vault_claim()?,
        oracle_price: px.price,
        price_publish_time: px.publish_time,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
