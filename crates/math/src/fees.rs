//! Fees: open/close fees in bps of notional, and a borrow fee accrued through a cumulative index
//! whose rate follows pool utilization.
//!
//! The index is piecewise linear in time: between two market updates utilization cannot change
//! (only instructions change it), so `index += rate(utilization at the last update) * elapsed` is
//! exact across any gap, with no crank. A position owes `size * (index_now - index_at_entry)`.

use crate::{mul_div_ceil, mul_div_floor, wide_mul, MathError, MathResult, BPS};

/// Index units per 100% of notional. A rate of `r` index units per second charges `r / 1e12` of
/// notional per second (e.g. 10% a year is about 3,171 units per second).
pub const BORROW_INDEX_SCALE: u64 = 1_000_000_000_000;
/// Seconds in a 365-day year, for converting annual rates.
pub const SECONDS_PER_YEAR: u64 = 31_536_000;

/// Borrow rate (index units per second): linear from `min_rate` at 0% utilization to `max_rate`
/// at 100%, where utilization = reserved / (free + reserved). Rounded down. An empty pool pays
/// `min_rate`.
pub fn borrow_rate(min_rate: u64, max_rate: u64, reserved: u64, free: u64) -> MathResult<u64> {
    let span = max_rate.checked_sub(min_rate).ok_or(MathError::Overflow)?;
    let pool = reserved.checked_add(free).ok_or(MathError::Overflow)?;
    if pool == 0 {
        return Ok(min_rate);
    }
    let extra = mul_div_floor(span, reserved, pool)?;
    min_rate.checked_add(extra).ok_or(MathError::Overflow)
}

/// The index after `elapsed` seconds at `rate`.
pub fn accrue_index(index: u64, rate: u64, elapsed: u64) -> MathResult<u64> {
    let growth = u64::try_from(wide_mul(rate, elapsed)).map_err(|_| MathError::Overflow)?;
    index.checked_add(growth).ok_or(MathError::Overflow)
}

/// Borrow fee owed by `size` of notional since `entry_index`, rounded up (against the trader).
pub fn borrow_fee(size: u64, entry_index: u64, index: u64) -> MathResult<u64> {
    let delta = index.checked_sub(entry_index).ok_or(MathError::Overflow)?;
    mul_div_ceil(size, delta, BORROW_INDEX_SCALE)
}

