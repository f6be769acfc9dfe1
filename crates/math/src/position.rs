//! Position math: PnL at mark, margin requirements, liquidation test and settlement split,
//! liquidation and bankruptcy prices.
//!
//! `size` is the position's notional in collateral units at the entry price, so PnL is
//! `size * (mark - entry) / entry` for a long and the negation for a short; no base-asset
//! decimals are involved.

use crate::{bps_ceil, bps_floor, div_ceil_u128, div_floor_u128, wide_mul, MathError, MathResult, Side};

/// Floor division of a signed numerator by a positive denominator (rounds toward -infinity).
fn div_floor_signed(num: i128, den: u128) -> MathResult<i128> {
    let den = i128::try_from(den).map_err(|_| MathError::Overflow)?;
    if den == 0 {
        return Err(MathError::DivisionByZero);
    }
    let q = num.checked_div(den).ok_or(MathError::Overflow)?;
    let r = num.checked_rem(den).ok_or(MathError::Overflow)?;
    if r < 0 {
        q.checked_sub(1).ok_or(MathError::Overflow)
    } else {
        Ok(q)
    }
}

/// Unrealized PnL of a position at `mark`, in collateral units. Positive is profit.
///
/// Rounded toward negative infinity: a profit rounds down and a loss rounds up, against the trader.
/// Monotone in `mark` (non-decreasing for longs, non-increasing for shorts).
pub fn unrealized_pnl(side: Side, size: u64, entry: u64, mark: u64) -> MathResult<i128> {
    if entry == 0 {
        return Err(MathError::DivisionByZero);
    }
    let sign: i128 = match side {
        Side::Long if mark >= entry => 1,
        Side::Short if mark <= entry => 1,
        _ => -1,
    };
    // size * |mark - entry| fits u128; it may not fit i128, which is then an overflow.
    let magnitude = wide_mul(size, mark.abs_diff(entry));
    let signed = i128::try_from(magnitude).map_err(|_| MathError::Overflow)?;
    div_floor_signed(signed.checked_mul(sign).ok_or(MathError::Overflow)?, u128::from(entry))
}

/// Equity = collateral + unrealized PnL (may be negative).
pub fn equity(collateral: u64, pnl: i128) -> MathResult<i128> {
    i128::from(collateral).checked_add(pnl).ok_or(MathError::Overflow)
}

/// Margin required for `size` at `margin_bps`, rounded up (against the trader).
pub fn margin_requirement(size: u64, margin_bps: u64) -> MathResult<u64> {
    bps_ceil(size, margin_bps)
}

/// Whether `collateral` meets the initial margin for `size`: `collateral >= ceil(size * im / BPS)`.
pub fn meets_initial_margin(size: u64, collateral: u64, initial_margin_bps: u64) -> MathResult<bool> {
    Ok(collateral >= margin_requirement(size, initial_margin_bps)?)
}

/// A position is liquidatable when its equity at mark is below its maintenance requirement.
pub fn is_liquidatable(equity: i128, maintenance_requirement: u64) -> bool {
    equity < i128::from(maintenance_requirement)
}

/// Health of a position at a mark price, as a client or keeper shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Health {
    pub pnl: i128,
    pub equity: i128,
    pub maintenance_requirement: u64,
    pub liquidatable: bool,
}

/// Everything the liquidation test needs, in one call (what the program and keeper both run).
pub fn health(
    side: Side,
    size: u64,
    collateral: u64,
    entry: u64,
    mark: u64,
    maintenance_margin_bps: u64,
) -> MathResult<Health> {
    let pnl = unrealized_pnl(side, size, entry, mark)?;
    let equity = equity(collateral, pnl)?;
    let maintenance_requirement = margin_requirement(size, maintenance_margin_bps)?;
    Ok(Health { pnl, equity, maintenance_requirement, liquidatable: is_liquidatable(equity, maintenance_requirement) })
}

/// The mark price at which `collateral + pnl == target` for this position, i.e.
/// long: `entry * (size - collateral + target) / size`; short: `entry * (size + collateral - target) / size`.
/// `None` when no positive price reaches it (a long with more cushion than notional).
/// Long prices round up and short prices round down: the reported threshold is reached no later
/// than the real one.
fn price_at_equity(side: Side, size: u64, collateral: u64, entry: u64, target: u64) -> MathResult<Option<u64>> {
    if size == 0 {
        return Err(MathError::DivisionByZero);
    }
    let size_i = i128::from(size);
    let cushion = i128::from(collateral).checked_sub(i128::from(target)).ok_or(MathError::Overflow)?;
    let factor = match side {
        Side::Long => size_i.checked_sub(cushion),
        Side::Short => size_i.checked_add(cushion),
    }
    .ok_or(MathError::Overflow)?;
    if factor <= 0 {
        return Ok(None);
    }
    let factor = u128::try_from(factor).map_err(|_| MathError::Overflow)?;
    let num = factor.checked_mul(u128::from(entry)).ok_or(MathError::Overflow)?;
    let den = u128::from(size);
    let q = match side {
        Side::Long => div_ceil_u128(num, den)?,
        Side::Short => div_floor_u128(num, den)?,
    };
    if q == 0 {
        return Ok(None);
    }
    u64::try_from(q).map(Some).map_err(|_| MathError::Overflow)
}

