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
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod price;
mod position;

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

/// `a * b / d` rounded down, in u128, narrowed to u64 with a check.
pub fn mul_div_floor(a: u64, b: u64, d: u64) -> MathResult<u64> {
    if d == 0 {
        return Err(MathError::DivisionByZero);
    }
    let q = (a as u128) * (b as u128) / (d as u128);
    u64::try_from(q).map_err(|_| MathError::Overflow)
}

/// `a * b / d` rounded up, in u128, narrowed to u64 with a check.
pub fn mul_div_ceil(a: u64, b: u64, d: u64) -> MathResult<u64> {
    if d == 0 {
        return Err(MathError::DivisionByZero);
    }
    let p = (a as u128) * (b as u128);
    let d = d as u128;
    let q = p / d + u128::from(p % d != 0);
    u64::try_from(q).map_err(|_| MathError::Overflow)
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
                    prop_assert_eq!(c == f, (a as u128 * b as u128) % d as u128 == 0);
                }
                (Err(MathError::Overflow), _) | (_, Err(MathError::Overflow)) => {}
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
