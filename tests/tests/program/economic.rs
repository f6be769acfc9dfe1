//! Latency arbitrage against the pool, as an economic test (pool review, section 2).
//!
//! Seeded price paths: a geometric random walk at 100% annualized volatility, one off-chain tick
//! per second, published on chain like a push feed (on a 0.2% deviation from the on-chain price or
//! a 60 s heartbeat). An adversary with exactly the latency edge knows, at every second, the
//! current off-chain price (which anyone may publish), never a later one. It tries every trade its
//! knowledge lets it time:
//! - a round trip when the price rose: when the on-chain price lags the off-chain one by at least a
//!   quarter of its round-trip cost (fees and confidence), open a long against the on-chain price
//!   (if the program still accepts it), publish the current price, close (the closer the lag to the
//!   cost, the better the trade; the quarter makes it try enough to be measured);
//! - an LP sandwich when the price fell by 0.1%: the off-chain price says the pool is worth more
//!   than at the on-chain price (honest traders are net long), so deposit, and withdraw once
//!   deposited.
//!
//! Against the shipped rules (the compiled program, SOL-PERP parameters of
//! `migrations/localnet.toml`, an honest keeper that executes LP requests every second): its mean
//! profit after fees plus three standard errors must be at most zero, it must have executed at
//! least 100 round trips, and the honest LP must not be worse off than on the same paths without
//! it. Against the rules before the fix (60 s trade age, LP shares priced synchronously at the
//! on-chain price with no LP fee, replayed with the same math crate the program used, since those
//! instructions no longer exist) it profits.
//!
//! `RINGFENCE_ECON_PATHS` (default 32) and `RINGFENCE_ECON_SECS` (default 600) set the campaign.
use ringfence_harness::*;

use crate::common::Rng;
use ringfence_sdk::math::{notional_fee, pool_nav, unrealized_pnl, PRICE_ONE};
use ringfence_sdk::{RiskParams, Side};

/// The shipped SOL-PERP parameters (migrations/localnet.toml).
fn shipped() -> RiskParams {
    RiskParams {
        initial_margin_bps: 1_000,
        maintenance_margin_bps: 500,
        liquidation_fee_bps: 100,
        max_conf_bps: 200,
        max_conf_liquidate_bps: 1_000,
        open_fee_bps: 10,
        close_fee_bps: 10,
        lp_fee_bps: 20,
        max_price_age_trade_secs: 10,
        max_profit_bps: 5_000,
        max_price_age_liquidate_secs: 60,
        borrow_rate_min: 317,
        borrow_rate_max: 3_171,
        max_open_interest_long: 100_000_000 * USDC,
        max_open_interest_short: 100_000_000 * USDC,
        timelock_secs: 3_600,
        min_position_size: 10 * USDC,
    }
}

/// Pyth-like confidence: 1 bp of the price.
const CONF_BPS: f64 = 1.0;
const DEVIATION: f64 = 0.002;
const HEARTBEAT: i64 = 60;
/// The rules before the fix: trader and LP actions used any price up to 60 s old.
const OLD_TRADE_AGE: i64 = 60;
const TRADE_COLLATERAL: u64 = 1_010 * USDC; // 10x on 10,000 notional after the 0.1% open fee
const TRADE_SIZE: u64 = 10_000 * USDC;
const SANDWICH: u64 = 1_000_000 * USDC;

/// One off-chain price per second: GBM at 100% a year.
fn path(seed: u64, secs: usize) -> Vec<f64> {
    let mut rng = Rng(seed);
    let dt = 1.0f64 / 31_536_000.0;
    let sigma = 1.0f64;
    let mut p = 100.0;
    (0..=secs)
        .map(|_| {
            let now = p;
            p *= (sigma * dt.sqrt() * rng.normal() - sigma * sigma * dt / 2.0).exp();
            now
        })
        .collect()
}

fn mantissa(p: f64) -> i64 {
    (p * 1e8).round() as i64
}

fn normalized(p: f64) -> u64 {
    (mantissa(p) as u64) * (PRICE_ONE / 100_000_000)
}

/// Publishes `p` on the pinned oracle at the current clock with the test confidence.
fn publish(f: &mut MarketFixture, p: f64) {
    f.price = mantissa(p);
    let conf = (p * 1e8 * CONF_BPS / 10_000.0).round() as u64;
    let fixture = PriceFixture { conf, ..f.price_fixture() };
    f.write_oracle(&fixture);
}

struct Outcome {
    /// The adversary's profit (tokens) on this path.
    adversary: i128,
    round_trips: usize,
    /// Round trips that ended with more tokens than they started with.
    profitable: usize,
    sandwiches: usize,
    /// The honest LP's tokens after everyone exits at the final price.
    honest_lp: u128,
}

