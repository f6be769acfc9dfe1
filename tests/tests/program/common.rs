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

/// The price a liquidation judges and settles a position at when the oracle says `units`: the
/// confidence interval's side that favours the trader (a long at mid + conf, a short at mid - conf).
pub fn judged_at(side: ringfence_sdk::Side, units: u64) -> u64 {
    match side {
        ringfence_sdk::Side::Long => npx(units) + conf_of(units),
        ringfence_sdk::Side::Short => npx(units) - conf_of(units),
    }
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

/// SplitMix64: small, seedable, good enough to explore (the randomized and economic runs).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    pub fn pick(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).unwrap_or(0)
    }

    pub fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// The market admin's key (tests sign admin instructions with it).
pub fn admin_of(f: &MarketFixture) -> Keypair {
    f.admin.insecure_clone()
}

/// The admin sets `p` (instant and timelocked fields split by the program).
pub fn set_params(f: &mut MarketFixture, p: ringfence_sdk::RiskParams) -> TxResult {
    let a = admin_of(f);
    let market = f.keys.market;
    f.step(&[ringfence_sdk::ix::set_params(&a.pubkey(), &market, p)], &[&a])
}

/// Seconds after a trigger's setting or an order's placement at which a price published then can
/// execute it: later than `MAX_CLOCK_SKEW_SECS` (a price that far ahead may already be on chain).
pub const AFTER: i64 = ringfence_sdk::math::MAX_CLOCK_SKEW_SECS + 1;
