use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{
    borrow_fee, can_remove_margin, increase_entry, increase_reserve, liquidation_mark, notional_fee, reserve_for,
    unrealized_pnl,
};

use crate::cpi::token_transfer;
use crate::error::{MathResultExt, RingfenceError};
use crate::events::{PoolSnapshot, PositionIncreased};
use crate::limits::TradeLimit;
use crate::settlement::{exit_quote, ExitQuote, VaultAuthority};
use crate::state::{pause, wide_get, wide_set, Market, Position};
use crate::token_account::check_token_account;

/// Adds `size_delta` of notional to an open position at the current oracle price, priced as an
/// open (the confidence interval's worse side: a long buys at price + conf, a short sells at
/// price - conf; the trade price age), within the trader's `limit`, with an optional `deposit` of
/// collateral in the same instruction. In order:
/// 1. the borrow fee owed so far on the old notional is settled (collateral -> pool);
/// 2. the open fee on `size_delta` is paid (collateral -> pool);
/// 3. the pool tops up the reserve for `size_delta`: its own reserve (`max_profit_bps`, as for an
///    open), limited to the added part's PnL at the price where the open part reaches its cap
///    (`ringfence_math::increase_reserve`), so the merged position never pays more than the two
///    parts held apart until the added part reaches its own cap;
/// 4. the new entry price weights the two parts by base quantity
///    (`ringfence_math::increase_entry`: `entry = size * QTY_SCALE / (qty_old + qty_added)`,
///    rounded against the trader), so the PnL at every price is the sum of the parts' PnL;
/// 5. the whole position must meet the initial margin, counting losses (at the exit side of the
///    interval) but not profits, and the close fee.
///
/// The market's aggregates change exactly as if the added part were a new position. Paused with
/// opening (`pause::OPEN`): it adds risk.
///
/// # Accounts
/// - `owner`: signer, must be `position.owner`; funds `deposit`.
/// - `market`, `oracle`, `position` (open), `vault` (`position.vault`), `pool_vault`.
/// - `owner_token`: SPL Token account of the collateral mint owned by `owner` (source of `deposit`).
///
/// # Errors
/// - `ZeroAmount`, `MarketPaused`, `PositionNotOpen`, `PriceWorseThanAcceptable`,
///   `TradeDeadlinePassed`, `CollateralBelowFee` (fees exceed collateral + deposit),
///   `LeverageTooHigh`, `InsufficientPoolLiquidity`, `OpenInterestCapExceeded`.
/// - `ProfitCapReached`: the open part's PnL is past its reserve at the confidence interval's side
///   that favours the trader (that profit is forfeit; merging must not revive it): close or
///   decrease first.
/// - `OwnerMismatch`, `MarketMismatch`, `VaultMismatch`, `PoolVaultMismatch`, `MintMismatch`,
///   `TokenOwnerMismatch`, `NotTokenAccount`; oracle errors.
#[derive(Accounts)]
pub struct IncreasePosition<'info> {
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

pub fn handler(ctx: Context<IncreasePosition>, size_delta: u64, deposit: u64, limit: TradeLimit) -> Result<()> {
    require!(size_delta > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let mut pos: Position = *a.position.load()?;
    m.require_not_paused(pause::OPEN)?;
    check_token_account(&a.owner_token, &m.collateral_mint, Some(a.owner.key))?;
    // Priced as any trader action on the position; the added part buys at the open side.
    let ExitQuote { px, side, exit } = exit_quote(&a.oracle, &mut m, &pos, now)?;
    let added_entry = px.against_trader(side, true)?;
    limit.check(side, true, added_entry, now)?;
    // The part already open must be within its profit cap at every price the oracle considers
    // plausible (judged at the interval's side that favours the trader): past it, it is forfeit.
    let favourable = liquidation_mark(side.into(), px.price, px.conf).or_err()?;
    let old_pnl = unrealized_pnl(side.into(), pos.size, pos.entry_price, favourable).or_err()?;
    require!(old_pnl <= i128::from(pos.reserve), RingfenceError::ProfitCapReached);
    let held = m.sweep_touch(Some(&mut pos), now)?;
    let params = m.params;

    let borrow = borrow_fee(pos.size, pos.borrow_index, m.borrow_index).or_err()?;
    let fee = notional_fee(size_delta, u64::from(params.open_fee_bps)).or_err()?;
    let to_pool = borrow.checked_add(fee).ok_or(RingfenceError::MathOverflow)?;
    let collateral = pos
        .collateral
        .checked_add(deposit)
        .ok_or(RingfenceError::MathOverflow)?
        .checked_sub(to_pool)
        .ok_or(RingfenceError::CollateralBelowFee)?;
    // The added part's reserve, limited so that the merged position never pays more than the two
    // parts held apart (`ringfence_math::increase_reserve`).
    let full = reserve_for(side.into(), size_delta, u64::from(params.max_profit_bps)).or_err()?;
    let reserve_added =
        increase_reserve(side.into(), pos.size, pos.entry_price, pos.reserve, size_delta, added_entry, full)
            .or_err()?;
    m.require_capacity(side, size_delta, reserve_added)?;
    let size = pos.size.checked_add(size_delta).ok_or(RingfenceError::MathOverflow)?;
    let (entry, qty) = increase_entry(side.into(), pos.size, wide_get(&pos.qty), size_delta, added_entry).or_err()?;
    // The whole position at the exit side of the interval: losses count, profits do not.
    let pnl = unrealized_pnl(side.into(), size, entry, exit).or_err()?;
    let close_fee = notional_fee(size, u64::from(params.close_fee_bps)).or_err()?;
    require!(
        can_remove_margin(size, collateral, 0, pnl, close_fee, u64::from(params.initial_margin_bps)).or_err()?,
        RingfenceError::LeverageTooHigh
    );

    // Deposit in, fees out to the pool, reserve in from the pool.
    token_transfer(&a.owner_token, &a.vault, &a.owner.to_account_info(), deposit, &[])?;
    let position_info = a.position.to_account_info();
    VaultAuthority::new(&a.vault, &position_info, &pos).pay(&a.pool_vault, to_pool)?;
    let market_bump = [m.bump];
    let market_seeds = m.signer_seeds(&market_bump);
    token_transfer(&a.pool_vault, &a.vault, &a.market.to_account_info(), reserve_added, &[&market_seeds])?;

    m.book_increase(&pos, size, qty, reserve_added, to_pool)?;
    m.note_price_time(px.publish_time);
    pos.size = size;
    pos.entry_price = entry;
    pos.collateral = collateral;
    pos.reserve = pos.reserve.checked_add(reserve_added).ok_or(RingfenceError::MathOverflow)?;
    pos.qty = wide_set(qty);
    pos.borrow_index = m.borrow_index;
    pos.last_price_time = px.publish_time;
    m.sweep_revalue(&mut pos, now)?;
    m.sweep_hold(held)?;
    *a.position.load_mut()? = pos;
    *a.market.load_mut()? = m;

    emit!(PositionIncreased {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        side,
        size_delta,
        added_entry_price: added_entry,
        oracle_price: px.price,
        price_publish_time: px.publish_time,
        deposit,
        open_fee: fee,
        borrow_fee: borrow,
        reserve_added,
        size,
        entry_price: entry,
        collateral,
        reserve: pos.reserve,
        qty,
        borrow_index: pos.borrow_index,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
