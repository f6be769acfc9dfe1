//! The LP pool: per-side aggregates, their NAV estimate, and LP share pricing.
//!
//! LP shares are *not* priced at [`pool_nav`]: it ignores each position's profit cap and bad debt
//! (per-position strips no per-side sum can express). The program prices them at the exact value
//! from a pool sweep (`ringfence::sweep`, per position [`crate::pool_claim`]). `pool_nav` remains
//! as the aggregate estimate an indexer can compute from a `PoolSnapshot`, exact while no position
//! is past its cap or liquidatable.
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
//! Shares are priced exactly pro rata over every share, including [`DEAD_SHARES`] that the first
//! deposit creates for nobody (as Uniswap v2 does), so deposits and withdrawals use one price and
//! the first depositor cannot inflate it to round later deposits down to nothing; donations to the
//! pool vault are not counted in the pool's value at all.

use crate::{div_ceil_u128, div_floor_u128, wide_mul, MathError, MathResult, Side, BORROW_INDEX_SCALE, PRICE_ONE};

/// Scale of base quantities: `qty = size * QTY_SCALE / entry_price`.
pub const QTY_SCALE: u128 = (PRICE_ONE as u128) * 1_000_000;
/// Shares the first deposit creates for nobody (see [`quote_deposit`]).
pub const DEAD_SHARES: u64 = 1_000;

/// A position's base quantity for the side aggregates (longs round up, shorts down).
pub fn base_qty(side: Side, size: u64, entry: u64) -> MathResult<u128> {
    let num = u128::from(size).checked_mul(QTY_SCALE).ok_or(MathError::Overflow)?;
    match side {
        Side::Long => div_ceil_u128(num, u128::from(entry)),
        Side::Short => div_floor_u128(num, u128::from(entry)),
    }
}

/// A position of `size` notional and base quantity `qty` grows by `size_delta` bought at
/// `entry_delta`: returns its new entry price and base quantity. The base quantities add
/// (`qty + base_qty(size_delta, entry_delta)`, exactly what the side aggregate gains, as for a new
/// position), and the entry is the one at which the whole notional buys that quantity:
/// `entry = (size + size_delta) * QTY_SCALE / (qty + qty_delta)`, rounded against the trader (up
/// for a long, down for a short). So the position's PnL at every price is the sum of the two
/// parts' PnL (`size/entry` is additive, not `entry` itself), less at most the rounding.
pub fn increase_entry(side: Side, size: u64, qty: u128, size_delta: u64, entry_delta: u64) -> MathResult<(u64, u128)> {
    let qty_delta = base_qty(side, size_delta, entry_delta)?;
    let total_qty = qty.checked_add(qty_delta).ok_or(MathError::Overflow)?;
    let total = size.checked_add(size_delta).ok_or(MathError::Overflow)?;
    let num = u128::from(total).checked_mul(QTY_SCALE).ok_or(MathError::Overflow)?;
    let entry = match side {
        Side::Long => div_ceil_u128(num, total_qty)?,
        Side::Short => div_floor_u128(num, total_qty)?,
    };
    let entry = u64::try_from(entry).map_err(|_| MathError::Overflow)?;
    if entry == 0 {
        return Err(MathError::NonPositivePrice);
    }
    Ok((entry, total_qty))
}

/// The reserve the pool adds when a position (`size` at `entry`, holding `reserve`) grows by
/// `size_delta` bought at `entry_delta`, at most `full` (the new part's own reserve,
/// `reserve_for(size_delta)`): the new part's PnL at the old part's **cap price** (the price at
/// which the old part's PnL reaches its reserve), clamped to `0..=full`.
///
/// Why: the merged position pays `min(pnl_old + pnl_new, reserve + added)`. With the full top-up,
/// past the old part's cap price the old part's forfeited profit would draw on the new part's
/// reserve — beyond what the two parts held apart would pay (a price just under the cap and a stale
/// price window would even make it riskless). With this top-up the merged payout equals the
/// parts' up to the old part's cap price and stays at their value there beyond it, so it never
/// exceeds them while the added part is below its own cap (at least a `max_profit_bps` move away).
/// A part already past its cap gets no reserve at all. The cap price rounds toward the current
/// price (`floor(reserve * entry / size)` from the entry), against the trader.
pub fn increase_reserve(
    side: Side,
    size: u64,
    entry: u64,
    reserve: u64,
    size_delta: u64,
    entry_delta: u64,
    full: u64,
) -> MathResult<u64> {
    let step = crate::mul_div_floor(reserve, entry, size)?;
    let cap_price = match side {
        Side::Long => entry.checked_add(step).ok_or(MathError::Overflow)?,
        Side::Short => entry.saturating_sub(step).max(1),
    };
    let pnl = crate::unrealized_pnl(side, size_delta, entry_delta, cap_price)?;
    Ok(if pnl <= 0 { 0 } else { u64::try_from(pnl).map_or(full, |p| p.min(full)) })
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

/// What a deposit gives: the LP fee kept by the pool, the shares minted to the depositor, and
/// the shares created for nobody (first deposit only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepositQuote {
    pub fee: u64,
    pub shares: u64,
    pub dead_shares: u64,
}

