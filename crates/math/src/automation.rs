//! The rules of the orders a keeper executes for a trader: take-profit / stop-loss triggers, limit
//! opens and standby-margin top-ups. The program's instructions, the keeper and the clients call
//! these (through the program crate's account-reading wrappers), so a keeper never executes what
//! the program would refuse, and never leaves what it would accept.
//!
//! **Triggers.** A trigger is crossed when the exit price (the close a trader would get: oracle
//! price minus conf for a long, plus conf for a short) reaches it: a take-profit when the exit
//! price is at or beyond the trigger in the position's favour, a stop-loss when it is at or beyond
//! it against the position.
//!
//! **Top-ups.** Health is judged as the liquidation rule judges it (equity at the confidence side
//! favouring the trader, fees counted). A top-up is due while equity is below `ratio_bps` of the
//! maintenance requirement; each call moves exactly `min(step, standby)` into collateral and pays
//! the keeper `min(fee, standby left)`. A liquidation first moves as much standby as restores
//! health, in whole steps (the last one partial when the standby runs out), when the standby can
//! restore it at all; otherwise it moves none, and the standby returns to the owner.

use crate::{wide_mul, MathError, MathResult, Side, BPS};

/// Whether a trigger at `trigger_price` is crossed by `exit_price` on a `side` position
/// (`take_profit`: true for a take-profit, false for a stop-loss).
pub fn trigger_crossed(side: Side, take_profit: bool, exit_price: u64, trigger_price: u64) -> bool {
    match (side, take_profit) {
        (Side::Long, true) | (Side::Short, false) => exit_price >= trigger_price,
        (Side::Long, false) | (Side::Short, true) => exit_price <= trigger_price,
    }
}

/// Whether a limit open of `side` at `limit_price` is reached at entry price `entry` (the
/// confidence side against the trader): a long at or below the limit, a short at or above.
pub fn limit_reached(side: Side, entry: u64, limit_price: u64) -> bool {
    match side {
        Side::Long => entry <= limit_price,
        Side::Short => entry >= limit_price,
    }
}

/// Whether a top-up is due: `equity < ratio_bps / BPS × maintenance_requirement`, exact.
pub fn topup_due(equity: i128, maintenance_requirement: u64, ratio_bps: u64) -> bool {
    // equity * BPS < mm * ratio; both sides exact in i128 (|equity| < 2^65, mm * ratio < 2^128 is
    // compared as u128 when equity is non-negative).
    if equity < 0 {
        return true;
    }
    let lhs = u128::try_from(equity).ok().and_then(|e| e.checked_mul(u128::from(BPS)));
    match lhs {
        Some(lhs) => lhs < wide_mul(maintenance_requirement, ratio_bps),
        None => false, // equity beyond u128 / BPS is above any requirement
    }
}

/// One top-up call: what moves from standby into collateral and what the keeper is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopUp {
    /// `min(step, standby)`, into collateral.
    pub moved: u64,
    /// `min(fee, standby - moved)`, to the keeper.
    pub fee: u64,
    /// Standby left.
    pub standby_left: u64,
}

/// The split of one `top_up` call.
pub fn topup_step(standby: u64, step: u64, fee: u64) -> MathResult<TopUp> {
    split_standby(standby, step.min(standby), fee)
}

/// `moved` (at most `standby`) into collateral, then the keeper's `min(fee, standby left)`: the
/// one fee rule of top-ups and rescues.
fn split_standby(standby: u64, moved: u64, fee: u64) -> MathResult<TopUp> {
    let rest = standby.checked_sub(moved).ok_or(MathError::Overflow)?;
    let fee = fee.min(rest);
    let standby_left = rest.checked_sub(fee).ok_or(MathError::Overflow)?;
    Ok(TopUp { moved, fee, standby_left })
}

/// What a liquidation's standby rescue moves and pays: [`rescue_amount`] into collateral and the
/// rule's `fee` from what standby is left, as a top-up pays it. `None`: no rescue.
pub fn rescue(
    equity: i128,
    maintenance_requirement: u64,
    step: u64,
    fee: u64,
    standby: u64,
) -> MathResult<Option<TopUp>> {
    match rescue_amount(equity, maintenance_requirement, step, standby)? {
        Some(moved) => split_standby(standby, moved, fee).map(Some),
        None => Ok(None),
    }
}

