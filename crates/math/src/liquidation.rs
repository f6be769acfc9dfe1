//! The one liquidation rule, and the oracle price checks every decision starts from. The program's
//! `liquidate` instruction, its `position_health` view, the keeper and the clients all call these
//! functions (through the program crate's `liquidation::check_liquidation`, which reads the
//! accounts), so they cannot disagree.
//!
//! **Which price.** A price is usable when it is no older than the market's newest used price
//! (and the position's), no older than the age limit, at most [`MAX_CLOCK_SKEW_SECS`] in the
//! future, positive, and its confidence interval is within the bound for its use: trader and LP
//! actions use `max_conf_bps`, liquidations the wider `max_conf_liquidate_bps`.
//!
//! **Where health is judged.** At the side of the confidence interval that favours the trader
//! ([`liquidation_mark`]): a long at `price + conf`, a short at `price - conf`. A position is
//! liquidated only if it is liquidatable at every price the oracle considers plausible, so a
//! crash's wide interval delays a liquidation by at most the interval (bounded by
//! `max_conf_liquidate_bps`) and never liquidates a position the oracle cannot show underwater.
//! Health counts every fee the position would pay now (borrow fee owed + close fee).
//!
//! **Where it settles.** At the oracle mid price, the oracle's best estimate: neither the trader
//! nor the pool gets the interval (settling at the judged price would pay the trader the interval
//! out of the pool, and make being liquidated a better exit than closing by twice the interval).
//! The keeper's reward is paid first out of the vault, then the trader's residual, then the pool.

use crate::{
    borrow_fee, capped_pnl, health, liquidation_reward, normalize_conf, normalize_price, notional_fee, settle,
    unrealized_pnl, wide_mul, Health, MathError, MathResult, Settlement, Side, BPS,
};

/// Largest accepted lead of an oracle publish time over the cluster clock: Pyth's and the
/// cluster's clocks differ by a second or two; a price further in the future is refused, so it
/// cannot pass for one published after an LP request or outlive its age limit.
pub const MAX_CLOCK_SKEW_SECS: i64 = 10;

/// A raw oracle price (Pyth `PriceFeedMessage` fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceMessage {
    pub mantissa: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
}

/// What a price must satisfy for one use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceRules {
    /// Oldest accepted publish time, in seconds before the clock.
    pub max_age_secs: u32,
    /// Widest accepted confidence interval, basis points of the price.
    pub max_conf_bps: u64,
    /// The market's newest used publish time: an older price is refused.
    pub not_before_market: i64,
    /// The position's newest used publish time (0 when there is no position yet).
    pub not_before_position: i64,
}

/// Why a price was refused (each maps to one named program error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceRejection {
    Stale,
    InFuture,
    OlderThanMarket,
    OlderThanPosition,
    NotPositive,
    ConfidenceTooWide,
    Overflow,
}

/// A usable price, normalized to `PRICE_DECIMALS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedPrice {
    pub price: u64,
    pub conf: u64,
    pub publish_time: i64,
}

/// True when `conf / price <= max_conf_bps / BPS`, compared exactly in u128.
pub fn confidence_ok(price: u64, conf: u64, max_conf_bps: u64) -> bool {
    wide_mul(conf, BPS) <= wide_mul(price, max_conf_bps)
}

/// Checks `msg` against `rules` at cluster time `now` (in this order: age, future, market and
/// position recency, sign, confidence) and normalizes it.
pub fn check_price(msg: &PriceMessage, rules: &PriceRules, now: i64) -> Result<CheckedPrice, PriceRejection> {
    let oldest = now.checked_sub(i64::from(rules.max_age_secs)).ok_or(PriceRejection::Overflow)?;
    if msg.publish_time < oldest {
        return Err(PriceRejection::Stale);
    }
    let newest = now.checked_add(MAX_CLOCK_SKEW_SECS).ok_or(PriceRejection::Overflow)?;
    if msg.publish_time > newest {
        return Err(PriceRejection::InFuture);
    }
    if msg.publish_time < rules.not_before_market {
        return Err(PriceRejection::OlderThanMarket);
    }
    if msg.publish_time < rules.not_before_position {
        return Err(PriceRejection::OlderThanPosition);
    }
    let price = normalize_price(msg.mantissa, msg.exponent).map_err(|_| PriceRejection::NotPositive)?;
    let conf = normalize_conf(msg.conf, msg.exponent).map_err(|_| PriceRejection::Overflow)?;
    if !confidence_ok(price, conf, rules.max_conf_bps) {
        return Err(PriceRejection::ConfidenceTooWide);
    }
    Ok(CheckedPrice { price, conf, publish_time: msg.publish_time })
}

