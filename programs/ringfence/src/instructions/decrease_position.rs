use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::error::RingfenceError;
use crate::events::{PoolSnapshot, PositionDecreased};
use crate::limits::TradeLimit;
use crate::settlement::{book_decrease, exit_quote, DecreasedBooks, ExitQuote, VaultAuthority};
use crate::state::{Market, Position};
use crate::token_account::check_token_account;

/// Closes `size_delta` of a position's notional at the confidence-adjusted exit price: collateral
/// and reserve are released pro rata, the PnL of the closed part is realized (capped at its
/// reserve), the whole borrow fee owed and the close fee on `size_delta` are paid to the pool; the
/// trader is paid from the vault and the rest returns to the pool. Never paused.
///
/// # Accounts
/// As `close_position`; nothing is closed.
///
/// `limit`: the exit price (oracle price - conf for a long, + conf for a short) must be no worse
/// than `limit.acceptable_price`, before `limit.deadline` if any.
///
/// # Errors
/// - `PriceWorseThanAcceptable`, `TradeDeadlinePassed`: outside the trader's bound.
/// - `PositionNotOpen`: the position was liquidated (its owner claims the residual instead).
/// - `InvalidDecreaseSize`: `size_delta` is zero or not below the size (use `close_position`).
/// - `PositionTooSmall`: what would remain is below the market's `min_position_size`.
/// - `DecreaseNotCovered`: fees and losses exceed the collateral left (close it instead).
/// - `OwnerMismatch`, `MarketMismatch`, `VaultMismatch`, `PoolVaultMismatch`, `MintMismatch`,
///   `TokenOwnerMismatch`, `NotTokenAccount`; oracle errors.
#[derive(Accounts)]
pub struct DecreasePosition<'info> {
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
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint owned by `owner`.
    #[account(mut)]
    pub owner_token: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<DecreasePosition>, size_delta: u64, limit: TradeLimit) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let mut pos: Position = *a.position.load()?;
    require!(size_delta > 0 && size_delta < pos.size, RingfenceError::InvalidDecreaseSize);
    require!(
        pos.size.checked_sub(size_delta).is_some_and(|left| left >= m.params.min_position_size),
        RingfenceError::PositionTooSmall
    );
    check_token_account(&a.owner_token, &m.collateral_mint, Some(a.owner.key))?;
    let ExitQuote { px, side, exit } = exit_quote(&a.oracle, &mut m, &pos, now)?;
    limit.check(side, false, exit, now)?;
    let DecreasedBooks { borrow_fee, close_fee, d, qty_left } =
        book_decrease(&mut m, &mut pos, size_delta, exit, px.publish_time, now)?
            .ok_or(RingfenceError::DecreaseNotCovered)?;

    let position_info = a.position.to_account_info();
    let vault = VaultAuthority::new(&a.vault, &position_info, &pos);
    vault.pay(&a.owner_token, d.to_trader)?;
    vault.pay(&a.pool_vault, d.to_pool)?;
    *a.position.load_mut()? = pos;
    *a.market.load_mut()? = m;

    emit!(PositionDecreased {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        side,
        size_delta,
        size: pos.size,
        exit_price: exit,
        oracle_price: px.price,
        price_publish_time: px.publish_time,
        realized_pnl: d.pnl,
        borrow_fee,
        close_fee,
        to_trader: d.to_trader,
        to_pool: d.to_pool,
        collateral: pos.collateral,
        reserve: pos.reserve,
        qty: qty_left,
        borrow_index: pos.borrow_index,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