/// Mark price at which the position becomes liquidatable (equity reaches the maintenance requirement).
pub fn liquidation_price(
    side: Side,
    size: u64,
    collateral: u64,
    entry: u64,
    maintenance_margin_bps: u64,
) -> MathResult<Option<u64>> {
    let maintenance = margin_requirement(size, maintenance_margin_bps)?;
    price_at_equity(side, size, collateral, entry, maintenance)
}

/// Mark price at which the position's equity reaches zero.
pub fn bankruptcy_price(side: Side, size: u64, collateral: u64, entry: u64) -> MathResult<Option<u64>> {
    price_at_equity(side, size, collateral, entry, 0)
}

/// Keeper reward for liquidating `size` of notional, rounded down.
pub fn liquidation_reward(size: u64, liquidation_fee_bps: u64) -> MathResult<u64> {
    bps_floor(size, liquidation_fee_bps)
}

/// How a liquidated position's vault is split. `keeper + trader + pool == vault` always.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidationSplit {
    /// Paid to the keeper first (capped by the vault).
    pub keeper: u64,
    /// The trader's residual equity after the reward (never more than the vault holds).
    pub trader: u64,
    /// Everything else returns to the pool.
    pub pool: u64,
    /// What the trader's equity failed to cover of losses and reward (the pool's shortfall).
    /// `u128` so that reporting it can never fail a liquidation.
    pub bad_debt: u128,
}

