use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{prorata_qty, split_decrease, unrealized_pnl};

use crate::error::{MathResultExt, RingfenceError};
use crate::events::{PoolSnapshot, PositionDecreased};
use crate::limits::TradeLimit;
use crate::settlement::{exit_quote, fees_owed, ExitQuote, VaultAuthority};
use crate::state::{wide_get, wide_set, Market, Position};
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
    let held = m.sweep_touch(Some(&mut pos), now)?;
    let pnl_delta = unrealized_pnl(side.into(), size_delta, pos.entry_price, exit).or_err()?;
    let (borrow_fee, close_fee) = fees_owed(&pos, &m, size_delta)?;
    let fees = borrow_fee.checked_add(close_fee).ok_or(RingfenceError::MathOverflow)?;
    let d = split_decrease(pos.size, pos.collateral, pos.reserve, size_delta, pnl_delta, fees)
        .or_err()?
        .ok_or(RingfenceError::DecreaseNotCovered)?;

    let position_info = a.position.to_account_info();
    let vault = VaultAuthority::new(&a.vault, &position_info, &pos);
    vault.pay(&a.owner_token, d.to_trader)?;
    vault.pay(&a.pool_vault, d.to_pool)?;

    let qty = wide_get(&pos.qty);
    let qty_released = prorata_qty(qty, size_delta, pos.size).or_err()?;
    let qty_left = qty.checked_sub(qty_released).ok_or(RingfenceError::MathOverflow)?;
    let new_size = pos.size.checked_sub(size_delta).ok_or(RingfenceError::MathOverflow)?;
    m.book_decrease(&pos, new_size, qty_left, d.reserve_released, d.to_pool)?;
    m.note_price_time(px.publish_time);

    pos.size = new_size;
    pos.collateral = d.new_collateral;
    pos.reserve = d.new_reserve;
    pos.qty = wide_set(qty_left);
    pos.borrow_index = m.borrow_index;
    pos.last_price_time = px.publish_time;
    m.sweep_revalue(&mut pos, now)?;
    m.sweep_hold(held)?;
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
