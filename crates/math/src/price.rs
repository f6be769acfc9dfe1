//! Oracle price normalization: Pyth's `(mantissa, exponent)` into Ringfence's fixed point.

use crate::{div_ceil_u128, div_floor_u128, MathError, MathResult};

/// Decimals of every normalized price. 10 keeps Pyth's finest common exponent (-10, memecoins)
/// exact and leaves room for prices up to 1.8e9 quote units per base unit in a `u64`.
pub const PRICE_DECIMALS: u32 = 10;
/// One quote unit per base unit.
pub const PRICE_ONE: u64 = 10_000_000_000;

/// 10^n as u128, for n <= 38.
fn pow10(n: u32) -> MathResult<u128> {
    10u128.checked_pow(n).ok_or(MathError::Overflow)
}

fn rescale(value: u64, exponent: i32, round_up: bool) -> MathResult<u64> {
    let shift = i64::from(exponent).checked_add(i64::from(PRICE_DECIMALS)).ok_or(MathError::Overflow)?;
    let value = u128::from(value);
    let out = if shift >= 0 {
        let factor = pow10(u32::try_from(shift).map_err(|_| MathError::Overflow)?)?;
        value.checked_mul(factor).ok_or(MathError::Overflow)?
    } else {
        let down = u32::try_from(shift.unsigned_abs()).map_err(|_| MathError::Overflow)?;
        if down > 38 {
            // Anything divided by more than 10^38 is below one unit.
            u128::from(round_up && value != 0)
        } else {
            let d = pow10(down)?;
            if round_up {
                div_ceil_u128(value, d)?
            } else {
                div_floor_u128(value, d)?
            }
        }
    };
    u64::try_from(out).map_err(|_| MathError::Overflow)
}

/// Normalizes an oracle price `mantissa * 10^exponent` to [`PRICE_DECIMALS`], rounding down.
/// Zero or negative prices, and prices that normalize to zero, are rejected.
pub fn normalize_price(mantissa: i64, exponent: i32) -> MathResult<u64> {
    if mantissa <= 0 {
        return Err(MathError::NonPositivePrice);
    }
    let value = u64::try_from(mantissa).map_err(|_| MathError::NonPositivePrice)?;
    let price = rescale(value, exponent, false)?;
    if price == 0 {
        return Err(MathError::NonPositivePrice);
    }
    Ok(price)
}

/// Normalizes an oracle confidence interval to [`PRICE_DECIMALS`], rounding up (wider is safer).
pub fn normalize_conf(conf: u64, exponent: i32) -> MathResult<u64> {
    rescale(conf, exponent, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{confidence_ok, BPS};
    use proptest::prelude::*;

    #[test]
    fn normalizes_common_exponents() {
        // SOL/USD style: 150.12345678 with exponent -8.
        assert_eq!(normalize_price(15_012_345_678, -8), Ok(1_501_234_567_800));
        // Memecoin style: 0.0000123456 with exponent -10 stays exact.
        assert_eq!(normalize_price(123_456, -10), Ok(123_456));
        // Finer than our decimals: rounds down; confidence rounds up.
        assert_eq!(normalize_price(123_456_789, -12), Ok(1_234_567));
        assert_eq!(normalize_conf(123_456_789, -12), Ok(1_234_568));
        assert_eq!(normalize_conf(0, -12), Ok(0));
        // Positive exponents scale up.
        assert_eq!(normalize_price(7, 2), Ok(700 * PRICE_ONE));
    }

    #[test]
    fn rejects_bad_prices() {
        assert_eq!(normalize_price(0, -8), Err(MathError::NonPositivePrice));
        assert_eq!(normalize_price(-5, -8), Err(MathError::NonPositivePrice));
        assert_eq!(normalize_price(i64::MIN, -8), Err(MathError::NonPositivePrice));
        // Below one unit of our precision.
        assert_eq!(normalize_price(9, -11), Err(MathError::NonPositivePrice));
        assert_eq!(normalize_price(i64::MAX, -60), Err(MathError::NonPositivePrice));
        // Too large for u64 after scaling.
        assert_eq!(normalize_price(i64::MAX, 0), Err(MathError::Overflow));
        assert_eq!(normalize_price(1, 40), Err(MathError::Overflow));
        assert_eq!(normalize_price(1, i32::MAX), Err(MathError::Overflow));
        assert_eq!(normalize_price(1, i32::MIN), Err(MathError::NonPositivePrice));
    }

    #[test]
    fn confidence_bound_is_inclusive() {
        assert!(confidence_ok(10_000, 100, 100)); // exactly 1%
        assert!(!confidence_ok(10_000, 101, 100));
        assert!(confidence_ok(u64::MAX, u64::MAX, BPS));
    }

    proptest! {
        #[test]
        fn normalization_never_panics(m: i64, e in -100i32..100) {
            let _ = normalize_price(m, e);
            let _ = normalize_conf(m.unsigned_abs(), e);
        }

        #[test]
        fn conf_rounding_brackets_price_rounding(v in 1u64..u64::MAX / 2, e in -30i32..0) {
            let m = i64::try_from(v).unwrap_or(i64::MAX);
            if let (Ok(p), Ok(c)) = (normalize_price(m, e), normalize_conf(m.unsigned_abs(), e)) {
                prop_assert!(c == p || c == p + 1);
            }
        }
    }
}
