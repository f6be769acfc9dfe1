//! `make bench`: runs every instruction on the compiled ringfence.so in LiteSVM and prints
//! `cu <instruction> <units>` per instruction, then rent and state sizes. Exits non-zero if an
//! instruction exceeds its compute budget, so CI enforces them.
//!
//! Measured on a market with fees on (`fee_params`), so every transfer of each instruction happens
//! (open: collateral, fee, reserve; close: trader and pool; liquidation: keeper, trader and pool).
// LiteSVM's transaction results are large by design; they are test values, not hot paths.
#![allow(clippy::result_large_err)]
use anchor_lang::prelude::Pubkey;
use ringfence_harness::*;
use ringfence_sdk::ix::{self, MarketKeys};
use ringfence_sdk::ringfence::state::{pause, LP_REQUEST_SEED, MARKET_SPACE, ORDER_SPACE, POSITION_SPACE};
use ringfence_sdk::{RiskParams, Side, TriggerArgs, TriggerKind};

/// Budgets: the pool review's (open 32,000, liquidate 25,000, deposit and withdrawal 25,000 for
/// each instruction of the flow) and the earlier ones.
const BUDGETS: &[(&str, u64)] = &[
    ("open_position", 32_000),
    ("add_margin", 12_000),
    ("remove_margin", 20_000),
    ("close_position", 35_000),
    ("liquidate", 25_000),
    ("claim_residual", 15_000),
    ("increase_position", 30_000),
    ("transfer_position", 8_000),
    ("set_trigger", 10_000),
    ("execute_trigger (full close)", 30_000),
    ("execute_trigger (partial)", 30_000),
    ("place_limit_order", 30_000),
    ("execute_limit_order", 40_000),
    ("top_up", 12_000),
    ("liquidate (standby rescue)", 25_000),
    ("add_standby", 12_000),
    ("withdraw_standby", 12_000),
    ("set_topup_rule", 10_000),
    ("cancel_limit_order", 20_000),
    ("close_expired_order", 20_000),
    ("request_deposit", 25_000),
    ("execute_lp_request (deposit)", 25_000),
    ("request_withdrawal", 25_000),
    ("execute_lp_request (withdrawal)", 25_000),
    ("claim_lp_request", 25_000),
    ("start_sweep", 25_000),
    ("sweep_positions (1 position)", 25_000),
    ("sweep_positions (10 positions)", 25_000),
];

