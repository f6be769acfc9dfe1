//! Chain-independent fixed-point math for Ringfence.
//!
//! One implementation shared by the on-chain program, the keeper and the clients, so that a
//! keeper's "liquidatable" is exactly the program's "liquidatable".
//!
//! Units
//! - Amounts (collateral, notional `size`, fees, rewards) are `u64` in the collateral mint's
//!   smallest unit. The collateral is quoted 1:1 with the oracle's quote currency.
//! - Prices are `u64` fixed point with [`PRICE_DECIMALS`] decimals (quote per base unit).
//! - Ratios are basis points ([`BPS`] = 100%).
//!
//! Every product of two `u64` fits a `u128`, so intermediate products never overflow; every
//! narrowing back to `u64` is checked. Rounding always goes against the trader: profits and
//! payouts round down, losses and requirements round up.
// Money code: no panics, no unchecked arithmetic, no truncating casts (tests may unwrap).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        clippy::cast_sign_loss
    )
)]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod automation;
mod fees;
mod liquidation;
mod pool;
mod position;
mod price;

pub use automation::*;
pub use fees::*;
pub use liquidation::*;
pub use pool::*;
pub use position::*;
pub use price::*;

/// 100% in basis points.
pub const BPS: u64 = 10_000;

/// Errors of the math layer. The program maps each to a named program error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathError {
    /// A result does not fit its type.
    Overflow,
    /// A divisor was zero (a zero price or zero size reached the math).
    DivisionByZero,
    /// An oracle price is zero or negative, or normalizes to zero.
    NonPositivePrice,
}

pub type MathResult<T> = Result<T, MathError>;

/// Long profits when the price rises, short when it falls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Long,
    Short,
}

impl Side {
    pub fn opposite(self) -> Side {
        match self {
            Side::Long => Side::Short,
            Side::Short => Side::Long,
        }
    }
}

/// `a * b` widened to u128. Cannot overflow: (2^64 - 1)^2 < 2^128.
#[inline]
#[allow(clippy::arithmetic_side_effects)]
pub fn wide_mul(a: u64, b: u64) -> u128 {
    u128::from(a) * u128::from(b)
}

/// `n / d` and whether it had a remainder; `DivisionByZero` for `d == 0`.
fn div_rem(n: u128, d: u128) -> MathResult<(u128, bool)> {
    let q = n.checked_div(d).ok_or(MathError::DivisionByZero)?;
    let r = n.checked_rem(d).ok_or(MathError::DivisionByZero)?;
    Ok((q, r != 0))
}

/// `n / d` rounded up.
pub(crate) fn div_ceil_u128(n: u128, d: u128) -> MathResult<u128> {
    let (q, rem) = div_rem(n, d)?;
    q.checked_add(u128::from(rem)).ok_or(MathError::Overflow)
}

/// `n / d` rounded down.
pub(crate) fn div_floor_u128(n: u128, d: u128) -> MathResult<u128> {
    Ok(div_rem(n, d)?.0)
}

fn to_u64(v: u128) -> MathResult<u64> {
    u64::try_from(v).map_err(|_| MathError::Overflow)
}

/// `a * b / d` rounded down, in u128, narrowed to u64 with a check.
pub fn mul_div_floor(a: u64, b: u64, d: u64) -> MathResult<u64> {
    to_u64(div_floor_u128(wide_mul(a, b), u128::from(d))?)
}

/// `a * b / d` rounded up, in u128, narrowed to u64 with a check.
pub fn mul_div_ceil(a: u64, b: u64, d: u64) -> MathResult<u64> {
    to_u64(div_ceil_u128(wide_mul(a, b), u128::from(d))?)
}

/// `amount * bps / BPS`, rounded down.
pub fn bps_floor(amount: u64, bps: u64) -> MathResult<u64> {
    mul_div_floor(amount, bps, BPS)
}

/// `amount * bps / BPS`, rounded up.
pub fn bps_ceil(amount: u64, bps: u64) -> MathResult<u64> {
    mul_div_ceil(amount, bps, BPS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mul_div_rounding() {
        assert_eq!(mul_div_floor(10, 3, 4), Ok(7));
        assert_eq!(mul_div_ceil(10, 3, 4), Ok(8));
        assert_eq!(mul_div_ceil(8, 3, 4), Ok(6));
        assert_eq!(mul_div_floor(1, 1, 0), Err(MathError::DivisionByZero));
        assert_eq!(mul_div_floor(u64::MAX, u64::MAX, 1), Err(MathError::Overflow));
        assert_eq!(mul_div_floor(u64::MAX, u64::MAX, u64::MAX), Ok(u64::MAX));
        assert_eq!(bps_ceil(1, 1), Ok(1));
        assert_eq!(bps_floor(9_999, 1), Ok(0));
    }

    proptest! {
        #[test]
        fn ceil_is_floor_or_floor_plus_one(a: u64, b: u64, d in 1u64..) {
            match (mul_div_floor(a, b, d), mul_div_ceil(a, b, d)) {
                (Ok(f), Ok(c)) => {
                    prop_assert!(c == f || c == f + 1);
                    prop_assert_eq!(c == f, (a as u128 * b as u128).is_multiple_of(d as u128));
                }
                (Err(MathError::Overflow), _) | (_, Err(MathError::Overflow)) => {}
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
