use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{liquidation_reward, settle};

use crate::error::{MathResultExt, RingfenceError};
use crate::events::{PoolSnapshot, PositionLiquidated};
use crate::oracle::{read_price, PriceUse};
use crate::settlement::{health_now, release_position, VaultAuthority};
use crate::state::{Market, Position};
use crate::token_account::{check_token_account, token_balance};

/// Liquidates an underwater position. Anyone may call it (the keeper). Allowed when equity at the
/// oracle price (collateral + PnL capped at the reserve - borrow fee owed - close fee) is below
/// the maintenance requirement. Every token moved comes out of this position's own vault: keeper
/// reward first, then the owner's residual equity, then the rest (losses, fees, unused reserve) to
/// the pool vault. The vault and position are closed and their rent returned to the owner. No
/// other position's accounts are part of the instruction. Never paused.
///
/// # Accounts
/// - `keeper`: signer; receives the reward into `keeper_token`.
/// - `market`: must be `position.market`.
/// - `oracle`: must be `market.oracle` (liquidation age limit).
/// - `position`: the position; closed, rent to `owner`.
/// - `owner`: must be `position.owner`; receives the rent of both closed accounts.
/// - `vault`: must be `position.vault`; emptied and closed.
/// - `pool_vault`: must be `market.pool_vault`.
/// - `keeper_token`: any SPL Token account of the collateral mint.
/// - `owner_token`: SPL Token account of the collateral mint owned by `owner` (keepers pass the
///   owner's associated token account, creating it idempotently if needed).
///
/// # Errors
/// - `PositionHealthy`: equity meets the maintenance requirement.
/// - `MarketMismatch`, `OwnerMismatch`, `VaultMismatch`, `PoolVaultMismatch`: accounts not of
///   this position or market.
/// - `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`: wrong payout accounts.
/// - Oracle: `OracleAccountMismatch`, `OracleFeedMismatch`, `OracleNotFullyVerified`,
///   `OraclePriceStale`, `OraclePriceOlderThanPosition`, `OraclePriceNotPositive`,
///   `OracleConfidenceTooWide`.
#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub keeper: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(
        mut,
        close = owner,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = owner @ RingfenceError::OwnerMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
    )]
    pub position: AccountLoader<'info, Position>,
    /// CHECK: only receives lamports (rent); its address is checked by `has_one = owner`.
    #[account(mut)]
    pub owner: UncheckedAccount<'info>,
    /// CHECK: address is `position.vault` (has_one); created by this program as a token account.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint.
    #[account(mut)]
    pub keeper_token: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint owned by `owner`.
    #[account(mut)]
    pub owner_token: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Liquidate>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let mut pos: Position = *a.position.load()?;
    let side = pos.side()?;
    check_token_account(&a.keeper_token, &m.collateral_mint, None)?;
    check_token_account(&a.owner_token, &m.collateral_mint, Some(&pos.owner))?;
    m.accrue(now)?;
    let held = m.sweep_touch(Some(&mut pos), now)?;
    let px = read_price(&a.oracle, &m, now, PriceUse::Liquidate)?;
    px.require_not_older_than_position(pos.last_price_time)?;
    let params = m.params;
    let (borrow_fee, close_fee, h) = health_now(&pos, &m, side, px.price)?;
    let fees = h.fees;
    require!(h.liquidatable, RingfenceError::PositionHealthy);

    let vault_balance = token_balance(&a.vault)?;
    let reward = liquidation_reward(pos.size, u64::from(params.liquidation_fee_bps)).or_err()?;
    let s = settle(vault_balance, pos.collateral, h.pnl, fees, reward).or_err()?;
    VaultAuthority::new(&a.vault, &a.position.to_account_info(), &pos).pay_and_close(
        &s,
        Some(&a.keeper_token),
        &a.owner_token,
        &a.pool_vault,
        &a.owner,
    )?;
    m.sweep_remove(&pos, now)?;
    release_position(&mut m, &pos, side, s.pool)?;
    m.sweep_hold(held)?;
    m.note_price_time(px.publish_time);
    *a.market.load_mut()? = m;

    emit!(PositionLiquidated {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        keeper: a.keeper.key(),
        side,
        size: pos.size,
        collateral: pos.collateral,
        reserve: pos.reserve,
        entry_price: pos.entry_price,
        mark_price: px.price,
        price_publish_time: px.publish_time,
        pnl: h.pnl,
        borrow_fee,
        close_fee,
        equity: h.equity,
        maintenance_requirement: h.maintenance_requirement,
        vault_balance,
        keeper_reward: s.keeper,
        to_trader: s.trader,
        to_pool: s.pool,
        bad_debt: s.bad_debt,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