/// The standby a liquidation moves into collateral first: `Some(amount)` when `standby` can bring
/// `equity` up to `maintenance_requirement` (the least whole number of `step`s that does, capped at
/// the standby; `step == 0` means one step of exactly what is needed), `None` when even all of it
/// cannot (the liquidation proceeds and the standby returns to the owner) or when the position
/// is not liquidatable (nothing to rescue).
pub fn rescue_amount(equity: i128, maintenance_requirement: u64, step: u64, standby: u64) -> MathResult<Option<u64>> {
    let needed = i128::from(maintenance_requirement).checked_sub(equity).ok_or(MathError::Overflow)?;
    if needed <= 0 {
        return Ok(None);
    }
    let Ok(needed) = u64::try_from(needed) else { return Ok(None) }; // beyond any standby
    if standby < needed {
        return Ok(None);
    }
    if step == 0 {
        return Ok(Some(needed));
    }
    let steps = needed.div_ceil(step);
    let amount = u128::from(steps).checked_mul(u128::from(step)).ok_or(MathError::Overflow)?;
    Ok(Some(u64::try_from(amount).map_or(standby, |a| a.min(standby))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn triggers_cross_in_the_right_direction() {
        // Long take-profit at 110: crossed at an exit of 110 or more.
        assert!(trigger_crossed(Side::Long, true, 110, 110));
        assert!(!trigger_crossed(Side::Long, true, 109, 110));
        // Long stop-loss at 90: crossed at 90 or less.
        assert!(trigger_crossed(Side::Long, false, 90, 90));
        assert!(!trigger_crossed(Side::Long, false, 91, 90));
        // Short take-profit at 90: at 90 or less; short stop-loss at 110: at 110 or more.
        assert!(trigger_crossed(Side::Short, true, 90, 90));
        assert!(!trigger_crossed(Side::Short, true, 91, 90));
        assert!(trigger_crossed(Side::Short, false, 110, 110));
        assert!(!trigger_crossed(Side::Short, false, 109, 110));
    }

    #[test]
    fn limits_are_reached_at_or_better() {
        assert!(limit_reached(Side::Long, 100, 100) && !limit_reached(Side::Long, 101, 100));
        assert!(limit_reached(Side::Short, 100, 100) && !limit_reached(Side::Short, 99, 100));
    }

    #[test]
    fn topup_due_is_exact() {
        // mm 1,000 at 15,000 bps: due below 1,500.
        assert!(topup_due(1_499, 1_000, 15_000));
        assert!(!topup_due(1_500, 1_000, 15_000));
        assert!(topup_due(-5, 0, 0));
        assert!(!topup_due(0, 0, 0));
    }

    #[test]
    fn topup_steps_and_fee() {
        assert_eq!(topup_step(100, 30, 5).unwrap(), TopUp { moved: 30, fee: 5, standby_left: 65 });
        assert_eq!(topup_step(32, 30, 5).unwrap(), TopUp { moved: 30, fee: 2, standby_left: 0 });
        assert_eq!(topup_step(20, 30, 5).unwrap(), TopUp { moved: 20, fee: 0, standby_left: 0 });
    }

    #[test]
    fn rescue_in_whole_steps() {
        // needed 25: with step 10, three steps (30); with 27 standby, all 27.
        assert_eq!(rescue_amount(975, 1_000, 10, 100).unwrap(), Some(30));
        assert_eq!(rescue_amount(975, 1_000, 10, 27).unwrap(), Some(27));
        assert_eq!(rescue_amount(975, 1_000, 0, 100).unwrap(), Some(25));
        assert_eq!(rescue_amount(975, 1_000, 10, 24).unwrap(), None);
        assert_eq!(rescue_amount(1_000, 1_000, 10, 24).unwrap(), None); // healthy
    }

    proptest! {
        /// A rescue always restores health, and one step fewer would not have.
        #[test]
        fn rescue_restores_health_minimally(
            equity in -1_000_000i128..1_000_000, mm in 0u64..1_000_000, step in 0u64..100_000, standby in 0u64..3_000_000,
        ) {
            match rescue_amount(equity, mm, step, standby).unwrap() {
                Some(a) => {
                    prop_assert!(a <= standby);
                    prop_assert!(equity + i128::from(a) >= i128::from(mm));
                    if step > 0 && a < standby {
                        prop_assert_eq!(a % step, 0);
                        prop_assert!(equity + i128::from(a - step) < i128::from(mm));
                    }
                }
                None => prop_assert!(equity >= i128::from(mm) || equity + i128::from(standby) < i128::from(mm)),
            }
        }

        /// A top-up call moves and pays exactly the standby it consumes.
        #[test]
        fn topup_conserves_standby(standby in 0u64..u64::MAX, step in 0u64..u64::MAX, fee in 0u64..u64::MAX) {
            let t = topup_step(standby, step, fee).unwrap();
            prop_assert_eq!(u128::from(t.moved) + u128::from(t.fee) + u128::from(t.standby_left), u128::from(standby));
            prop_assert_eq!(t.moved, step.min(standby));
        }
    }
}
