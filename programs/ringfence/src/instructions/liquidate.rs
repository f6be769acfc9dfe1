use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use ringfence_math::{rescue, TopUp};

use crate::error::{MathResultExt, RingfenceError};
use crate::events::{PoolSnapshot, PositionLiquidated, StandbyApplied};
use crate::liquidation::check_liquidation;
use crate::settlement::VaultAuthority;
use crate::state::{status, Market, Position};
use crate::token_account::{check_token_account, token_balance};

/// Liquidates an underwater position. Anyone may call it (the keeper); it never needs an account
/// the position's owner controls. The rule (`crate::liquidation`, `ringfence_math::liquidation`):
/// with a price no older than the newest the market has used, judged at the confidence
/// interval's side that favours the trader, equity (collateral + PnL capped at the reserve -
/// borrow fee owed - close fee) is below the maintenance requirement; it settles at the oracle mid
/// price. Every token moved comes out of this position's own vault: the keeper's reward first,
/// then the pool's part (losses, fees, unused reserve). The trader's residual equity stays in the vault: the position is marked
/// liquidated, leaves the market's accounting, and holds only that claim until its owner calls
/// `claim_residual` (which closes both accounts and returns their rent). No other position's
/// accounts are part of the instruction. Never paused.
///
/// **Standby first.** When the position holds standby margin that can restore its health (equity
/// at least the maintenance requirement, judged the same way), `liquidate` moves it into
/// collateral instead — the least whole number of the owner's top-up steps that restores health
/// (exactly what is needed without a rule), capped at the standby — pays the keeper the rule's
/// top-up fee from what standby is left, emits `StandbyApplied { rescue: true }`, and liquidates
/// nothing. When all of the standby could not restore it, none is moved: the position is
/// liquidated and its standby (with escrowed trigger fees) joins the owner's residual, never
/// seized.
///
/// # Accounts
/// - `keeper`: signer; receives the reward into `keeper_token`.
/// - `market`: must be `position.market`.
/// - `oracle`: must be `market.oracle`.
/// - `position`: the open position (its own address: never re-derived).
/// - `vault`: must be `position.vault`.
/// - `pool_vault`: must be `market.pool_vault`.
/// - `keeper_token`: any SPL Token account of the collateral mint.
///
/// # Errors
/// - `PositionHealthy`: equity meets the maintenance requirement.
/// - `PositionNotOpen`: already liquidated.
/// - `MarketMismatch`, `VaultMismatch`, `PoolVaultMismatch`: accounts not of this position or market.
/// - `MintMismatch`, `NotTokenAccount`: wrong keeper account.
/// - Oracle: `OracleAccountMismatch`, `OracleFeedMismatch`, `OracleNotFullyVerified`,
///   `OraclePriceStale`, `OraclePriceInFuture`, `OraclePriceOlderThanMarket`,
///   `OraclePriceOlderThanPosition`, `OraclePriceNotPositive`, `OracleConfidenceTooWide`.
#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub keeper: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(
        mut,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
    )]
    pub position: AccountLoader<'info, Position>,
    /// CHECK: address is `position.vault` (has_one); created by this program as a token account.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint.
    #[account(mut)]
    pub keeper_token: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Liquidate>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let mut pos: Position = *a.position.load()?;
    check_token_account(&a.keeper_token, &m.collateral_mint, None)?;
    let vault_balance = token_balance(&a.vault)?;
    let c = check_liquidation(&mut m, &pos, &a.oracle, vault_balance, now)?;
    require!(c.liquidatable(), RingfenceError::PositionHealthy);
    let (r, s) = (c.report, c.report.settlement);
    let mm = r.health.maintenance_requirement;
    let position_info = a.position.to_account_info();
    if let Some(t) = rescue(r.health.equity, mm, pos.topup_step, pos.topup_fee, pos.standby).or_err()? {
        let TopUp { moved, fee: keeper_fee, standby_left } = t;
        let held = m.sweep_touch(Some(&mut pos), now)?;
        pos.standby = standby_left;
        pos.collateral = pos.collateral.checked_add(moved).ok_or(RingfenceError::MathOverflow)?;
        pos.last_price_time = c.px.publish_time;
        m.note_price_time(c.px.publish_time);
        m.sweep_revalue(&mut pos, now)?;
        m.sweep_hold(held)?;
        VaultAuthority::new(&a.vault, &position_info, &pos).pay(&a.keeper_token, keeper_fee)?;
        *a.position.load_mut()? = pos;
        *a.market.load_mut()? = m;
        emit!(StandbyApplied {
            market: pos.market,
            position: a.position.key(),
            owner: pos.owner,
            keeper: a.keeper.key(),
            rescue: true,
            moved,
            keeper_fee,
            standby: pos.standby,
            collateral: pos.collateral,
            equity_before: r.health.equity,
            maintenance_requirement: mm,
            oracle_price: c.px.price,
            oracle_conf: c.px.conf,
            price_publish_time: c.px.publish_time,
            timestamp: now,
        });
        return Ok(());
    }
    let held = m.sweep_touch(Some(&mut pos), now)?;
    let vault = VaultAuthority::new(&a.vault, &position_info, &pos);
    vault.pay(&a.keeper_token, s.keeper)?;
    vault.pay(&a.pool_vault, s.pool)?;
    m.sweep_remove(&pos, now)?;
    m.book_release(&pos, s.pool)?;
    m.sweep_hold(held)?;
    m.note_price_time(c.px.publish_time);
    let apart = pos.held_apart()?;
    pos.release_apart()?;
    pos.status = status::LIQUIDATED;
    pos.residual = s.trader.checked_add(apart).ok_or(RingfenceError::MathOverflow)?;
    pos.last_price_time = c.px.publish_time;
    *a.position.load_mut()? = pos;
    *a.market.load_mut()? = m;

    emit!(PositionLiquidated {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        keeper: a.keeper.key(),
        side: c.side,
        size: pos.size,
        collateral: pos.collateral,
        reserve: pos.reserve,
        entry_price: pos.entry_price,
        oracle_price: c.px.price,
        oracle_conf: c.px.conf,
        mark_price: r.mark,
        price_publish_time: c.px.publish_time,
        pnl: r.settle_pnl,
        borrow_fee: r.borrow_fee,
        close_fee: r.close_fee,
        equity: r.health.equity,
        maintenance_requirement: r.health.maintenance_requirement,
        vault_balance,
        keeper_reward: s.keeper,
        residual: pos.residual,
        returned_apart: apart,
        to_pool: s.pool,
        bad_debt: s.bad_debt,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
