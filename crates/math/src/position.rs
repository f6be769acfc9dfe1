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

/// Health of a position at a mark price, as the program, the keeper and clients compute it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Health {
    /// Unrealized PnL at mark, capped at the position's reserve (its maximum profit).
    pub pnl: i128,
    /// Fees the position would pay to close now (borrow fee owed + close fee).
    pub fees: u64,
    /// Collateral + capped PnL - fees.
    pub equity: i128,
    pub maintenance_requirement: u64,
    pub liquidatable: bool,
}

/// PnL capped at `reserve`: a trader's profit can never exceed what the vault holds for it.
pub fn capped_pnl(pnl: i128, reserve: u64) -> i128 {
    pnl.min(i128::from(reserve))
}

/// Everything the liquidation test needs, in one call (what the program and keeper both run).
/// `fees` are the fees owed if closed now (borrow fee + close fee), counted as GMX and Jupiter do,
/// so a position is liquidated before its equity can go negative in ordinary moves.
#[allow(clippy::too_many_arguments)]
pub fn health(
    side: Side,
    size: u64,
    collateral: u64,
    reserve: u64,
    entry: u64,
    mark: u64,
    fees: u64,
    maintenance_margin_bps: u64,
) -> MathResult<Health> {
    let pnl = capped_pnl(unrealized_pnl(side, size, entry, mark)?, reserve);
    let equity = equity(collateral, pnl)?.checked_sub(i128::from(fees)).ok_or(MathError::Overflow)?;
    let maintenance_requirement = margin_requirement(size, maintenance_margin_bps)?;
    Ok(Health {
        pnl,
        fees,
        equity,
        maintenance_requirement,
        liquidatable: is_liquidatable(equity, maintenance_requirement),
    })
}

/// Where a price threshold of a position lies (see [`liquidation_price`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    /// No positive price reaches it (e.g. a long with more collateral than notional).
    Never,
    /// The first price, moving against the position, at which it is reached: a long reaches it at
    /// every mark `<= price` and at no mark above; a short at every mark `>= price` and none below.
    At(u64),
    /// Reached at every price: even the position's maximum equity (collateral + its whole reserve,
    /// net of fees) is below the target.
    Always,
}

/// The first price at which `collateral + capped pnl - fees < target`, exactly (not a rounded
/// approximation): with `k = target + fees - collateral` and PnL rounded toward -infinity, a long
/// reaches it iff `mark < entry * (size + k) / size`, i.e. at `ceil(entry * (size + k) / size) - 1`
/// and below; a short iff `mark > entry * (size - k) / size`, i.e. at `floor(...) + 1` and above.
/// The profit cap only matters when the maximum equity `collateral + reserve - fees` is already
/// below the target ([`Threshold::Always`]); otherwise the threshold lies below the cap.
fn equity_threshold(
    side: Side,
    size: u64,
    collateral: u64,
    reserve: u64,
    entry: u64,
    fees: u64,
    target: u64,
) -> MathResult<Threshold> {
    if size == 0 || entry == 0 {
        return Err(MathError::DivisionByZero);
    }
    let best = i128::from(collateral)
        .checked_add(i128::from(reserve))
        .and_then(|v| v.checked_sub(i128::from(fees)))
        .ok_or(MathError::Overflow)?;
    if best < i128::from(target) {
        return Ok(Threshold::Always);
    }
    // k = target + fees - collateral (may be negative: a cushion beyond the target).
    let k = i128::from(target)
        .checked_add(i128::from(fees))
        .and_then(|v| v.checked_sub(i128::from(collateral)))
        .ok_or(MathError::Overflow)?;
    let size_i = i128::from(size);
    let factor = match side {
        Side::Long => size_i.checked_add(k),
        Side::Short => size_i.checked_sub(k),
    }
    .ok_or(MathError::Overflow)?;
    if factor <= 0 {
        // Long: liquidatable only below a non-positive price. Short: at every positive price,
        // which `best >= target` rules out (a short's PnL at price 1 is almost its whole size), so
        // this is a short whose threshold is below one unit of price: reached at every price.
        return Ok(match side {
            Side::Long => Threshold::Never,
            Side::Short => Threshold::Always,
        });
    }
    let num = u128::try_from(factor)
        .map_err(|_| MathError::Overflow)?
        .checked_mul(u128::from(entry))
        .ok_or(MathError::Overflow)?;
    let den = u128::from(size);
    let p = match side {
        Side::Long => div_ceil_u128(num, den)?.checked_sub(1).ok_or(MathError::Overflow)?,
        Side::Short => div_floor_u128(num, den)?.checked_add(1).ok_or(MathError::Overflow)?,
    };
    match side {
        Side::Long if p == 0 => Ok(Threshold::Never),
        Side::Short if p > u128::from(u64::MAX) => Ok(Threshold::Never),
        _ => u64::try_from(p).map(|p| Threshold::At(p.max(1))).map_err(|_| MathError::Overflow),
    }
}

