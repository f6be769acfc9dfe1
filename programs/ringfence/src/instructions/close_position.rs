use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::error::RingfenceError;
use crate::events::{PoolSnapshot, PositionClosed};
use crate::limits::TradeLimit;
use crate::settlement::{book_close, exit_quote, ClosedBooks, ExitQuote, VaultAuthority};
use crate::state::{Market, Position};
use crate::token_account::{check_token_account, token_balance};

/// Closes a position in full at the confidence-adjusted exit price: realizes PnL (capped at the
/// reserve), pays the borrow and close fees, pays the trader from the vault, returns the rest
/// (losses, fees, unused reserve) to the pool, and closes the vault and position (rent to the
/// owner). What the vault holds apart from the position (standby margin, escrowed trigger fees,
/// residual from keeper-run partial closes) is paid to the owner in full beside the settlement.
/// Never paused: traders can always exit.
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
    let vault_balance = token_balance(&a.vault)?;
    let ClosedBooks { pnl, borrow_fee, close_fee, s, .. } =
        book_close(&mut m, &mut pos, exit, px.publish_time, vault_balance, now)?;
    let apart = pos.held_apart()?;
    pos.release_apart()?;
    let to_owner = s.trader.checked_add(apart).ok_or(RingfenceError::MathOverflow)?;

    let owner = a.owner.to_account_info();
    let position_info = a.position.to_account_info();
    let vault = VaultAuthority::new(&a.vault, &position_info, &pos);
    vault.pay(&a.owner_token, to_owner)?;
    vault.pay(&a.pool_vault, s.pool)?;
    vault.close(&owner)?;
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
        returned_apart: apart,
        to_pool: s.pool,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
