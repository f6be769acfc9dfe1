//! The LP pool: its value (NAV) from per-side aggregates, and LP share pricing.
//!
//! NAV = free liquidity (the pool vault) + reserves placed in position vaults
//!       - traders' aggregate unrealized PnL at mark + borrow fees accrued and not yet paid.
//! The aggregate PnL of one side comes from two sums kept on the market as positions open,
//! change and settle: open interest `oi = Σ size` and base quantity `qty = Σ size * QTY_SCALE / entry`,
//! so that `Σ pnl_long = mark * qty_long / QTY_SCALE - oi_long` (and the negation for shorts).
//! Each position's own `qty` is stored with it and subtracted exactly when it settles, so the
//! sums never drift. Long quantities round up and short quantities down: the traders' aggregate
//! PnL is never understated, so NAV is never overstated. Per-position profit caps are not applied
//! to the aggregate, which again can only understate NAV.
//!
//! Shares use a virtual offset (as ERC-4626 vaults do): `VIRTUAL_SHARES` and `VIRTUAL_ASSETS` are
//! counted as if deposited at the start, so the first depositor cannot inflate the share price to
//! round later deposits down to nothing; donations to the pool vault are not counted in NAV at all.

use crate::{div_ceil_u128, div_floor_u128, wide_mul, MathError, MathResult, Side, BORROW_INDEX_SCALE, PRICE_ONE};

/// Scale of base quantities: `qty = size * QTY_SCALE / entry_price`.
pub const QTY_SCALE: u128 = (PRICE_ONE as u128) * 1_000_000;
/// Shares counted as held by nobody (see module docs).
pub const VIRTUAL_SHARES: u64 = 1_000_000;
/// Assets counted as deposited by nobody (see module docs).
pub const VIRTUAL_ASSETS: u64 = 1_000_000;

/// A position's base quantity for the side aggregates (longs round up, shorts down).
pub fn base_qty(side: Side, size: u64, entry: u64) -> MathResult<u128> {
    let num = u128::from(size).checked_mul(QTY_SCALE).ok_or(MathError::Overflow)?;
    match side {
        Side::Long => div_ceil_u128(num, u128::from(entry)),
        Side::Short => div_floor_u128(num, u128::from(entry)),
    }
}

/// `qty * mark / QTY_SCALE` without overflowing the product. Longs round up, shorts down.
fn notional_at_mark(side: Side, qty: u128, mark: u64) -> MathResult<u128> {
    let mark = u128::from(mark);
    let whole = (qty / QTY_SCALE).checked_mul(mark).ok_or(MathError::Overflow)?;
    let frac = (qty % QTY_SCALE).checked_mul(mark).ok_or(MathError::Overflow)?; // < 1e16 * 2^64
    let frac = match side {
        Side::Long => div_ceil_u128(frac, QTY_SCALE)?,
        Side::Short => div_floor_u128(frac, QTY_SCALE)?,
    };
    whole.checked_add(frac).ok_or(MathError::Overflow)
}

/// Open interest, base quantity and Σ size·entry-index of one side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SideTotals {
    pub oi: u64,
    pub qty: u128,
    /// Σ size_i * borrow index at the position's last settlement.
    pub size_index: u128,
}

impl SideTotals {
    /// Adds (`add = true`) or removes a position of `size`, `qty`, settled at `index`.
    pub fn apply(&mut self, add: bool, size: u64, qty: u128, index: u64) -> MathResult<()> {
        let si = wide_mul(size, index);
        if add {
            self.oi = self.oi.checked_add(size).ok_or(MathError::Overflow)?;
            self.qty = self.qty.checked_add(qty).ok_or(MathError::Overflow)?;
            self.size_index = self.size_index.checked_add(si).ok_or(MathError::Overflow)?;
        } else {
            self.oi = self.oi.checked_sub(size).ok_or(MathError::Overflow)?;
            self.qty = self.qty.checked_sub(qty).ok_or(MathError::Overflow)?;
            self.size_index = self.size_index.checked_sub(si).ok_or(MathError::Overflow)?;
        }
        Ok(())
    }

    /// Aggregate unrealized PnL of this side at `mark` (traders' view; positive is the pool's loss).
    pub fn pnl(&self, side: Side, mark: u64) -> MathResult<i128> {
        let at_mark = i128::try_from(notional_at_mark(side, self.qty, mark)?).map_err(|_| MathError::Overflow)?;
        let oi = i128::from(self.oi);
        match side {
            Side::Long => at_mark.checked_sub(oi),
            Side::Short => oi.checked_sub(at_mark),
        }
        .ok_or(MathError::Overflow)
    }

    /// Borrow fees accrued by this side and not yet paid, at `index` (rounded down: the pool
    /// does not count what it has not earned).
    pub fn fees_owed(&self, index: u64) -> MathResult<u128> {
        let total = wide_mul(self.oi, index).checked_sub(self.size_index).ok_or(MathError::Overflow)?;
        div_floor_u128(total, u128::from(BORROW_INDEX_SCALE))
    }
}

/// Pool value; 0 when the traders' aggregate profit exceeds everything the pool has.
pub fn pool_nav(
    free: u64,
    reserved: u64,
    long: &SideTotals,
    short: &SideTotals,
    mark: u64,
    index: u64,
) -> MathResult<u64> {
    let assets = i128::from(free).checked_add(i128::from(reserved)).ok_or(MathError::Overflow)?;
    let pnl = long.pnl(Side::Long, mark)?.checked_add(short.pnl(Side::Short, mark)?).ok_or(MathError::Overflow)?;
    let fees = long.fees_owed(index)?.checked_add(short.fees_owed(index)?).ok_or(MathError::Overflow)?;
    let fees = i128::try_from(fees).map_err(|_| MathError::Overflow)?;
    let nav = assets.checked_sub(pnl).and_then(|v| v.checked_add(fees)).ok_or(MathError::Overflow)?;
    if nav <= 0 {
        return Ok(0);
    }
    u64::try_from(nav).map_err(|_| MathError::Overflow)
}

