//! The liquidation rule's account-reading part: from the market, the position, the pinned oracle
//! account and the vault balance to the verdict of `ringfence_math::assess_liquidation` (see that
//! module for the rule). The `liquidate` instruction, the `position_health` view and the keeper
//! (off chain, on the same account bytes) all call [`check_liquidation`]; nothing else decides
//! whether a position may be liquidated or how it settles.
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{
    assess_liquidation, judge_liquidation, LiquidationHealth, LiquidationReport, MarketTerms, PositionTerms,
};

use crate::error::{MathResultExt, RingfenceError};
use crate::oracle::{read_price, OraclePrice, PriceUse};
use crate::state::{Market, Position, Side};

/// The verdict on one position, with what it was judged on.
#[derive(Clone, Copy, Debug)]
pub struct LiquidationCheck {
    pub side: Side,
    /// The validated oracle price (mid and confidence).
    pub px: OraclePrice,
    /// Health at the trader's side of the interval, fees, reward and the vault's split.
    pub report: LiquidationReport,
}

impl LiquidationCheck {
    pub fn liquidatable(&self) -> bool {
        self.report.health.liquidatable
    }
}

/// Judges open `pos` of `market` at `oracle`'s price at cluster time `now`, with the vault
/// holding `vault_balance` (of which the settlement splits `Position::settleable`). Accrues `market`'s borrow index to `now` first (callers that must not
/// write pass a copy). The price must pass the liquidation checks: full verification, the
/// market's feed, at most `max_price_age_liquidate_secs` old and `MAX_CLOCK_SKEW_SECS` ahead, not
/// older than the newest price the market or the position has used, confidence within
/// `max_conf_liquidate_bps`.
pub fn check_liquidation(
    market: &mut Market,
    pos: &Position,
    oracle: &PriceUpdateV2,
    vault_balance: u64,
    now: i64,
) -> Result<LiquidationCheck> {
    require!(pos.is_open(), RingfenceError::PositionNotOpen);
    market.accrue(now)?;
    let px = read_price(oracle, market, now, PriceUse::Liquidate, pos.last_price_time)?;
    judge(market, pos, px, vault_balance)
}

/// The verdict at an already validated price, on a market accrued to now: what
/// [`check_liquidation`] returns after its price checks.
pub fn judge(market: &Market, pos: &Position, px: OraclePrice, vault_balance: u64) -> Result<LiquidationCheck> {
    let (side, terms, mt) = terms_of(market, pos)?;
    let report = assess_liquidation(&terms, &mt, px.price, px.conf, pos.settleable(vault_balance)?).or_err()?;
    Ok(LiquidationCheck { side, px, report })
}

/// The verdict alone (health at the judged price, the first half of [`judge`]), for the decisions
/// that need no settlement split: a trigger execution (with its trade-validated price, no older
/// and no wider than a liquidation accepts) refuses liquidatable positions; a top-up compares
/// equity with its ratio.
pub fn judge_health(market: &Market, pos: &Position, px: OraclePrice) -> Result<LiquidationHealth> {
    let (_, terms, mt) = terms_of(market, pos)?;
    judge_liquidation(&terms, &mt, px.price, px.conf).or_err()
}

/// [`check_liquidation`]'s price checks and [`judge_health`]: the verdict at `oracle`'s price.
/// Accrues `market` to `now`.
pub fn check_health(
    market: &mut Market,
    pos: &Position,
    oracle: &PriceUpdateV2,
    now: i64,
) -> Result<(OraclePrice, LiquidationHealth)> {
    require!(pos.is_open(), RingfenceError::PositionNotOpen);
    market.accrue(now)?;
    let px = read_price(oracle, market, now, PriceUse::Liquidate, pos.last_price_time)?;
    Ok((px, judge_health(market, pos, px)?))
}

fn terms_of(market: &Market, pos: &Position) -> Result<(Side, PositionTerms, MarketTerms)> {
    let side = pos.side()?;
    let terms = PositionTerms {
        side: side.into(),
        size: pos.size,
        collateral: pos.collateral,
        reserve: pos.reserve,
        entry: pos.entry_price,
        borrow_index: pos.borrow_index,
    };
    let p = &market.params;
    let mt = MarketTerms {
        borrow_index: market.borrow_index,
        maintenance_margin_bps: u64::from(p.maintenance_margin_bps),
        close_fee_bps: u64::from(p.close_fee_bps),
        liquidation_fee_bps: u64::from(p.liquidation_fee_bps),
    };
    Ok((side, terms, mt))
}
