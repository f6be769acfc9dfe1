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
