//! Shared assertions: a rejected instruction names its error and changes nothing.
use ringfence_harness::*;
use ringfence_sdk::ringfence::error::RingfenceError;

/// Runs `action`, asserts it fails with `e`, and that no program account and no token account of
/// the collateral mint changed (data and lamports), i.e. no token moved and no state changed.
#[track_caller]
pub fn rejects(f: &mut MarketFixture, e: RingfenceError, action: impl FnOnce(&mut MarketFixture) -> TxResult) {
    let before = f.snapshot();
    let res = action(f);
    assert_ringfence_err(&res, e);
    assert!(before == f.snapshot(), "state changed on a rejected {e:?}");
    f.assert_invariants();
}

/// As [`rejects`], for an Anchor framework error (account type checks).
#[track_caller]
pub fn rejects_anchor(
    f: &mut MarketFixture,
    e: anchor_lang::error::ErrorCode,
    action: impl FnOnce(&mut MarketFixture) -> TxResult,
) {
    let before = f.snapshot();
    let res = action(f);
    assert_anchor_err(&res, e);
    assert!(before == f.snapshot(), "state changed on a rejected {e:?}");
    f.assert_invariants();
}

/// Price at exponent -8 for a whole number of quote units.
pub fn px(units: i64) -> i64 {
    units * 100_000_000
}

/// Normalized (program) price for a whole number of quote units.
pub fn npx(units: u64) -> u64 {
    units * ringfence_sdk::math::PRICE_ONE
}

/// The confidence every fixture price carries by default: 1 bp of the price (normalized).
pub fn conf_of(units: u64) -> u64 {
    npx(units) / 10_000
}

/// Entry price of a position opened at `units` (the confidence interval's worse side).
pub fn entry_at(side: ringfence_sdk::Side, units: u64) -> u64 {
    match side {
        ringfence_sdk::Side::Long => npx(units) + conf_of(units),
        ringfence_sdk::Side::Short => npx(units) - conf_of(units),
    }
}

/// Exit price of a trader action at `units` (the worse side for the trader).
pub fn exit_at(side: ringfence_sdk::Side, units: u64) -> u64 {
    match side {
        ringfence_sdk::Side::Long => npx(units) - conf_of(units),
        ringfence_sdk::Side::Short => npx(units) + conf_of(units),
    }
}

/// PnL of `size` from `entry` to `mark`, rounded toward -infinity, written out independently.
pub fn pnl(side: ringfence_sdk::Side, size: u64, entry: u64, mark: u64) -> i128 {
    let diff = match side {
        ringfence_sdk::Side::Long => i128::from(mark) - i128::from(entry),
        ringfence_sdk::Side::Short => i128::from(entry) - i128::from(mark),
    };
    (i128::from(size) * diff).div_euclid(i128::from(entry))
}