/// Shares minted for depositing `amount` into a pool worth `nav` with `supply` shares (rounded down).
pub fn shares_for_deposit(amount: u64, nav: u64, supply: u64) -> MathResult<u64> {
    let s = u128::from(supply).checked_add(u128::from(VIRTUAL_SHARES)).ok_or(MathError::Overflow)?;
    let a = u128::from(nav).checked_add(u128::from(VIRTUAL_ASSETS)).ok_or(MathError::Overflow)?;
    let num = u128::from(amount).checked_mul(s).ok_or(MathError::Overflow)?;
    u64::try_from(div_floor_u128(num, a)?).map_err(|_| MathError::Overflow)
}

/// Tokens paid for burning `shares` of a pool worth `nav` with `supply` shares (rounded down).
pub fn amount_for_withdraw(shares: u64, nav: u64, supply: u64) -> MathResult<u64> {
    let s = u128::from(supply).checked_add(u128::from(VIRTUAL_SHARES)).ok_or(MathError::Overflow)?;
    let a = u128::from(nav).checked_add(u128::from(VIRTUAL_ASSETS)).ok_or(MathError::Overflow)?;
    let num = u128::from(shares).checked_mul(a).ok_or(MathError::Overflow)?;
    u64::try_from(div_floor_u128(num, s)?).map_err(|_| MathError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unrealized_pnl;
    use proptest::prelude::*;

    #[test]
    fn first_depositor_cannot_inflate_the_share_price() {
        // Attacker deposits 1 unit, then (donations are not counted) the pool earns nothing.
        let s1 = shares_for_deposit(1, 0, 0).unwrap();
        assert_eq!(s1, 1);
        // The victim deposits 1,000 USDC into a pool worth 1 unit: gets ~all of its value in shares.
        let s2 = shares_for_deposit(1_000_000_000, 1, s1).unwrap();
        let back = amount_for_withdraw(s2, 1_000_000_001, s1 + s2).unwrap();
        assert!(back >= 999_999_999, "{back}");
    }

    #[test]
    fn share_price_follows_nav() {
        let shares = shares_for_deposit(1_000_000_000, 0, 0).unwrap();
        assert_eq!(shares, 1_000_000_000);
        // The pool gains 10%: the same shares withdraw ~10% more.
        let out = amount_for_withdraw(shares, 1_100_000_000, shares).unwrap();
        assert!((1_099_900_000..=1_100_000_000).contains(&out), "{out}");
    }

    #[test]
    fn aggregates_match_positions() {
        let p = |u: u64| u * PRICE_ONE;
        let mut long = SideTotals::default();
        let mut short = SideTotals::default();
        let positions = [
            (Side::Long, 1_000_000_000u64, p(100)),
            (Side::Long, 300_000_000, p(90)),
            (Side::Short, 500_000_000, p(110)),
        ];
        for (side, size, entry) in positions {
            let q = base_qty(side, size, entry).unwrap();
            match side {
                Side::Long => long.apply(true, size, q, 0).unwrap(),
                Side::Short => short.apply(true, size, q, 0).unwrap(),
            }
        }
        let mark = p(105);
        let exact: i128 = positions.iter().map(|(s, size, e)| unrealized_pnl(*s, *size, *e, mark).unwrap()).sum();
        let agg = long.pnl(Side::Long, mark).unwrap() + short.pnl(Side::Short, mark).unwrap();
        assert!((agg - exact).abs() <= 3, "{agg} vs {exact}");
        assert!(agg >= exact, "aggregate must not understate traders' PnL");
    }

    proptest! {
        #[test]
        fn withdraw_never_returns_more_than_deposited(amount in 1u64..1 << 50, nav in 0u64..1 << 50, supply in 0u64..1 << 50) {
            let shares = shares_for_deposit(amount, nav, supply).unwrap();
            let back = amount_for_withdraw(shares, nav + amount, supply + shares).unwrap();
            prop_assert!(back <= amount);
        }

        #[test]
        fn aggregate_never_understates_pnl(
            sizes in prop::collection::vec((any::<bool>(), 1u64..1 << 40, 1u64..1 << 45), 1..20),
            mark in 1u64..1 << 45,
        ) {
            let (mut long, mut short) = (SideTotals::default(), SideTotals::default());
            let mut exact = 0i128;
            for (is_long, size, entry) in &sizes {
                let side = if *is_long { Side::Long } else { Side::Short };
                let q = base_qty(side, *size, *entry).unwrap();
                if *is_long { long.apply(true, *size, q, 0).unwrap() } else { short.apply(true, *size, q, 0).unwrap() }
                exact += unrealized_pnl(side, *size, *entry, mark).unwrap();
            }
            let agg = long.pnl(Side::Long, mark).unwrap() + short.pnl(Side::Short, mark).unwrap();
            prop_assert!(agg >= exact);
        }

        #[test]
        fn add_then_remove_is_identity(size in 1u64..1 << 50, entry in 1u64..1 << 50, index in 0u64..1 << 40) {
            let mut t = SideTotals::default();
            let q = base_qty(Side::Long, size, entry).unwrap();
            t.apply(true, size, q, index).unwrap();
            t.apply(false, size, q, index).unwrap();
            prop_assert_eq!(t, SideTotals::default());
        }
    }
}