/// Honest traders hold a net long book (three 10x longs of 50,000 on a 200,000 pool), so the
/// pool's value moves against the price: what an LP sandwich would time.
fn honest_book(f: &mut MarketFixture) -> Vec<Wallet> {
    let traders: Vec<Wallet> = (0..3).map(|_| f.wallet(10_000 * USDC)).collect();
    for t in &traders {
        f.open(t, 1, Side::Long, 5_050 * USDC, 50_000 * USDC).expect("honest trader");
    }
    traders
}

/// Runs one path on the compiled program. `adversary: false` is the same path without it.
fn run_path(prices: &[f64], adversary: bool) -> Outcome {
    let params = shipped();
    let mut f = MarketFixture::with_liquidity(params, 0);
    publish(&mut f, prices[0]);
    let lp = f.wallet(200_000 * USDC);
    f.deposit(&lp, 200_000 * USDC).expect("honest LP");
    let traders = honest_book(&mut f);
    let adv = f.wallet(100_000_000 * USDC);
    let start_tokens = f.env.token_balance(&adv.token);
    let t0 = f.env.now();
    let (mut on_price, mut on_time) = (prices[0], t0);
    publish(&mut f, prices[0]);
    let (mut round_trips, mut sandwiches, mut profitable) = (0, 0, 0);
    let mut sandwich_state = 0u8; // 0 idle, 1 deposit requested, 2 withdrawal requested
    let cost = 2.0 * (f64::from(params.open_fee_bps) + CONF_BPS) / 10_000.0;
    let mut id = 1u64;
    for (s, &p) in prices.iter().enumerate().skip(1) {
        f.env.set_time(t0 + s as i64);
        let now = f.env.now();
        // The honest keeper executes pending LP requests at the price anyone can publish now.
        if adversary && sandwich_state > 0 {
            publish(&mut f, p);
            (on_price, on_time) = (p, now);
            f.sweep_and_execute(&adv.key()).expect("keeper executes the LP request");
            f.claim(&adv).expect("claim");
            if sandwich_state == 1 {
                let shares = f.lp_balance(&adv);
                f.request_withdrawal(&adv, shares).expect("withdrawal request");
                sandwich_state = 2;
            } else {
                sandwich_state = 0;
                sandwiches += 1;
            }
        }
        if adversary {
            let dev = (p - on_price) / on_price;
            // LP sandwich: the pool is worth more at the current price than at the on-chain one.
            // (It takes priority over a round trip, as in the replay of the old rules.)
            let sandwich = sandwich_state == 0 && -dev >= DEVIATION / 2.0;
            if sandwich {
                f.request_deposit(&adv, SANDWICH).expect("deposit request");
                sandwich_state = 1;
            }
            // Round trip against the lagging on-chain price, while the program accepts it.
            if !sandwich && now - on_time <= i64::from(params.max_price_age_trade_secs) && dev >= cost / 4.0 {
                let side = Side::Long;
                let before = f.env.token_balance(&adv.token);
                let opened = f.open(&adv, id, side, TRADE_COLLATERAL, TRADE_SIZE);
                if opened.is_ok() {
                    publish(&mut f, p);
                    (on_price, on_time) = (p, now);
                    f.close(&adv, id).expect("close the round trip");
                    round_trips += 1;
                    id += 1;
                    if f.env.token_balance(&adv.token) > before {
                        profitable += 1;
                    }
                }
            }
        }
        // The push feed.
        if (p - on_price).abs() / on_price > DEVIATION || now - on_time >= HEARTBEAT {
            publish(&mut f, p);
            (on_price, on_time) = (p, now);
        }
    }
    // Everyone exits at the final price: pending LP requests execute, positions close.
    let last = *prices.last().expect("path");
    while sandwich_state > 0 {
        f.env.advance(1);
        publish(&mut f, last);
        f.sweep_and_execute(&adv.key()).expect("final LP execution");
        f.claim(&adv).expect("claim");
        if sandwich_state == 1 {
            let shares = f.lp_balance(&adv);
            f.request_withdrawal(&adv, shares).expect("final withdrawal request");
            sandwich_state = 2;
        } else {
            sandwich_state = 0;
            sandwiches += 1;
        }
    }
    f.env.advance(1);
    publish(&mut f, last);
    for t in &traders {
        f.close(t, 1).expect("honest close");
    }
    let value = f.market().free_liquidity as u128;
    let shares = u128::from(f.market().lp_supply + f.market().dead_shares);
    let honest_lp = u128::from(f.lp_balance(&lp)) * value / shares;
    Outcome {
        adversary: i128::from(f.env.token_balance(&adv.token)) - i128::from(start_tokens),
        round_trips,
        profitable,
        sandwiches,
        honest_lp,
    }
}