/// Where the position becomes liquidatable: the first mark price at which its equity net of
/// `fees` is below the maintenance requirement ([`health`] says `liquidatable` there and at every
/// price further against it, and at no price on the trader's side of it).
pub fn liquidation_price(
    side: Side,
    size: u64,
    collateral: u64,
    reserve: u64,
    entry: u64,
    fees: u64,
    maintenance_margin_bps: u64,
) -> MathResult<Threshold> {
    let maintenance = margin_requirement(size, maintenance_margin_bps)?;
    equity_threshold(side, size, collateral, reserve, entry, fees, maintenance)
}

/// Where the position goes bankrupt: the first mark price at which its equity net of `fees` is
/// negative (same convention as [`liquidation_price`]).
pub fn bankruptcy_price(
    side: Side,
    size: u64,
    collateral: u64,
    reserve: u64,
    entry: u64,
    fees: u64,
) -> MathResult<Threshold> {
    equity_threshold(side, size, collateral, reserve, entry, fees, 0)
}

/// The reserve (maximum profit) a new position of `size` locks: `max_profit_bps` of notional,
/// rounded down, and for a short never more than its notional (a short cannot gain more than
/// 100%: the price cannot fall below zero).
pub fn reserve_for(side: Side, size: u64, max_profit_bps: u64) -> MathResult<u64> {
    let bps = match side {
        Side::Long => max_profit_bps,
        Side::Short => max_profit_bps.min(crate::BPS),
    };
    bps_floor(size, bps)
}

/// What a position's vault would return to the pool if the position were settled now at `mark`
/// with no close fee: the vault (`collateral + reserve`) minus the trader's claim
/// (`collateral + PnL capped at the reserve - borrow_fee`) clamped to `[0, vault]`. A position
/// that is liquidatable at `mark` (the liquidation test counts `close_fee`, as `liquidate` does)
/// counts as liquidated: the keeper's `reward` (at most the vault) leaves first and the trader's
/// claim is reduced by it. Summed over positions and added to the free liquidity, this is the
/// exact pool value that prices LP shares.
#[allow(clippy::too_many_arguments)]
pub fn pool_claim(
    side: Side,
    size: u64,
    collateral: u64,
    reserve: u64,
    entry: u64,
    mark: u64,
    borrow_fee: u64,
    close_fee: u64,
    reward: u64,
    maintenance_margin_bps: u64,
) -> MathResult<u64> {
    let fees = borrow_fee.checked_add(close_fee).ok_or(MathError::Overflow)?;
    let h = health(side, size, collateral, reserve, entry, mark, fees, maintenance_margin_bps)?;
    let vault = collateral.checked_add(reserve).ok_or(MathError::Overflow)?;
    let keeper = if h.liquidatable { reward.min(vault) } else { 0 };
    let claim = equity(collateral, h.pnl)?
        .checked_sub(i128::from(borrow_fee))
        .and_then(|v| v.checked_sub(i128::from(keeper)))
        .ok_or(MathError::Overflow)?;
    let room = vault.checked_sub(keeper).ok_or(MathError::Overflow)?;
    let trader = if claim <= 0 { 0 } else { u64::try_from(claim).map_or(room, |c| c.min(room)) };
    room.checked_sub(trader).ok_or(MathError::Overflow)
}