/// Prices a deposit of `amount` into a pool worth `value` with `supply` shares held by LPs and
/// `dead` shares held by nobody. Shares are priced exactly pro rata (`value / (supply + dead)`,
/// rounded down for the depositor) after an LP fee of `lp_fee_bps` (rounded up) that stays in the
/// pool. The first deposit (no shares at all) mints one share per unit net of the fee, of which
/// [`DEAD_SHARES`] belong to nobody forever, so the share price can never be inflated cheaply.
/// `None`: the deposit cannot mint a share (too small, or a pool worth nothing with shares out).
pub fn quote_deposit(
    amount: u64,
    value: u64,
    supply: u64,
    dead: u64,
    lp_fee_bps: u64,
) -> MathResult<Option<DepositQuote>> {
    let fee = crate::bps_ceil(amount, lp_fee_bps)?;
    let net = amount.checked_sub(fee).ok_or(MathError::Overflow)?;
    let total = supply.checked_add(dead).ok_or(MathError::Overflow)?;
    if total == 0 {
        return Ok(net.checked_sub(DEAD_SHARES).filter(|s| *s > 0).map(|shares| DepositQuote {
            fee,
            shares,
            dead_shares: DEAD_SHARES,
        }));
    }
    if value == 0 {
        return Ok(None);
    }
    let shares = div_floor_u128(wide_mul(net, total), u128::from(value))?;
    let shares = u64::try_from(shares).map_err(|_| MathError::Overflow)?;
    Ok((shares > 0).then_some(DepositQuote { fee, shares, dead_shares: 0 }))
}

/// What burning `shares` pays: `(gross, fee)`, gross = `shares * value / (supply + dead)` rounded
/// down, the LP fee (rounded up, kept by the pool) taken from it; the LP receives `gross - fee`.
pub fn quote_withdraw(shares: u64, value: u64, supply: u64, dead: u64, lp_fee_bps: u64) -> MathResult<(u64, u64)> {
    let total = supply.checked_add(dead).ok_or(MathError::Overflow)?;
    if shares > supply {
        return Err(MathError::Overflow);
    }
    let gross =
        u64::try_from(div_floor_u128(wide_mul(shares, value), u128::from(total))?).map_err(|_| MathError::Overflow)?;
    let fee = crate::bps_ceil(gross, lp_fee_bps)?;
    Ok((gross, fee))
}

/// Scale of [`SharePrices`]: tokens per share with 9 decimal places.
pub const SHARE_PRICE_SCALE: u128 = 1_000_000_000;

/// What one share is worth in a pool worth `value` (tokens per share × [`SHARE_PRICE_SCALE`]),
/// as an LP page shows it: the pro-rata value, what a deposit costs per share minted (the LP fee
/// added; rounded up), and what a withdrawal pays per share burnt (the LP fee taken; rounded
/// down). With no shares at all, one share is one token (the first deposit's rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharePrices {
    pub value: u128,
    pub deposit_cost: u128,
    pub withdrawal_value: u128,
}

/// The per-share prices of [`quote_deposit`] and [`quote_withdraw`] (before their per-request
/// rounding) for a pool worth `value` with `supply` + `dead` shares.
pub fn share_prices(value: u64, supply: u64, dead: u64, lp_fee_bps: u64) -> MathResult<SharePrices> {
    let bps = u128::from(crate::BPS);
    let fee = u128::from(lp_fee_bps).min(bps);
    let shares = u128::from(supply).checked_add(u128::from(dead)).ok_or(MathError::Overflow)?;
    let (num, den) = if shares == 0 { (1u128, 1u128) } else { (u128::from(value), shares) };
    let scaled = num.checked_mul(SHARE_PRICE_SCALE).ok_or(MathError::Overflow)?;
    let keep = bps.checked_sub(fee).ok_or(MathError::Overflow)?;
    let deposit_cost = if keep == 0 {
        u128::MAX
    } else {
        div_ceil_u128(
            scaled.checked_mul(bps).ok_or(MathError::Overflow)?,
            den.checked_mul(keep).ok_or(MathError::Overflow)?,
        )?
    };
    Ok(SharePrices {
        value: div_floor_u128(scaled, den)?,
        deposit_cost,
        withdrawal_value: div_floor_u128(
            scaled.checked_mul(keep).ok_or(MathError::Overflow)?,
            den.checked_mul(bps).ok_or(MathError::Overflow)?,
        )?,
    })
}