/// A fee of `bps` on `size` of notional, rounded up (against the trader).
pub fn notional_fee(size: u64, bps: u64) -> MathResult<u64> {
    crate::bps_ceil(size, bps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rate_follows_utilization() {
        assert_eq!(borrow_rate(100, 1_100, 0, 1_000), Ok(100));
        assert_eq!(borrow_rate(100, 1_100, 500, 500), Ok(600));
        assert_eq!(borrow_rate(100, 1_100, 1_000, 0), Ok(1_100));
        assert_eq!(borrow_rate(100, 1_100, 0, 0), Ok(100));
        assert_eq!(borrow_rate(200, 100, 0, 1), Err(MathError::Overflow));
    }

    #[test]
    fn fee_examples() {
        // 10% a year on 1,000 USDC (6 decimals) for a year: 100 USDC.
        let rate = BORROW_INDEX_SCALE / 10 / SECONDS_PER_YEAR; // rounded down to 3,170
        let index = accrue_index(0, rate, SECONDS_PER_YEAR).unwrap();
        let fee = borrow_fee(1_000_000_000, 0, index).unwrap();
        assert!((99_900_000..=100_000_000).contains(&fee), "{fee}");
        // Rounds up: one index unit on one token unit is a whole unit of fee.
        assert_eq!(borrow_fee(1, 5, 6), Ok(1));
        assert_eq!(borrow_fee(1, 5, 5), Ok(0));
        assert_eq!(borrow_fee(1, 6, 5), Err(MathError::Overflow));
        assert_eq!(notional_fee(1_000, 10), Ok(1));
        assert_eq!(notional_fee(1_001, 10), Ok(2));
    }

    proptest! {
        /// Accruing over a gap in one step equals accruing second by second (no crank needed).
        #[test]
        fn accrual_is_path_independent(rate in 0u64..1_000_000, gaps in prop::collection::vec(0u64..100_000, 1..20)) {
            let mut stepwise = 0u64;
            for g in &gaps {
                stepwise = accrue_index(stepwise, rate, *g).unwrap();
            }
            let total: u64 = gaps.iter().sum();
            prop_assert_eq!(stepwise, accrue_index(0, rate, total).unwrap());
        }

        /// Paying in two settlements never costs less than paying once (rounding is for the pool).
        #[test]
        fn split_settlement_never_cheaper(size in 0u64..1 << 50, a in 0u64..1 << 40, b in 0u64..1 << 40) {
            let once = borrow_fee(size, 0, a + b).unwrap();
            let twice = borrow_fee(size, 0, a).unwrap() + borrow_fee(size, a, a + b).unwrap();
            prop_assert!(twice >= once);
            prop_assert!(twice <= once + 1);
        }

        #[test]
        fn rate_is_bounded_and_monotone(min in 0u64..1 << 30, span in 0u64..1 << 30, r1: u32, r2: u32, free: u32) {
            let max = min + span;
            let (lo, hi) = (r1.min(r2) as u64, r1.max(r2) as u64);
            let a = borrow_rate(min, max, lo, free as u64).unwrap();
            let b = borrow_rate(min, max, hi, free as u64).unwrap();
            prop_assert!(min <= a && a <= b && b <= max);
        }
    }
}

/// The notional a trader gets from a `deposit` at `leverage_e4` / 10,000 ×, leverage read the way
/// traders read it: notional = leverage × the collateral left after the open fee, so
/// `size = deposit · L / (1 + L · open_fee)`, rounded down, then, when that misses the open's own
/// rule by the fee's rounding (at the market's maximum leverage), the largest size that meets it. Clients size opens and limit orders with it; the
/// program's rule is unchanged.
pub fn size_for_leverage(
    deposit: u64,
    leverage_e4: u64,
    open_fee_bps: u64,
    initial_margin_bps: u64,
) -> MathResult<u64> {
    const E4: u128 = 10_000;
    let num = u128::from(deposit)
        .checked_mul(u128::from(leverage_e4))
        .and_then(|v| v.checked_mul(u128::from(BPS)))
        .ok_or(MathError::Overflow)?;
    let den = E4
        .checked_mul(u128::from(BPS))
        .and_then(|v| v.checked_add(u128::from(leverage_e4).checked_mul(u128::from(open_fee_bps))?))
        .ok_or(MathError::Overflow)?;
    let size =
        u64::try_from(num.checked_div(den).ok_or(MathError::DivisionByZero)?).map_err(|_| MathError::Overflow)?;
    let fits = |size: u64| -> MathResult<bool> {
        let net = deposit.saturating_sub(notional_fee(size, open_fee_bps)?);
        crate::meets_initial_margin(size, net, initial_margin_bps)
    };
    // Above the maximum leverage nothing fits: leave the size (the program says LeverageTooHigh).
    let within = u128::from(leverage_e4).checked_mul(u128::from(initial_margin_bps)).ok_or(MathError::Overflow)?
        <= E4.checked_mul(u128::from(BPS)).ok_or(MathError::Overflow)?;
    if !within || fits(size)? {
        return Ok(size);
    }
    // At (or just under) the maximum the rounded-up fee can leave the collateral short: the
    // largest size that fits (fitting is monotone in the size).
    let (mut lo, mut hi) = (0u64, size);
    while lo < hi {
        // lo < hi: the gap is positive and the midpoint stays within [lo + 1, hi].
        let gap = hi.checked_sub(lo).ok_or(MathError::Overflow)?;
        let mid = lo.checked_add(gap.div_ceil(2)).ok_or(MathError::Overflow)?;
        if fits(mid)? {
            lo = mid;
        } else {
            hi = mid.checked_sub(1).ok_or(MathError::Overflow)?;
        }
    }
    let size = lo;
    Ok(size)
}

#[cfg(test)]
mod leverage_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_maximum_leverage_is_reachable() {
        // 100 deposited at 10x with a 0.1% open fee and 10% initial margin: 999.000999 notional,
        // whose 0.999001 fee leaves 99.000999 = exactly its 10% margin.
        let size = size_for_leverage(100_000_000, 100_000, 10, 1_000).unwrap();
        let net = 100_000_000 - notional_fee(size, 10).unwrap();
        assert!(crate::meets_initial_margin(size, net, 1_000).unwrap());
        // 100 / (1/10 + 0.001) = 990.099..., less the units the rounded-up fee takes.
        assert!((990_099_000..=990_099_009).contains(&size), "{size}");
        assert_eq!(size_for_leverage(100_000_000, 50_000, 0, 1_000).unwrap(), 500_000_000);
    }

    proptest! {
        /// At any leverage up to the maximum, the open the client sizes meets the program's rule,
        /// and its notional is leverage × the net collateral (within a unit or two).
        #[test]
        fn sized_opens_meet_the_margin_rule(deposit in 1_000_000u64..1_000_000_000_000, fee in 0u64..100, im in 100u64..5_000, pct in 1u64..=100) {
            let max_e4 = 10_000 * 10_000 / im; // 1 / im
            let lev = (max_e4 * pct / 100).max(1);
            let size = size_for_leverage(deposit, lev, fee, im).unwrap();
            let net = deposit.saturating_sub(notional_fee(size, fee).unwrap());
            prop_assert!(crate::meets_initial_margin(size, net, im).unwrap());
            let expect = u128::from(net) * u128::from(lev) / 10_000;
            let slack = 2 + u128::from(lev / 10_000) * 2;
            prop_assert!(u128::from(size).abs_diff(expect) <= slack, "size {size} vs {expect}");
        }
    }
}
