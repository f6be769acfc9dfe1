//! A randomized sequence of everything (traders, LPs, prices, time jumps, liquidations) holding
//! every invariant after every step. The seed is printed; rerun one with
//! `RINGFENCE_SEED=<seed> cargo test -p ringfence-tests randomized`. `RINGFENCE_STEPS` sets the length.
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ringfence_harness::*;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::Side;

/// SplitMix64: small, seedable, good enough to explore.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
}

/// Errors a random action may legitimately hit. Anything else (an overflow, a division by zero,
/// a panic, a runtime error) is a bug.
fn expected(code: u32) -> bool {
    use RingfenceError::*;
    let ok = [
        ZeroAmount,
        LeverageTooHigh,
        PositionHealthy,
        CollateralBelowFee,
        InsufficientPoolLiquidity,
        OpenInterestCapExceeded,
        RemoveMarginBreaksInitialMargin,
        InvalidDecreaseSize,
        DecreaseNotCovered,
        DepositTooSmall,
        InsufficientFreeLiquidity,
        WithdrawTooSmall,
        PositionAlreadyExists,
        PositionTooSmall,
    ];
    code == 1 /* SPL Token: insufficient funds */ || ok.iter().any(|e| ringfence_sdk::error_code(*e) == code)
}

fn check(res: &TxResult, what: &str, step: usize) {
    if res.is_err() {
        let code = custom_code(res);
        assert!(code.is_some_and(expected), "step {step}: {what} failed unexpectedly: {}", describe(res));
    }
}

fn run(seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut f = MarketFixture::with_liquidity(
        ringfence_sdk::RiskParams { max_open_interest_long: 60_000 * USDC, ..fee_params() },
        20_000 * USDC,
    );
    let traders: Vec<Wallet> = (0..6).map(|_| f.wallet(50_000 * USDC)).collect();
    let lps: Vec<Wallet> = (0..3).map(|_| f.wallet(50_000 * USDC)).collect();
    let keeper = f.wallet(0);
    let mut open: BTreeSet<(usize, u64)> = BTreeSet::new();
    let mut price: i64 = pyth_price(100.0);
    let mut counts = [0usize; 10];

    for step in 0..steps {
        let action = rng.below(10);
        counts[usize::try_from(action).unwrap_or(0)] += 1;
        match action {
            0 => {
                // Price moves up to ±6%, within 20..500.
                let bps = i64::try_from(rng.below(1_201)).unwrap_or(0) - 600;
                price = (price + price * bps / 10_000).clamp(pyth_price(20.0), pyth_price(500.0));
                f.set_price(price);
            }
            1 => {
                f.env.advance(i64::try_from(rng.range(1, 3 * 86_400)).unwrap_or(1));
                f.set_price(price);
            }
            2 => {
                let lp = &lps[usize::try_from(rng.below(3)).unwrap_or(0)];
                let amount = rng.range(0, 5_000 * USDC);
                let res = f.deposit(lp, amount);
                check(&res, "deposit", step);
            }
            3 => {
                let lp = &lps[usize::try_from(rng.below(3)).unwrap_or(0)];
                let shares = f.lp_balance(lp);
                let res = f.withdraw(lp, rng.range(0, shares));
                check(&res, "withdraw", step);
            }
            4 | 5 => {
                let t = usize::try_from(rng.below(6)).unwrap_or(0);
                let id = rng.below(4);
                let side = if rng.below(2) == 0 { Side::Long } else { Side::Short };
                let collateral = rng.range(10 * USDC, 800 * USDC);
                let size = collateral * rng.range(1, 11);
                let res = f.open(&traders[t], id, side, collateral, size);
                check(&res, "open", step);
                if res.is_ok() {
                    open.insert((t, id));
                }
            }
            6..=8 => {
                let Some(&(t, id)) = open.iter().nth(usize::try_from(rng.below(open.len() as u64)).unwrap_or(0)) else {
                    continue;
                };
                let p = f.position(&traders[t].key(), id);
                let res = match rng.below(4) {
                    0 => f.add_margin(&traders[t], id, rng.range(0, 200 * USDC)),
                    1 => f.remove_margin(&traders[t], id, rng.range(0, p.collateral)),
                    2 => f.decrease(&traders[t], id, rng.range(0, p.size)),
                    _ => f.close(&traders[t], id),
                };
                check(&res, "trader action", step);
                if f.env.account(&f.position_key(&traders[t].key(), id)).is_none() {
                    open.remove(&(t, id));
                }
            }
            _ => {
                // The keeper sweeps: liquidate exactly those the view says are liquidatable.
                for (t, id) in open.clone() {
                    let h = f.health(&traders[t].key(), id).expect("health view");
                    let res = f.liquidate(&keeper, &traders[t], id);
                    assert_eq!(res.is_ok(), h.liquidatable, "step {step}: view vs liquidate: {}", describe(&res));
                    check(&res, "liquidate", step);
                    if res.is_ok() {
                        open.remove(&(t, id));
                    }
                }
            }
        }
        f.assert_invariants();
    }

    // Everyone exits: every position closes or is liquidated, then LPs take what is free.
    f.set_price(price);
    for (t, id) in open.clone() {
        if f.close(&traders[t], id).is_err() {
            f.liquidate(&keeper, &traders[t], id).expect("an unclosable position must be liquidatable");
        }
    }
    f.assert_invariants();
    assert_eq!(f.market().positions_open, 0);
    assert_eq!(f.market().total_reserved, 0);
    eprintln!("randomized: seed {seed}, {steps} steps, actions {counts:?}");
}

#[test]
fn randomized_sequence_holds_every_invariant() {
    let seed = std::env::var("RINGFENCE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    let steps = std::env::var("RINGFENCE_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(5_000);
    eprintln!("randomized: seed {seed} (rerun with RINGFENCE_SEED={seed})");
    if let Err(e) = catch_unwind(AssertUnwindSafe(|| run(seed, steps))) {
        let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
        panic!(
            "randomized sequence failed with seed {seed} (rerun with RINGFENCE_SEED={seed}): {}",
            msg.unwrap_or_default()
        );
    }
}