/// The same adversary against the rules before the fix, replayed with the math the program used:
/// trades at any on-chain price up to 60 s old; LP shares priced at `pool_nav` of the on-chain
/// price, synchronously, with no LP fee (the sandwich deposits at the lagging price and withdraws
/// after publishing the current one, in the same second).
fn run_path_old_rules(prices: &[f64]) -> (i128, usize) {
    let params = shipped();
    let mut f = MarketFixture::with_liquidity(params, 200_000 * USDC);
    publish(&mut f, prices[0]);
    honest_book(&mut f);
    let m = f.market();
    let nav = |p: f64| {
        pool_nav(m.free_liquidity, m.total_reserved, &m.long.totals(), &m.short.totals(), normalized(p), m.borrow_index)
            .expect("nav")
    };
    let supply = u128::from(m.lp_supply + m.dead_shares);
    let cost = 2.0 * (f64::from(params.open_fee_bps) + CONF_BPS) / 10_000.0;
    let (mut on_price, mut on_time) = (prices[0], 0i64);
    let (mut profit, mut actions) = (0i128, 0usize);
    for (s, &p) in prices.iter().enumerate().skip(1) {
        let now = s as i64;
        let dev = (p - on_price) / on_price;
        let conf = |x: f64| (normalized(x) as f64 * CONF_BPS / 10_000.0) as u64;
        if -dev >= DEVIATION / 2.0 {
            // Shares bought at the lagging price, sold at the current one.
            let (v0, v1) = (u128::from(nav(on_price)), u128::from(nav(p)));
            let shares = u128::from(SANDWICH) * supply / v0;
            let back = shares * (v1 + u128::from(SANDWICH)) / (supply + shares);
            profit += back as i128 - i128::from(SANDWICH);
            actions += 1;
            (on_price, on_time) = (p, now);
        } else if now - on_time <= OLD_TRADE_AGE && dev >= cost / 4.0 {
            let side = Side::Long;
            let (entry, exit) = match side {
                Side::Long => (normalized(on_price) + conf(on_price), normalized(p) - conf(p)),
                Side::Short => (normalized(on_price) - conf(on_price), normalized(p) + conf(p)),
            };
            let fees = notional_fee(TRADE_SIZE, 10).expect("fee") * 2;
            profit += unrealized_pnl(side.into(), TRADE_SIZE, entry, exit).expect("pnl") - i128::from(fees);
            actions += 1;
            (on_price, on_time) = (p, now);
        }
        if (p - on_price).abs() / on_price > DEVIATION || now - on_time >= HEARTBEAT {
            (on_price, on_time) = (p, now);
        }
    }
    (profit, actions)
}

fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn latency_arbitrage_is_unprofitable_and_profited_before() {
    let paths: usize = std::env::var("RINGFENCE_ECON_PATHS").ok().and_then(|s| s.parse().ok()).unwrap_or(32);
    let secs: usize = std::env::var("RINGFENCE_ECON_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let (mut new, mut old, mut honest_diff) = (Vec::new(), Vec::new(), Vec::new());
    let (mut trips, mut sandwiches, mut old_actions, mut profitable) = (0, 0, 0, 0);
    for seed in 0..paths as u64 {
        let prices = path(0xEC0_0000 + seed, secs);
        let with = run_path(&prices, true);
        let without = run_path(&prices, false);
        new.push(with.adversary as f64 / USDC as f64);
        honest_diff.push((with.honest_lp as f64 - without.honest_lp as f64) / USDC as f64);
        trips += with.round_trips;
        profitable += with.profitable;
        sandwiches += with.sandwiches;
        let (p, n) = run_path_old_rules(&prices);
        old.push(p as f64 / USDC as f64);
        old_actions += n;
    }
    let (m, se) = mean_se(&new);
    let (hm, hse) = mean_se(&honest_diff);
    let (om, ose) = mean_se(&old);
    eprintln!(
        "economic: {paths} paths x {secs} s; shipped rules: adversary {m:.2} +/- {se:.2} USDC per path \
         ({trips} round trips of which {profitable} profitable, {sandwiches} LP sandwiches); honest LP with - without adversary: {hm:.2} +/- {hse:.2} USDC; \
         rules before the fix: adversary {om:.2} +/- {ose:.2} USDC per path ({old_actions} actions)"
    );
    assert!(trips >= 100, "the adversary must actually trade: {trips} round trips");
    assert!(sandwiches >= 10, "the adversary must actually try LP sandwiches: {sandwiches}");
    assert!(m + 3.0 * se <= 0.0, "latency arbitrage profits under the shipped rules: {m} +/- {se}");
    assert!(honest_diff.iter().all(|d| *d >= -0.01), "the honest LP is worse off with the adversary: {honest_diff:?}");
    assert!(om - 3.0 * ose > 0.0, "the adversary should profit under the old rules: {om} +/- {ose}");
}