/// Splits `vault` (all tokens the position's vault holds) after a liquidation at `equity`.
pub fn split_liquidation(vault: u64, equity: i128, reward: u64) -> MathResult<LiquidationSplit> {
    let keeper = reward.min(vault);
    let after_reward = equity.checked_sub(i128::from(keeper)).ok_or(MathError::Overflow)?;
    let available = vault.checked_sub(keeper).ok_or(MathError::Overflow)?;
    let trader = if after_reward <= 0 {
        0
    } else {
        // after_reward > 0; if it exceeds u64 it certainly exceeds `available`.
        u64::try_from(after_reward).map_or(available, |owed| owed.min(available))
    };
    let pool = available.checked_sub(trader).ok_or(MathError::Overflow)?;
    let shortfall = i128::from(keeper).checked_sub(equity).ok_or(MathError::Overflow)?;
    let bad_debt = u128::try_from(shortfall).unwrap_or(0);
    Ok(LiquidationSplit { keeper, trader, pool, bad_debt })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BPS, PRICE_ONE};
    use proptest::prelude::*;

    const P100: u64 = 100 * PRICE_ONE;

    #[test]
    fn pnl_examples() {
        // 1,000 notional long from 100 to 110: +100.
        assert_eq!(unrealized_pnl(Side::Long, 1_000, P100, 110 * PRICE_ONE), Ok(100));
        assert_eq!(unrealized_pnl(Side::Short, 1_000, P100, 110 * PRICE_ONE), Ok(-100));
        // 1 unit long, +1/3 of a unit of profit rounds down to 0; the mirrored loss rounds up to -1.
        let entry = 3 * PRICE_ONE;
        assert_eq!(unrealized_pnl(Side::Long, 1, entry, 4 * PRICE_ONE), Ok(0));
        assert_eq!(unrealized_pnl(Side::Short, 1, entry, 4 * PRICE_ONE), Ok(-1));
        assert_eq!(unrealized_pnl(Side::Long, 1, 0, 1), Err(MathError::DivisionByZero));
    }

    #[test]
    fn health_and_prices_examples() {
        // 10x long: 100 collateral, 1,000 notional at 100, maintenance 5% (50).
        let h = health(Side::Long, 1_000, 100, P100, 95 * PRICE_ONE, 500).unwrap();
        assert_eq!((h.pnl, h.equity, h.maintenance_requirement, h.liquidatable), (-50, 50, 50, false));
        let h = health(Side::Long, 1_000, 100, P100, 94 * PRICE_ONE, 500).unwrap();
        assert!(h.liquidatable);
        assert_eq!(liquidation_price(Side::Long, 1_000, 100, P100, 500), Ok(Some(95 * PRICE_ONE)));
        assert_eq!(bankruptcy_price(Side::Long, 1_000, 100, P100), Ok(Some(90 * PRICE_ONE)));
        assert_eq!(liquidation_price(Side::Short, 1_000, 100, P100, 500), Ok(Some(105 * PRICE_ONE)));
        assert_eq!(bankruptcy_price(Side::Short, 1_000, 100, P100), Ok(Some(110 * PRICE_ONE)));
        // A fully collateralized long cannot go bankrupt at a positive price.
        assert_eq!(bankruptcy_price(Side::Long, 1_000, 1_000, P100), Ok(None));
    }

    #[test]
    fn split_examples() {
        // Healthy residual: equity 40, reward 10 -> keeper 10, trader 30, pool 60 (the loss).
        assert_eq!(
            split_liquidation(100, 40, 10),
            Ok(LiquidationSplit { keeper: 10, trader: 30, pool: 60, bad_debt: 0 })
        );
        // Equity below the reward: the pool is short by reward - equity.
        assert_eq!(
            split_liquidation(100, 4, 10),
            Ok(LiquidationSplit { keeper: 10, trader: 0, pool: 90, bad_debt: 6 })
        );
        // Bankrupt: equity -25; the keeper is still paid, the pool takes the rest.
        assert_eq!(
            split_liquidation(100, -25, 10),
            Ok(LiquidationSplit { keeper: 10, trader: 0, pool: 90, bad_debt: 35 })
        );
        // Reward larger than the vault is capped.
        assert_eq!(split_liquidation(5, -25, 10), Ok(LiquidationSplit { keeper: 5, trader: 0, pool: 0, bad_debt: 30 }));
    }

    fn side() -> impl Strategy<Value = Side> {
        prop_oneof![Just(Side::Long), Just(Side::Short)]
    }

    proptest! {
        #[test]
        fn pnl_sign_and_symmetry(size: u64, entry in 1u64.., mark in 1u64..) {
            let long = unrealized_pnl(Side::Long, size, entry, mark);
            let short = unrealized_pnl(Side::Short, size, entry, mark);
            if let (Ok(l), Ok(s)) = (long, short) {
                // Profit iff the price moved the position's way.
                prop_assert_eq!(l > 0, mark > entry && (size as u128 * (mark - entry) as u128) >= entry as u128);
                prop_assert!(l <= 0 || mark > entry);
                prop_assert!(s <= 0 || mark < entry);
                // Floor rounding: long + short is 0 when exact, -1 otherwise (the pool never pays twice).
                let exact = (size as u128 * mark.abs_diff(entry) as u128).is_multiple_of(entry as u128);
                prop_assert_eq!(l + s, if exact { 0 } else { -1 });
            }
        }

        #[test]
        fn pnl_never_favours_trader(size in 0u64..1u64 << 40, entry in 1u64..1u64 << 50, mark in 1u64..1u64 << 50) {
            // Exact rational PnL vs the rounded one: rounded <= exact for both sides.
            let l = unrealized_pnl(Side::Long, size, entry, mark).unwrap();
            let exact_num = size as i128 * (mark as i128 - entry as i128);
            prop_assert!(l * entry as i128 <= exact_num);
            prop_assert!((l + 1) * entry as i128 > exact_num);
        }

        #[test]
        fn liquidation_threshold_monotone(
            side in side(),
            size in 1u64..1u64 << 48,
            collateral in 0u64..1u64 << 48,
            entry in 1u64..1u64 << 50,
            p1 in 1u64..1u64 << 50,
            p2 in 1u64..1u64 << 50,
            mm in 1u64..BPS,
        ) {
            let (lo, hi) = (p1.min(p2), p1.max(p2));
            let at_lo = health(side, size, collateral, entry, lo, mm).unwrap().liquidatable;
            let at_hi = health(side, size, collateral, entry, hi, mm).unwrap().liquidatable;
            match side {
                // A long liquidatable at a higher price is liquidatable at any lower one.
                Side::Long => prop_assert!(!at_hi || at_lo),
                Side::Short => prop_assert!(!at_lo || at_hi),
            }
        }

        #[test]
        fn liquidation_price_is_the_threshold(
            side in side(),
            size in 1u64..1u64 << 40,
            lev in 2u64..100,
            entry in PRICE_ONE / 100..PRICE_ONE * 100_000,
            mm in 1u64..500,
        ) {
            let collateral = size / lev;
            if let Some(p) = liquidation_price(side, size, collateral, entry, mm).unwrap() {
                let h = |price| health(side, size, collateral, entry, price, mm).unwrap().liquidatable;
                // Strictly beyond the reported price (by a tick) the position is liquidatable.
                match side {
                    Side::Long => prop_assert!(p <= 1 || h(p - 1)),
                    Side::Short => prop_assert!(h(p + 1)),
                }
            }
        }

        #[test]
        fn no_panic_on_extremes(side in side(), size: u64, collateral: u64, entry: u64, mark: u64, bps: u64) {
            let _ = health(side, size, collateral, entry, mark, bps);
            let _ = liquidation_price(side, size, collateral, entry, bps);
            let _ = bankruptcy_price(side, size, collateral, entry);
            let _ = liquidation_reward(size, bps);
        }

        #[test]
        fn split_conserves_vault(vault: u64, equity: i64, reward: u64) {
            let s = split_liquidation(vault, equity as i128, reward).unwrap();
            prop_assert_eq!(s.keeper as u128 + s.trader as u128 + s.pool as u128, vault as u128);
            prop_assert!(s.keeper <= reward);
            prop_assert!((s.trader as i128) <= (equity as i128 - s.keeper as i128).max(0));
        }
    }
}