/// The price a position's health is judged and settled at in a liquidation: the side of the
/// confidence interval that favours the trader (a long at `price + conf`, a short at
/// `price - conf`, at least 1).
pub fn liquidation_mark(side: Side, price: u64, conf: u64) -> MathResult<u64> {
    match side {
        Side::Long => price.checked_add(conf).ok_or(MathError::Overflow),
        Side::Short => Ok(price.saturating_sub(conf).max(1)),
    }
}

/// The fields of a position the rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionTerms {
    pub side: Side,
    pub size: u64,
    pub collateral: u64,
    pub reserve: u64,
    pub entry: u64,
    /// Borrow index at its last settlement.
    pub borrow_index: u64,
}

/// The market's side of the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketTerms {
    /// The market's borrow index accrued to now.
    pub borrow_index: u64,
    pub maintenance_margin_bps: u64,
    pub close_fee_bps: u64,
    pub liquidation_fee_bps: u64,
}

/// The rule's verdict on one position at one price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidationReport {
    /// The price health is judged and settled at ([`liquidation_mark`]).
    pub mark: u64,
    pub borrow_fee: u64,
    pub close_fee: u64,
    /// Health at `mark` with `borrow_fee + close_fee` counted: the verdict.
    pub health: Health,
    /// PnL at the oracle mid price, capped at the reserve: what the vault is split by.
    pub settle_pnl: i128,
    /// The keeper's reward (`liquidation_fee_bps` of notional, rounded down).
    pub reward: u64,
    /// How the vault would be split if it were liquidated now (at the mid price).
    pub settlement: Settlement,
}

/// The verdict alone: health at the judged price ([`liquidation_mark`]) with every fee counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidationHealth {
    pub mark: u64,
    pub borrow_fee: u64,
    pub close_fee: u64,
    pub health: Health,
}

/// Judges `pos` at oracle `price` ± `conf` (the first half of [`assess_liquidation`], for the
/// decisions that need only the verdict: top-ups, triggers).
pub fn judge_liquidation(
    pos: &PositionTerms,
    market: &MarketTerms,
    price: u64,
    conf: u64,
) -> MathResult<LiquidationHealth> {
    let mark = liquidation_mark(pos.side, price, conf)?;
    let borrow = borrow_fee(pos.size, pos.borrow_index, market.borrow_index)?;
    let close = notional_fee(pos.size, market.close_fee_bps)?;
    let fees = borrow.checked_add(close).ok_or(MathError::Overflow)?;
    let health =
        health(pos.side, pos.size, pos.collateral, pos.reserve, pos.entry, mark, fees, market.maintenance_margin_bps)?;
    Ok(LiquidationHealth { mark, borrow_fee: borrow, close_fee: close, health })
}

/// Judges `pos` at oracle `price` ± `conf` and splits `vault` as a liquidation would.
pub fn assess_liquidation(
    pos: &PositionTerms,
    market: &MarketTerms,
    price: u64,
    conf: u64,
    vault: u64,
) -> MathResult<LiquidationReport> {
    let LiquidationHealth { mark, borrow_fee: borrow, close_fee: close, health: h } =
        judge_liquidation(pos, market, price, conf)?;
    let fees = borrow.checked_add(close).ok_or(MathError::Overflow)?;
    let reward = liquidation_reward(pos.size, market.liquidation_fee_bps)?;
    let settle_pnl = capped_pnl(unrealized_pnl(pos.side, pos.size, pos.entry, price)?, pos.reserve);
    let settlement = settle(vault, pos.collateral, settle_pnl, fees, reward)?;
    Ok(LiquidationReport { mark, borrow_fee: borrow, close_fee: close, health: h, settle_pnl, reward, settlement })
}