struct Bench(Vec<(&'static str, u64)>);

impl Bench {
    fn record(&mut self, name: &'static str, res: TxResult) {
        match res {
            Ok(meta) => self.0.push((name, meta.compute_units_consumed)),
            Err(_) => {
                eprintln!("{name} failed: {}", describe(&res));
                std::process::exit(1);
            }
        }
    }
}

fn main() {
    let mut b = Bench(Vec::new());
    let mut f = MarketFixture::with_liquidity(fee_params(), 0);
    let admin = f.admin.insecure_clone();
    let market = f.keys.market;

    // initialize_market: a second market of the same admin.
    let feed = [42u8; 32];
    let oracle = Pubkey::new_unique();
    let fixture = PriceFixture::new(feed, pyth_price(100.0), f.env.now());
    f.env.write_price(&oracle, &fixture);
    let keys = MarketKeys::derive(&admin.pubkey(), &f.mint, &feed, &oracle);
    let res = f.env.send(&[ix::initialize_market(&admin.pubkey(), &keys, feed, f.params)], &[&admin]);
    b.record("initialize_market", res);

    // The LP flow: request, sweep, execution (deposit, then withdrawal).
    // `request_deposit` / `request_withdrawal` find the request's canonical bump on chain (Anchor's
    // `init` with `bump`): about 1,500 CU per address tried, and how many depends on the
    // provider's key (a random one here). The bench measures an LP whose request is found at the
    // first try, so the number does not vary between runs; each further try (probability 1/2
    // each) adds about 1,500.
    let lp = loop {
        let w = f.wallet(200_000 * USDC);
        let provider = w.key();
        let seeds: &[&[u8]] = &[LP_REQUEST_SEED, market.as_ref(), provider.as_ref()];
        if Pubkey::find_program_address(seeds, &ringfence_sdk::PROGRAM_ID).1 == u8::MAX {
            break w;
        }
    };
    let res = f.request_deposit(&lp, 100_000 * USDC);
    b.record("request_deposit", res);
    f.advance(1);
    let res = f.start_sweep();
    b.record("start_sweep", res);
    let res = f.execute(&lp.key());
    b.record("execute_lp_request (deposit)", res);
    let res = f.claim(&lp);
    b.record("claim_lp_request", res);
    // Ten positions to value (a second deposit from another LP makes the sweep needed again).
    let crowd = f.wallet(100_000 * USDC);
    for id in 0..10 {
        f.open(&crowd, id, Side::Long, 101 * USDC, 1_000 * USDC).expect("open");
    }
    let res = f.request_withdrawal(&lp, 1_000 * USDC);
    b.record("request_withdrawal", res);
    f.advance(1);
    f.start_sweep().expect("sweep");
    let positions: Vec<Pubkey> = f.positions().into_iter().map(|(k, _)| k).collect();
    let res = f.step(&[ix::sweep_positions(&market, &positions[..1])], &[]);
    b.record("sweep_positions (1 position)", res);
    let res = f.step(&[ix::sweep_positions(&market, &positions[1..])], &[]);
    b.record("sweep_positions (10 positions)", res);
    let res = f.execute(&lp.key());
    b.record("execute_lp_request (withdrawal)", res);
    f.claim(&lp).expect("claim");

    // Trader instructions inside a live sweep (the worst case: every change re-values the position).
    let trader = f.wallet(10_000 * USDC);
    let keeper = f.wallet(0);
    assert!(f.market().sweep.epoch > 0);
    let res = f.open(&trader, 1, Side::Long, 202 * USDC, 2_000 * USDC);
    b.record("open_position", res);
    assert_eq!(f.position(&trader.key(), 1).sweep_epoch, f.market().sweep.epoch, "valued by the live sweep");
    let res = f.add_margin(&trader, 1, 50 * USDC);
    b.record("add_margin", res);
    let res = f.remove_margin(&trader, 1, 40 * USDC);
    b.record("remove_margin", res);
    // Increase with a deposit: borrow fee settled, open fee, reserve top-up (inside the live sweep).
    let res = f.increase(&trader, 1, 500 * USDC, 60 * USDC);
    b.record("increase_position", res);
    f.set_price(pyth_price(103.0));
    let res = f.decrease(&trader, 1, 1_000 * USDC);
    b.record("decrease_position", res);
    // A transfer to another wallet and back (the back-transfer is not measured).
    let buyer = f.wallet(0);
    let key = f.position_key(&trader.key(), 1);
    let res =
        f.step(&[ix::transfer_position(&key, &f.position(&trader.key(), 1), &buyer.key())], &[&trader.kp, &buyer.kp]);
    b.record("transfer_position", res);
    let back = ix::transfer_position(&key, &f.env.decode(&key), &trader.key());
    f.step(&[back], &[&buyer.kp, &trader.kp]).expect("transfer back");
    let res = f.close(&trader, 1);
    b.record("close_position", res);

    // Liquidation with all three payouts: 10x long, price down to leave a residual (the sweep is
    // restarted so that the position is valued by a live one).
    f.open(&trader, 2, Side::Long, 101 * USDC, 1_000 * USDC).expect("open");
    f.advance(1);
    f.start_sweep().expect("sweep");
    f.sweep_all().expect("sweep all");
    f.set_price(pyth_price(93.5)); // equity ~ 100 - 65 - 1 = 34 < 50: keeper 10, trader ~24, pool rest
    let view = {
        let key = f.position_key(&trader.key(), 2);
        let ix = ix::position_health(&f.keys, &key, &f.position(&trader.key(), 2));
        f.env.send(&[ix], &[])
    };
    b.record("position_health", view);
    let res = f.liquidate(&keeper, &trader, 2);
    b.record("liquidate", res);
    let key = f.position_key(&trader.key(), 2);
    let res = f.claim_residual(&trader, &key, &trader.token);
    b.record("claim_residual", res);

    // Take-profit / stop-loss inside a live sweep: set, then a partial and a full execution.
    f.set_price(pyth_price(100.0));
    f.open(&trader, 3, Side::Long, 202 * USDC, 2_000 * USDC).expect("open");
    f.advance(1);
    f.start_sweep().expect("sweep");
    f.sweep_all().expect("sweep all");
    let tp = TriggerArgs { price: 102 * ringfence_sdk::math::PRICE_ONE, size: 0, fee: USDC };
    let res = f.set_trigger(&trader, 3, TriggerKind::TakeProfit, tp);
    b.record("set_trigger", res);
    let sl = TriggerArgs { price: 99 * ringfence_sdk::math::PRICE_ONE, size: 500 * USDC, fee: USDC };
    f.set_trigger(&trader, 3, TriggerKind::StopLoss, sl).expect("stop-loss");
    f.advance(ringfence_sdk::math::MAX_CLOCK_SKEW_SECS + 1);
    f.set_price(pyth_price(98.5));
    let key = f.position_key(&trader.key(), 3);
    let res = f.execute_trigger(&keeper, &key, TriggerKind::StopLoss);
    b.record("execute_trigger (partial)", res);
    f.advance(ringfence_sdk::math::MAX_CLOCK_SKEW_SECS + 1);
    f.set_price(pyth_price(102.5));
    let res = f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit);
    b.record("execute_trigger (full close)", res);

    // Standby and top-ups inside a live sweep: a rule, a step, and a liquidation the standby rescues.
    f.set_price(pyth_price(100.0));
    f.open(&trader, 4, Side::Long, 202 * USDC, 2_000 * USDC).expect("open");
    let res = f.set_topup_rule(&trader, 4, 15_000, 20 * USDC, USDC / 10);
    b.record("set_topup_rule", res);
    let res = f.add_standby(&trader, 4, 200 * USDC);
    b.record("add_standby", res);
    let res = f.withdraw_standby(&trader, 4, 10 * USDC, &trader.token);
    b.record("withdraw_standby", res);
    f.advance(1);
    f.set_price(pyth_price(96.0));
    let key = f.position_key(&trader.key(), 4);
    assert!(f.market().sweep.expires_at >= f.env.now(), "the sweep is live");
    let res = f.top_up(&keeper, &key);
    b.record("top_up", res);
    f.advance(1);
    f.set_price(pyth_price(91.0));
    let res = f.liquidate(&keeper, &trader, 4);
    b.record("liquidate (standby rescue)", res);

    // Limit orders: placement, a fill (with take-profit and stop-loss), a cancel, an expiry.
    f.set_price(pyth_price(100.0));
    let spec = |id: u64, now: i64| ix::OrderSpec {
        id,
        side: Side::Long,
        collateral: 202 * USDC,
        size: 2_000 * USDC,
        limit_price: 99 * ringfence_sdk::math::PRICE_ONE,
        expiry: now + 600,
        exec_fee: USDC,
        take_profit: TriggerArgs { price: 120 * ringfence_sdk::math::PRICE_ONE, size: 0, fee: USDC },
        stop_loss: TriggerArgs { price: 90 * ringfence_sdk::math::PRICE_ONE, size: 0, fee: USDC },
    };
    let res = f.place_order(&trader, &spec(10, f.env.now()));
    b.record("place_limit_order", res);
    f.advance(ringfence_sdk::math::MAX_CLOCK_SKEW_SECS + 1);
    f.set_price(pyth_price(98.0));
    let order = f.order_key(&trader.key(), 10);
    let res = f.execute_order(&keeper, &order);
    b.record("execute_limit_order", res);
    f.place_order(&trader, &spec(11, f.env.now())).expect("place");
    let order = f.order_key(&trader.key(), 11);
    let res = f.cancel_order(&trader, &order, &trader.token);
    b.record("cancel_limit_order", res);
    f.place_order(&trader, &spec(12, f.env.now())).expect("place");
    f.advance(601);
    let order = f.order_key(&trader.key(), 12);
    let res = f.close_expired_order(&order);
    b.record("close_expired_order", res);

    // Admin.
    let next = f.env.new_wallet(1);
    let res = f.env.send(&[ix::propose_admin(&admin.pubkey(), &market, &next.pubkey())], &[&admin]);
    b.record("propose_admin", res);
    let res = f.env.send(&[ix::accept_admin(&next.pubkey(), &market)], &[&next]);
    b.record("accept_admin", res);
    let res = f.env.send(&[ix::set_pause(&next.pubkey(), &market, pause::DEPOSIT)], &[&next]);
    b.record("set_pause", res);
    let harmless = RiskParams { open_fee_bps: 5, ..f.params };
    let res = f.env.send(&[ix::set_params(&next.pubkey(), &market, harmless)], &[&next]);
    b.record("set_params", res);
    let res = f.env.send(&[ix::set_oracle(&next.pubkey(), &market, &f.oracle)], &[&next]);
    b.record("set_oracle", res);
    let res = f.env.send(&[ix::cancel_pending_change(&next.pubkey(), &market)], &[&next]);
    b.record("cancel_pending_change", res);
    f.env.send(&[ix::set_oracle(&next.pubkey(), &market, &f.oracle)], &[&next]).expect("schedule");
    f.env.advance(i64::try_from(f.params.timelock_secs).unwrap_or(0));
    let res = f.env.send(&[ix::apply_pending_change(&market)], &[]);
    b.record("apply_pending_change", res);
    f.assert_invariants();

    let mut over = false;
    for (name, units) in &b.0 {
        println!("cu {name} {units}");
        if let Some((_, budget)) = BUDGETS.iter().find(|(n, _)| n == name) {
            if units > budget {
                eprintln!("OVER BUDGET: {name} {units} > {budget}");
                over = true;
            }
        }
    }
    let rent = |n: usize| f.env.svm.minimum_balance_for_rent_exemption(n);
    println!("rent position_and_vault {} lamports", rent(POSITION_SPACE) + rent(165));
    println!("rent market {} lamports", rent(MARKET_SPACE));
    println!("rent order {} lamports (plus the position's prefunded rent)", rent(ORDER_SPACE));
    println!("size position {POSITION_SPACE} bytes");
    println!("size order {ORDER_SPACE} bytes");
    println!("size market {MARKET_SPACE} bytes");
    println!("size vault 165 bytes");
    if over {
        std::process::exit(1);
    }
}
