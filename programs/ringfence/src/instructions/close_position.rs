use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{capped_pnl, settle, unrealized_pnl};

use crate::error::{MathResultExt, RingfenceError};
use crate::events::{PoolSnapshot, PositionClosed};
use crate::limits::TradeLimit;
use crate::settlement::{exit_quote, fees_owed, ExitQuote, VaultAuthority};
use crate::state::{Market, Position};
use crate::token_account::{check_token_account, token_balance};

/// Closes a position in full at the confidence-adjusted exit price: realizes PnL (capped at the
/// reserve), pays the borrow and close fees, pays the trader from the vault, returns the rest
/// (losses, fees, unused reserve) to the pool, and closes the vault and position (rent to the
/// owner). Never paused: traders can always exit.
///
/// # Accounts
/// - `owner`: signer, must be `position.owner`; receives the payout and both accounts' rent.
/// - `market`: must be `position.market`.
/// - `oracle`: must be `market.oracle`.
/// - `position`, `vault`: the position and its vault (`position.vault`); both closed.
/// - `pool_vault`: must be `market.pool_vault`.
/// - `owner_token`: SPL Token account of the collateral mint owned by `owner` (destination).
///
/// `limit`: the exit price (oracle price - conf for a long, + conf for a short) must be no worse
/// than `limit.acceptable_price`, before `limit.deadline` if any.
///
/// # Errors
/// - `PriceWorseThanAcceptable`, `TradeDeadlinePassed`: outside the trader's bound.
/// - `PositionNotOpen`: the position was liquidated (its owner claims the residual instead).
/// - `OwnerMismatch`, `MarketMismatch`, `VaultMismatch`, `PoolVaultMismatch`, `MintMismatch`,
///   `TokenOwnerMismatch`, `NotTokenAccount`.
/// - Oracle errors, including `OraclePriceOlderThanPosition` and `OraclePriceOlderThanMarket`.
#[derive(Accounts)]
pub struct ClosePosition<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(
        mut,
        close = owner,
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

pub fn handler(ctx: Context<ClosePosition>, limit: TradeLimit) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let mut pos: Position = *a.position.load()?;
    check_token_account(&a.owner_token, &m.collateral_mint, Some(a.owner.key))?;
    let ExitQuote { px, side, exit } = exit_quote(&a.oracle, &mut m, &pos, now)?;
    limit.check(side, false, exit, now)?;
    let held = m.sweep_touch(Some(&mut pos), now)?;
    let pnl = capped_pnl(unrealized_pnl(side.into(), pos.size, pos.entry_price, exit).or_err()?, pos.reserve);
    let (borrow_fee, close_fee) = fees_owed(&pos, &m, pos.size)?;
    let fees = borrow_fee.checked_add(close_fee).ok_or(RingfenceError::MathOverflow)?;
    let vault_balance = token_balance(&a.vault)?;
    let s = settle(vault_balance, pos.collateral, pnl, fees, 0).or_err()?;

    let owner = a.owner.to_account_info();
    VaultAuthority::new(&a.vault, &a.position.to_account_info(), &pos).pay_and_close(
        &s,
        &a.owner_token,
        &a.pool_vault,
        &owner,
    )?;
    m.sweep_remove(&pos, now)?;
    m.book_release(&pos, s.pool)?;
    m.sweep_hold(held)?;
    m.note_price_time(px.publish_time);
    *a.market.load_mut()? = m;

    emit!(PositionClosed {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        side,
        size: pos.size,
        collateral: pos.collateral,
        reserve: pos.reserve,
        entry_price: pos.entry_price,
        exit_price: exit,
        oracle_price: px.price,
        price_publish_time: px.publish_time,
        pnl,
        borrow_fee,
        close_fee,
        vault_balance,
        to_trader: s.trader,
        to_pool: s.pool,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