/// Keeper reward for liquidating `size` of notional, rounded down.
pub fn liquidation_reward(size: u64, liquidation_fee_bps: u64) -> MathResult<u64> {
    bps_floor(size, liquidation_fee_bps)
}

/// How a settled position's vault is split. `keeper + trader + pool == vault` always.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settlement {
    /// Paid to the keeper first (liquidations only; capped by the vault).
    pub keeper: u64,
    /// The trader's equity after fees and reward (never more than the vault holds).
    pub trader: u64,
    /// Everything else returns to the pool: losses, fees, the unused reserve.
    pub pool: u64,
    /// What the trader's equity failed to cover of losses, fees and reward (the pool's shortfall).
    /// `u128` so that reporting it can never fail a settlement.
    pub bad_debt: u128,
}

/// Splits `vault` (all tokens the position's vault holds) when a position with `collateral` and
/// capped `pnl` settles, paying `fees` to the pool and `reward` to a keeper first.
pub fn settle(vault: u64, collateral: u64, pnl: i128, fees: u64, reward: u64) -> MathResult<Settlement> {
    let keeper = reward.min(vault);
    let owed = equity(collateral, pnl)?
        .checked_sub(i128::from(fees))
        .and_then(|v| v.checked_sub(i128::from(keeper)))
        .ok_or(MathError::Overflow)?;
    let available = vault.checked_sub(keeper).ok_or(MathError::Overflow)?;
    let trader = if owed <= 0 {
        0
    } else {
        // owed > 0; if it exceeds u64 it certainly exceeds `available`.
        u64::try_from(owed).map_or(available, |owed| owed.min(available))
    };
    let pool = available.checked_sub(trader).ok_or(MathError::Overflow)?;
    // Negative `owed` is the shortfall; non-negative means none (try_from fails on negatives).
    let bad_debt = owed.checked_neg().and_then(|s| u128::try_from(s).ok()).unwrap_or(0);
    Ok(Settlement { keeper, trader, pool, bad_debt })
}

/// The result of closing `delta` of a position's notional.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecreaseSplit {
    /// Collateral released pro rata (rounded down).
    pub collateral_released: u64,
    /// Reserve returned to the pool pro rata (rounded up).
    pub reserve_released: u64,
    /// Realized PnL of the closed part, capped at `reserve_released`.
    pub pnl: i128,
    /// Paid to the trader.
    pub to_trader: u64,
    /// Paid to the pool: released reserve - realized PnL + fees.
    pub to_pool: u64,
    /// Collateral left in the position (fees the closed part could not cover come out of it).
    pub new_collateral: u64,
    pub new_reserve: u64,
}

/// Closes `delta` of `size` notional: releases collateral and reserve pro rata, realizes
/// `pnl_delta` (the PnL of `delta` at mark, see [`unrealized_pnl`]) and pays `fees`. Fees the
/// released collateral and PnL cannot cover are taken from the remaining collateral; if even that
/// is not enough the decrease is refused (`None`): the position must be closed or liquidated.
pub fn split_decrease(
    size: u64,
    collateral: u64,
    reserve: u64,
    delta: u64,
    pnl_delta: i128,
    fees: u64,
) -> MathResult<Option<DecreaseSplit>> {
    if delta == 0 || delta >= size {
        return Err(MathError::Overflow);
    }
    let collateral_released = crate::mul_div_floor(collateral, delta, size)?;
    let reserve_released = crate::mul_div_ceil(reserve, delta, size)?;
    let pnl = capped_pnl(pnl_delta, reserve_released);
    let net = equity(collateral_released, pnl)?.checked_sub(i128::from(fees)).ok_or(MathError::Overflow)?;
    let remaining = collateral.checked_sub(collateral_released).ok_or(MathError::Overflow)?;
    let (to_trader, new_collateral) = if net >= 0 {
        (u64::try_from(net).map_err(|_| MathError::Overflow)?, remaining)
    } else {
        let shortfall = u64::try_from(net.unsigned_abs()).map_err(|_| MathError::Overflow)?;
        match remaining.checked_sub(shortfall) {
            Some(left) => (0, left),
            None => return Ok(None),
        }
    };
    // to_pool = reserve_released - pnl + fees >= fees, since pnl <= reserve_released.
    let to_pool = i128::from(reserve_released)
        .checked_sub(pnl)
        .and_then(|v| v.checked_add(i128::from(fees)))
        .and_then(|v| u64::try_from(v).ok())
        .ok_or(MathError::Overflow)?;
    let new_reserve = reserve.checked_sub(reserve_released).ok_or(MathError::Overflow)?;
    Ok(Some(DecreaseSplit {
        collateral_released,
        reserve_released,
        pnl,
        to_trader,
        to_pool,
        new_collateral,
        new_reserve,
    }))
}