#[cfg(test)]
mod increase_tests {
    use super::*;
    use crate::{capped_pnl, reserve_for, unrealized_pnl, PRICE_ONE};
    use proptest::prelude::*;

    proptest! {
        /// After an increase, the merged position never pays more than the two parts held apart
        /// (each capped at its own reserve) at any price up to where the added part reaches its
        /// own cap; and at the price of the increase it pays the same (up to rounding).
        #[test]
        fn the_merged_position_never_pays_more_than_its_parts(
            long in any::<bool>(),
            size in 10_000_000u64..10_000_000_000_000, size_delta in 10_000_000u64..10_000_000_000_000,
            entry_units in 10u64..1_000, move_bps in 0u64..4_900, steps in prop::collection::vec(0u64..20_000, 8),
        ) {
            let side = if long { Side::Long } else { Side::Short };
            let entry = entry_units * PRICE_ONE;
            let r1 = reserve_for(side, size, 5_000).unwrap();
            // The increase happens after a move toward the old part's cap (not past it).
            let now = match side { Side::Long => entry + entry / 10_000 * move_bps, Side::Short => entry - entry / 10_000 * move_bps };
            let full = reserve_for(side, size_delta, 5_000).unwrap();
            let added = increase_reserve(side, size, entry, r1, size_delta, now, full).unwrap();
            prop_assert!(added <= full);
            let qty = base_qty(side, size, entry).unwrap();
            let (merged_entry, _) = increase_entry(side, size, qty, size_delta, now).unwrap();
            let total = size + size_delta;
            let new_cap = match side { Side::Long => now + now / 2, Side::Short => now / 2 };
            for s in steps {
                // Prices from the increase toward (and past) the added part's cap.
                let p = match side {
                    Side::Long => now + (new_cap - now) / 20_000 * s,
                    Side::Short => now - (now - new_cap) / 20_000 * s,
                };
                let merged = capped_pnl(unrealized_pnl(side, total, merged_entry, p).unwrap(), r1 + added);
                let parts = capped_pnl(unrealized_pnl(side, size, entry, p).unwrap(), r1)
                    + capped_pnl(unrealized_pnl(side, size_delta, now, p).unwrap(), full);
                prop_assert!(merged <= parts + 1, "at {p}: merged {merged} > parts {parts}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unrealized_pnl;
    use proptest::prelude::*;

    proptest! {
        /// Increasing a position: its PnL at any price is the two parts' PnL summed (never more
        /// than their exact sum: at most the parts' own two roundings above their rounded sum), and
        /// less only by the entry's rounding (at most size * mark / entry^2 + 2 units).
        #[test]
        fn increase_entry_adds_the_parts(
            long: bool, s1 in 1_000u64..10_000_000_000_000, s2 in 1_000u64..10_000_000_000_000,
            e1 in 1_000_000_000u64..10_000_000_000_000, e2 in 1_000_000_000u64..10_000_000_000_000,
            m in 1_000_000_000u64..10_000_000_000_000,
        ) {
            let side = if long { Side::Long } else { Side::Short };
            let q1 = base_qty(side, s1, e1).unwrap();
            let (e, q) = increase_entry(side, s1, q1, s2, e2).unwrap();
            prop_assert_eq!(q, q1 + base_qty(side, s2, e2).unwrap());
            let parts = crate::unrealized_pnl(side, s1, e1, m).unwrap() + crate::unrealized_pnl(side, s2, e2, m).unwrap();
            let whole = crate::unrealized_pnl(side, s1 + s2, e, m).unwrap();
            let slack = (u128::from(s1 + s2) * u128::from(m)).div_ceil(u128::from(e) * u128::from(e)) as i128 + 2;
            prop_assert!(whole <= parts + 2, "whole {} > parts {}", whole, parts);
            prop_assert!(parts - whole <= slack, "whole {} parts {} slack {}", whole, parts, slack);
        }
    }

    #[test]
    fn first_deposit_creates_dead_shares() {
        let q = quote_deposit(1_000_000, 0, 0, 0, 0).unwrap().unwrap();
        assert_eq!(q, DepositQuote { fee: 0, shares: 1_000_000 - DEAD_SHARES, dead_shares: DEAD_SHARES });
        assert_eq!(quote_deposit(DEAD_SHARES, 0, 0, 0, 0), Ok(None));
        // A 0.2% LP fee on a later deposit stays in the pool; shares are pro rata on the rest.
        let q = quote_deposit(1_000_000, 2_000_000, 1_000_000, 0, 20).unwrap().unwrap();
        assert_eq!((q.fee, q.shares), (2_000, 499_000));
        // A pool worth nothing with shares outstanding takes no deposit.
        assert_eq!(quote_deposit(1_000_000, 0, 5, 0, 0), Ok(None));
    }

    #[test]
    fn first_depositor_cannot_inflate_the_share_price() {
        // The attacker deposits the minimum and then the pool gains 1,000 USDC (its own trading
        // loss: donations are not counted). The victim's rounding loss is under one share's value.
        let first = quote_deposit(DEAD_SHARES + 1, 0, 0, 0, 0).unwrap().unwrap();
        let value = DEAD_SHARES + 1 + 1_000_000_000;
        let victim = quote_deposit(1_000_000_000, value, first.shares, DEAD_SHARES, 0).unwrap().unwrap();
        let total = first.shares + DEAD_SHARES + victim.shares;
        let (back, _) =
            quote_withdraw(victim.shares, value + 1_000_000_000, first.shares + victim.shares, DEAD_SHARES, 0).unwrap();
        assert!(back + value / (DEAD_SHARES + 1) + 1 >= 1_000_000_000, "{back} {total}");
        // ... and the attacker, owning 1 of 1,001 shares, got back ~1/1,001 of what it put in.
    }

    #[test]
    fn below_par_the_last_lp_takes_everything_but_the_dead_shares() {
        // Share price 0.5: the last LP burns all its shares.
        let supply = 100_000_000_000;
        let value = (supply + DEAD_SHARES) / 2;
        let (gross, fee) = quote_withdraw(supply, value, supply, DEAD_SHARES, 0).unwrap();
        assert_eq!(fee, 0);
        assert!(gross <= value && value - gross <= DEAD_SHARES, "{gross} of {value}");
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
        /// A deposit never mints more, nor a withdrawal pays more, than the exact pro-rata share of
        /// the pool's value; a round trip never returns more than it put in.
        #[test]
        fn shares_are_never_more_than_pro_rata(
            amount in 1u64..1 << 50, value in 1u64..1 << 50, supply in 1u64..1 << 50, fee in 0u64..100,
        ) {
            let total = supply as u128 + DEAD_SHARES as u128;
            if let Some(q) = quote_deposit(amount, value, supply, DEAD_SHARES, fee).unwrap() {
                prop_assert!(q.shares as u128 * value as u128 <= (amount - q.fee) as u128 * total);
                let (gross, f) = quote_withdraw(q.shares, value + amount, supply + q.shares, DEAD_SHARES, fee).unwrap();
                prop_assert!(gross as u128 * (total + q.shares as u128) <= q.shares as u128 * (value + amount) as u128);
                prop_assert!(gross - f <= amount);
            }
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

#[cfg(test)]
mod share_price_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A withdrawal never pays more per share than a share is worth, a deposit never costs
        /// less, and burning shares pays at most the per-share withdrawal value (the quotes round
        /// the same way).
        #[test]
        fn share_prices_bracket_the_value(value in 0u64..u64::MAX / 4, supply in 1u64..u64::MAX / 4, fee in 0u64..500, shares in 1u64..1_000_000_000) {
            let p = share_prices(value, supply, DEAD_SHARES, fee).unwrap();
            prop_assert!(p.withdrawal_value <= p.value && p.value <= p.deposit_cost);
            let shares = shares.min(supply);
            let (gross, f) = quote_withdraw(shares, value, supply, DEAD_SHARES, fee).unwrap();
            let paid = u128::from(gross - f) * SHARE_PRICE_SCALE;
            prop_assert!(paid <= p.withdrawal_value * u128::from(shares) + SHARE_PRICE_SCALE);
        }
    }

    #[test]
    fn an_empty_pool_prices_a_share_at_one_token_before_the_fee() {
        let p = share_prices(0, 0, 0, 20).unwrap();
        assert_eq!(p.value, SHARE_PRICE_SCALE);
        assert_eq!(p.deposit_cost, (SHARE_PRICE_SCALE * 10_000).div_ceil(9_980));
        assert_eq!(p.withdrawal_value, SHARE_PRICE_SCALE * 9_980 / 10_000);
    }
}