/// The base quantity that leaves a position when `delta` of its `size` notional closes:
/// `floor(qty * delta / size)`, exact in u128 even when `qty * delta` is not (divide first,
/// then scale the remainder). What stays, `qty - prorata_qty(..)`, is rounded up.
pub fn prorata_qty(qty: u128, delta: u64, size: u64) -> MathResult<u128> {
    let size = u128::from(size);
    let delta = u128::from(delta);
    let whole = qty.checked_div(size).ok_or(MathError::DivisionByZero)?;
    let rem = qty.checked_rem(size).ok_or(MathError::DivisionByZero)?;
    // rem < size <= u64::MAX and delta <= u64::MAX: the product fits u128.
    let a = whole.checked_mul(delta).ok_or(MathError::Overflow)?;
    let b = rem.checked_mul(delta).ok_or(MathError::Overflow)?.checked_div(size).ok_or(MathError::DivisionByZero)?;
    a.checked_add(b).ok_or(MathError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PRICE_ONE;
    use proptest::prelude::*;

    fn rules() -> PriceRules {
        PriceRules { max_age_secs: 30, max_conf_bps: 100, not_before_market: 900, not_before_position: 950 }
    }

    fn msg(mantissa: i64, conf: u64, publish_time: i64) -> PriceMessage {
        PriceMessage { mantissa, conf, exponent: -8, publish_time }
    }

    #[test]
    fn price_checks_in_order() {
        let r = rules();
        assert_eq!(check_price(&msg(100_00000000, 1, 969), &r, 1_000), Err(PriceRejection::Stale));
        assert_eq!(check_price(&msg(100_00000000, 1, 1_011), &r, 1_000), Err(PriceRejection::InFuture));
        assert!(check_price(&msg(100_00000000, 1, 1_010), &r, 1_000).is_ok());
        let old = PriceRules { not_before_market: 1_000, ..r };
        assert_eq!(check_price(&msg(100_00000000, 1, 999), &old, 1_000), Err(PriceRejection::OlderThanMarket));
        let pos = PriceRules { not_before_market: 0, not_before_position: 1_000, ..r };
        assert_eq!(check_price(&msg(100_00000000, 1, 999), &pos, 1_000), Err(PriceRejection::OlderThanPosition));
        assert_eq!(check_price(&msg(0, 0, 990), &r, 1_000), Err(PriceRejection::NotPositive));
        assert_eq!(check_price(&msg(100_00000000, 1_00000001, 990), &r, 1_000), Err(PriceRejection::ConfidenceTooWide));
        let ok = check_price(&msg(100_00000000, 1_00000000, 990), &r, 1_000);
        assert_eq!(ok, Ok(CheckedPrice { price: 100 * PRICE_ONE, conf: PRICE_ONE, publish_time: 990 }));
    }

    #[test]
    fn judged_at_the_traders_side_of_the_interval() {
        assert_eq!(liquidation_mark(Side::Long, 100, 7), Ok(107));
        assert_eq!(liquidation_mark(Side::Short, 100, 7), Ok(93));
        assert_eq!(liquidation_mark(Side::Short, 5, 7), Ok(1));
    }

    #[test]
    fn wide_confidence_delays_but_does_not_block() {
        // A 10x long from 100 with 5% maintenance: liquidatable at mid 95.4 with no interval.
        let pos = PositionTerms {
            side: Side::Long,
            size: 10_000,
            collateral: 1_000,
            reserve: 5_000,
            entry: 100 * PRICE_ONE,
            borrow_index: 0,
        };
        let m =
            MarketTerms { borrow_index: 0, maintenance_margin_bps: 500, close_fee_bps: 10, liquidation_fee_bps: 100 };
        let mid = 95 * PRICE_ONE;
        assert!(assess_liquidation(&pos, &m, mid, 0, 11_000).unwrap().health.liquidatable);
        // With a 1-unit interval the top (96) is healthy: not liquidated yet.
        assert!(!assess_liquidation(&pos, &m, mid, PRICE_ONE, 11_000).unwrap().health.liquidatable);
        // Further down it is (judged at the top of the interval), and settles at the mid.
        let r = assess_liquidation(&pos, &m, 93 * PRICE_ONE, PRICE_ONE, 11_000).unwrap();
        assert!(r.health.liquidatable);
        assert_eq!(r.mark, 94 * PRICE_ONE);
        assert_eq!((r.health.pnl, r.settle_pnl), (-600, -700));
        assert_eq!(r.settlement.keeper, 100);
        assert_eq!(r.settlement.trader, 1_000 - 700 - 10 - 100);
    }

    proptest! {
        #[test]
        fn prorata_qty_is_exact_floor(qty: u128, size in 1u64.., frac in 0u64..=u64::MAX) {
            let delta = u64::try_from(u128::from(size) * u128::from(frac) / u128::from(u64::MAX)).unwrap();
            let got = prorata_qty(qty, delta, size).unwrap();
            // Exact: got = floor(qty * delta / size), checked without overflow as
            // got * size <= qty * delta < (got + 1) * size, using 256-bit-free bounds.
            prop_assert!(got <= qty);
            let (q, r) = (qty / u128::from(size), qty % u128::from(size));
            prop_assert_eq!(got, q * u128::from(delta) + r * u128::from(delta) / u128::from(size));
            // Monotone in delta and additive up to rounding: the parts of two halves never exceed the whole.
            if delta > 0 {
                let less = prorata_qty(qty, delta - 1, size).unwrap();
                prop_assert!(less <= got);
            }
            prop_assert_eq!(prorata_qty(qty, size, size).unwrap(), qty);
            prop_assert_eq!(prorata_qty(qty, 0, size).unwrap(), 0);
        }

        #[test]
        fn prorata_split_never_exceeds_whole(qty in 0u128..(1u128 << 100), size in 1u64.., a in 0u64.., b in 0u64..) {
            let (a, b) = (a % size, b % size);
            prop_assume!(a.checked_add(b).is_some_and(|s| s <= size));
            let (pa, pb) = (prorata_qty(qty, a, size).unwrap(), prorata_qty(qty, b, size).unwrap());
            prop_assert!(pa + pb <= prorata_qty(qty, a + b, size).unwrap());
        }

        #[test]
        fn favourable_mark_never_liquidates_more(
            size in 1_000u64..1_000_000_000, coll in 1u64..1_000_000_000, mid in 1u64..10_000_000_000_000,
            conf_bps in 0u64..2_000, entry in 1u64..10_000_000_000_000, long: bool,
        ) {
            let side = if long { Side::Long } else { Side::Short };
            let pos = PositionTerms { side, size, collateral: coll, reserve: size / 2, entry, borrow_index: 0 };
            let m = MarketTerms { borrow_index: 0, maintenance_margin_bps: 500, close_fee_bps: 10, liquidation_fee_bps: 100 };
            let conf = mid / 10_000 * conf_bps;
            let wide = assess_liquidation(&pos, &m, mid, conf, coll + size / 2).unwrap();
            let at_mid = assess_liquidation(&pos, &m, mid, 0, coll + size / 2).unwrap();
            // Liquidatable with the interval implies liquidatable at the mid; equity never lower.
            prop_assert!(!wide.health.liquidatable || at_mid.health.liquidatable);
            prop_assert!(wide.health.equity >= at_mid.health.equity);
            // Settled at the mid whatever the interval: the same split whenever both liquidate.
            prop_assert_eq!(wide.settlement, at_mid.settlement);
        }
    }
}