/// Whether `amount` of collateral may be removed: what remains, plus the PnL at the conservative
/// price if it is a loss (profits are not counted), minus fees owed, must meet the initial margin.
pub fn can_remove_margin(
    size: u64,
    collateral: u64,
    amount: u64,
    pnl: i128,
    fees: u64,
    initial_margin_bps: u64,
) -> MathResult<bool> {
    let Some(remaining) = collateral.checked_sub(amount) else { return Ok(false) };
    let equity = equity(remaining, pnl.min(0))?.checked_sub(i128::from(fees)).ok_or(MathError::Overflow)?;
    Ok(equity >= i128::from(margin_requirement(size, initial_margin_bps)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BPS, PRICE_ONE};
    use proptest::prelude::*;

    const P100: u64 = 100 * PRICE_ONE;
    const NO_CAP: u64 = u64::MAX;

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
        assert_eq!(capped_pnl(500, 100), 100);
        assert_eq!(capped_pnl(-500, 100), -500);
    }

    #[test]
    fn health_and_prices_examples() {
        // 10x long: 100 collateral, 1,000 notional at 100, maintenance 5% (50).
        let h = health(Side::Long, 1_000, 100, NO_CAP, P100, 95 * PRICE_ONE, 0, 500).unwrap();
        assert_eq!((h.pnl, h.equity, h.maintenance_requirement, h.liquidatable), (-50, 50, 50, false));
        let h = health(Side::Long, 1_000, 100, NO_CAP, P100, 94 * PRICE_ONE, 0, 500).unwrap();
        assert!(h.liquidatable);
        // Fees count: with 1 owed, 95 is already liquidatable.
        assert!(health(Side::Long, 1_000, 100, NO_CAP, P100, 95 * PRICE_ONE, 1, 500).unwrap().liquidatable);
        // Profit is capped by the reserve.
        let h = health(Side::Long, 1_000, 100, 50, P100, 200 * PRICE_ONE, 0, 500).unwrap();
        assert_eq!((h.pnl, h.equity), (50, 150));
        use Threshold::*;
        let below = |p: u64| At(p * PRICE_ONE - 1);
        let above = |p: u64| At(p * PRICE_ONE + 1);
        // Liquidatable from just below 95 (equity 50 = maintenance at exactly 95 is not).
        assert_eq!(liquidation_price(Side::Long, 1_000, 100, NO_CAP, P100, 0, 500), Ok(below(95)));
        assert_eq!(liquidation_price(Side::Long, 1_000, 100, NO_CAP, P100, 10, 500), Ok(below(96)));
        assert_eq!(bankruptcy_price(Side::Long, 1_000, 100, NO_CAP, P100, 0), Ok(below(90)));
        assert_eq!(liquidation_price(Side::Short, 1_000, 100, NO_CAP, P100, 0, 500), Ok(above(105)));
        assert_eq!(bankruptcy_price(Side::Short, 1_000, 100, NO_CAP, P100, 20), Ok(above(108)));
        // A fully collateralized long cannot go bankrupt at a positive price.
        assert_eq!(bankruptcy_price(Side::Long, 1_000, 1_000, NO_CAP, P100, 0), Ok(Never));
        // Collateral + the whole reserve - fees below maintenance: liquidatable at any price.
        assert_eq!(liquidation_price(Side::Long, 1_000, 40, 50, P100, 50, 500), Ok(Always));
        assert_eq!(liquidation_price(Side::Short, 1_000, 40, 50, P100, 50, 500), Ok(Always));
        assert!(health(Side::Long, 1_000, 40, 50, P100, u64::MAX, 50, 500).unwrap().liquidatable);
        // ... and one unit more of cushion makes it a finite price again.
        assert_eq!(liquidation_price(Side::Long, 1_000, 50, 50, P100, 50, 500), Ok(below(105)));
        // Short reserves never lock more than the notional.
        assert_eq!(reserve_for(Side::Short, 1_000, 30_000), Ok(1_000));
        assert_eq!(reserve_for(Side::Long, 1_000, 30_000), Ok(3_000));
        assert_eq!(reserve_for(Side::Short, 1_000, 5_000), Ok(500));
    }

    #[test]
    fn settlement_examples() {
        // Liquidation with residual: equity 40, reward 10 -> keeper 10, trader 30, pool 60.
        assert_eq!(settle(100, 100, -60, 0, 10), Ok(Settlement { keeper: 10, trader: 30, pool: 60, bad_debt: 0 }));
        // Equity below the reward: the pool is short by reward - equity.
        assert_eq!(settle(100, 100, -96, 0, 10), Ok(Settlement { keeper: 10, trader: 0, pool: 90, bad_debt: 6 }));
        // Bankrupt: equity -25; the keeper is still paid, the pool takes the rest.
        assert_eq!(settle(100, 100, -125, 0, 10), Ok(Settlement { keeper: 10, trader: 0, pool: 90, bad_debt: 35 }));
        // Reward larger than the vault is capped.
        assert_eq!(settle(5, 5, -30, 0, 10), Ok(Settlement { keeper: 5, trader: 0, pool: 0, bad_debt: 30 }));
        // Close in profit with fees: vault = 100 collateral + 200 reserve; pnl +150, fees 7.
        assert_eq!(settle(300, 100, 150, 7, 0), Ok(Settlement { keeper: 0, trader: 243, pool: 57, bad_debt: 0 }));
    }

    #[test]
    fn pool_claim_examples() {
        // 10x long, 1,000 notional, 100 collateral, 500 reserve; mm 5%, reward 10.
        let claim = |mark: u64, borrow: u64| pool_claim(Side::Long, 1_000, 100, 500, P100, mark, borrow, 0, 10, 500);
        // Healthy: the pool gets reserve - pnl + borrow.
        assert_eq!(claim(110 * PRICE_ONE, 0), Ok(400));
        assert_eq!(claim(110 * PRICE_ONE, 7), Ok(407));
        // Past the cap (+60% > 500): the trader takes the whole reserve; the pool gets the fee only.
        assert_eq!(claim(160 * PRICE_ONE, 3), Ok(3));
        // Liquidatable but solvent (equity 40 >= reward 10): the keeper's reward comes out of the
        // trader's claim, the pool gets exactly what an ordinary close would give it.
        assert_eq!(claim(94 * PRICE_ONE, 0), Ok(560));
        // Equity 5 < reward 10: the pool pays the other 5 of the reward.
        assert_eq!(claim(905 * PRICE_ONE / 10, 0), Ok(590));
        // Bankrupt (equity -20): the pool gets what is left after the reward, not the uncovered loss.
        assert_eq!(claim(78 * PRICE_ONE, 0), Ok(590));
    }

    #[test]
    fn decrease_examples() {
        // Close half of 1,000 notional (100 collateral, 200 reserve) at +40 on that half, fees 3.
        let d = split_decrease(1_000, 100, 200, 500, 40, 3).unwrap().unwrap();
        assert_eq!((d.collateral_released, d.reserve_released, d.pnl), (50, 100, 40));
        assert_eq!((d.to_trader, d.to_pool, d.new_collateral, d.new_reserve), (87, 63, 50, 100));
        // A loss bigger than the released collateral takes the rest from what remains.
        let d = split_decrease(1_000, 100, 200, 500, -60, 0).unwrap().unwrap();
        assert_eq!((d.to_trader, d.to_pool, d.new_collateral), (0, 160, 40));
        // ... unless nothing remains to cover it.
        assert_eq!(split_decrease(1_000, 100, 200, 500, -160, 0), Ok(None));
        assert!(split_decrease(1_000, 100, 200, 1_000, 0, 0).is_err());
    }

    #[test]
    fn remove_margin_examples() {
        // 1,000 notional, 10% initial: 100 must remain (after losses and fees).
        assert_eq!(can_remove_margin(1_000, 150, 50, 0, 0, 1_000), Ok(true));
        assert_eq!(can_remove_margin(1_000, 150, 51, 0, 0, 1_000), Ok(false));
        assert_eq!(can_remove_margin(1_000, 150, 40, -10, 1, 1_000), Ok(false));
        // Profits are not counted.
        assert_eq!(can_remove_margin(1_000, 150, 60, 500, 0, 1_000), Ok(false));
        assert_eq!(can_remove_margin(1_000, 150, 151, 0, 0, 1_000), Ok(false));
    }

    fn notional_fee_for_test(size: u64, bps: u64) -> u64 {
        crate::notional_fee(size, bps).unwrap()
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
                prop_assert!(l <= 0 || mark > entry);
                prop_assert!(s <= 0 || mark < entry);
                // Floor rounding: long + short is 0 when exact, -1 otherwise (the pool never pays twice).
                let exact = (size as u128 * mark.abs_diff(entry) as u128).is_multiple_of(entry as u128);
                prop_assert_eq!(l + s, if exact { 0 } else { -1 });
            }
        }

        #[test]
        fn pnl_never_favours_trader(size in 0u64..1u64 << 40, entry in 1u64..1u64 << 50, mark in 1u64..1u64 << 50) {
            // Exact rational PnL vs the rounded one: rounded <= exact < rounded + 1.
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
            fees in 0u64..1u64 << 40,
            entry in 1u64..1u64 << 50,
            p1 in 1u64..1u64 << 50,
            p2 in 1u64..1u64 << 50,
            mm in 1u64..BPS,
        ) {
            let (lo, hi) = (p1.min(p2), p1.max(p2));
            let at_lo = health(side, size, collateral, NO_CAP, entry, lo, fees, mm).unwrap().liquidatable;
            let at_hi = health(side, size, collateral, NO_CAP, entry, hi, fees, mm).unwrap().liquidatable;
            match side {
                // A long liquidatable at a higher price is liquidatable at any lower one.
                Side::Long => prop_assert!(!at_hi || at_lo),
                Side::Short => prop_assert!(!at_lo || at_hi),
            }
        }

        /// The reported price is exactly the first liquidatable one: liquidatable there, not one
        /// unit on the trader's side of it; `Always` and `Never` hold at every price tried.
        #[test]
        fn liquidation_price_is_the_threshold(
            side in side(),
            size in 1u64..1u64 << 40,
            lev in 1u64..100,
            reserve_bps in 0u64..20_000,
            fees in 0u64..1_000_000,
            entry in PRICE_ONE / 100..PRICE_ONE * 100_000,
            mm in 1u64..2_000,
            probes in prop::collection::vec(1u64..PRICE_ONE * 1_000_000, 4),
        ) {
            let collateral = size / lev;
            let reserve = reserve_for(side, size, reserve_bps).unwrap();
            let h = |price| health(side, size, collateral, reserve, entry, price, fees, mm).unwrap().liquidatable;
            match liquidation_price(side, size, collateral, reserve, entry, fees, mm).unwrap() {
                Threshold::At(p) => {
                    prop_assert!(h(p), "not liquidatable at the reported price");
                    match side {
                        Side::Long => prop_assert!(!h(p + 1)),
                        Side::Short => prop_assert!(p == 1 || !h(p - 1)),
                    }
                    for q in probes {
                        let against = match side { Side::Long => q <= p, Side::Short => q >= p };
                        prop_assert_eq!(h(q), against, "at {}", q);
                    }
                }
                Threshold::Always => for q in probes { prop_assert!(h(q)) },
                Threshold::Never => for q in probes { prop_assert!(!h(q)) },
            }
            // The bankruptcy price follows the same convention with a zero target.
            let eq = |price| health(side, size, collateral, reserve, entry, price, fees, mm).unwrap().equity < 0;
            if let Threshold::At(p) = bankruptcy_price(side, size, collateral, reserve, entry, fees).unwrap() {
                prop_assert!(eq(p));
                match side {
                    Side::Long => prop_assert!(!eq(p + 1)),
                    Side::Short => prop_assert!(p == 1 || !eq(p - 1)),
                }
            }
        }

        /// The pool's claim never exceeds the vault, and equals `reserve - pnl + borrow` (what the
        /// per-side aggregates count) exactly when the position is not liquidatable and not past
        /// its cap.
        #[test]
        fn pool_claim_bounds(
            side in side(),
            size in 1u64..1u64 << 40,
            lev in 1u64..50,
            reserve_bps in 1_000u64..20_000,
            borrow in 0u64..1 << 20,
            close_bps in 0u64..100,
            entry in PRICE_ONE / 100..PRICE_ONE * 100_000,
            move_bps in 0u64..30_000,
            mm in 10u64..2_000,
        ) {
            let collateral = size / lev;
            let reserve = reserve_for(side, size, reserve_bps).unwrap();
            let mark = (entry as u128 * move_bps as u128 / 10_000).max(1) as u64;
            let close = notional_fee_for_test(size, close_bps);
            let reward = liquidation_reward(size, mm / 2).unwrap();
            let c = pool_claim(side, size, collateral, reserve, entry, mark, borrow, close, reward, mm).unwrap();
            prop_assert!(c <= collateral + reserve);
            let h = health(side, size, collateral, reserve, entry, mark, borrow + close, mm).unwrap();
            let pnl = unrealized_pnl(side, size, entry, mark).unwrap();
            if !h.liquidatable && pnl <= reserve as i128 {
                prop_assert_eq!(c as i128, reserve as i128 - pnl + borrow as i128);
            }
        }

        #[test]
        fn no_panic_on_extremes(side in side(), size: u64, collateral: u64, reserve: u64, entry: u64, mark: u64, fees: u64, bps: u64) {
            let _ = health(side, size, collateral, reserve, entry, mark, fees, bps);
            let _ = liquidation_price(side, size, collateral, reserve, entry, fees, bps);
            let _ = bankruptcy_price(side, size, collateral, reserve, entry, fees);
            let _ = pool_claim(side, size, collateral, reserve, entry, mark, fees, bps, entry, bps);
            let _ = liquidation_reward(size, bps);
            let _ = split_decrease(size, collateral, reserve, mark, fees as i128, bps);
            let _ = can_remove_margin(size, collateral, mark, fees as i128, bps, entry);
        }

        #[test]
        fn settlement_conserves_vault(vault: u64, collateral: u64, pnl: i64, fees: u64, reward: u64) {
            let s = settle(vault, collateral, pnl as i128, fees, reward).unwrap();
            prop_assert_eq!(s.keeper as u128 + s.trader as u128 + s.pool as u128, vault as u128);
            prop_assert!(s.keeper <= reward);
            let owed = collateral as i128 + pnl as i128 - fees as i128 - s.keeper as i128;
            prop_assert!((s.trader as i128) <= owed.max(0));
        }

        #[test]
        fn decrease_conserves_the_vault(
            size in 2u64..1 << 50,
            collateral in 0u64..1 << 50,
            reserve in 0u64..1 << 50,
            frac in 1u64..1_000,
            pnl in -(1i64 << 50)..(1i64 << 50),
            fees in 0u64..1 << 30,
        ) {
            let delta = (size / 1_000 * frac).clamp(1, size - 1);
            if let Some(d) = split_decrease(size, collateral, reserve, delta, pnl as i128, fees).unwrap() {
                // Out of the vault = to_trader + to_pool; what stays = new_collateral + new_reserve.
                prop_assert_eq!(
                    d.to_trader as u128 + d.to_pool as u128 + d.new_collateral as u128 + d.new_reserve as u128,
                    collateral as u128 + reserve as u128
                );
                prop_assert!(d.pnl <= d.reserve_released as i128);
                prop_assert!(d.to_pool >= fees);
            }
        }
    }
}
