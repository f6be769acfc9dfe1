//! The fresh-context review of the liquidation-liveness change (findings M1–M3), each a test
//! that failed on the code it reviewed and passes with its fix:
//! - M1: an instant parameter change ended the live sweep, so the admin could keep LP withdrawals
//!   from executing with no timelock (now a sweep values with the parameters of its start and no
//!   parameter change ends it);
//! - M2: a due change never lapsed, so it could be held and sprung on positions opened long after
//!   it was due (now it lapses an hour after its effective time);
//! - M3: liquidations settled at the trader's side of the interval, so self-liquidation beat
//!   closing by twice the interval, out of the pool (now they settle at the mid).
use ringfence_harness::*;
use ringfence_sdk::ix;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::{pda, LpRequest, RiskParams, Side};

use crate::common::*;

#[test]
fn m1_an_instant_admin_change_cannot_void_the_sweep_a_withdrawal_executes_at() {
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let t = f.wallet(1_000 * USDC);
    f.open(&t, 1, Side::Long, 110 * USDC, 1_000 * USDC).unwrap();
    let lp = f.fund_pool(10_000 * USDC);
    let shares = f.lp_balance(&lp) / 2;
    f.request_withdrawal(&lp, shares).unwrap();
    // Let the deposit's sweep (which predates the request) go stale.
    f.advance(61);
    assert!(!f.market().sweep_live(f.env.now()));

    let mut executed = false;
    for round in 0..3 {
        // The keeper: a sweep at a price newer than the request, every position valued.
        f.advance(1);
        f.start_sweep().expect("start sweep");
        f.sweep_all().expect("sweep");
        assert!(f.market().sweep_complete(f.env.now()), "the sweep is complete: the withdrawal is executable");
        // The admin front-runs the execution with a one-unit nudge of an opening-only cap
        // (`Hurts::Never`: applies at once, no timelock) ...
        let p = f.market().params;
        let cap = if round % 2 == 0 { p.max_open_interest_long - 1 } else { p.max_open_interest_long + 1 };
        set_params(&mut f, RiskParams { max_open_interest_long: cap, ..p }).expect("instant change");
        // ... which ends the sweep (`end_sweep`): the execution fails with SweepNotComplete.
        let res = f.execute(&lp.key());
        executed |= res.is_ok();
    }
    let req: LpRequest = f.env.decode(&pda::lp_request(&f.keys.market, &lp.key()));
    assert!(
        executed,
        "three complete sweeps voided by instant, untimelocked OI-cap nudges; the withdrawal of {shares} shares \
         is still pending (executed = {}); after {} s its only way out is cancel_lp_request, which burns the \
         LP fee ({} bps)",
        req.executed,
        600,
        f.market().params.lp_fee_bps
    );
}

#[test]
fn m2_a_stale_pending_change_cannot_be_sprung_on_positions_opened_after_it_was_due() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    let p = f.params;
    // Maintenance 5% -> 9% (with initial 10% -> 13%): scheduled, due in 1 h ... and left pending.
    set_params(&mut f, RiskParams { maintenance_margin_bps: 900, initial_margin_bps: 1_300, ..p }).unwrap();
    f.advance(30 * 86_400);
    assert_eq!(f.market().params.maintenance_margin_bps, 500, "5% is what the market shows and enforces");
    // 29 days after the change was due, a trader opens 10x under the parameters in force.
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    // -2%: equity 80 = healthy at 5% (50), underwater at 9% (90).
    f.set_price(px(98));
    rejects(&mut f, RingfenceError::PositionHealthy, |f| f.liquidate(&keeper, &t, 1));
    // Anyone springs the month-old change and liquidates in the same transaction.
    let a = f.liquidate_accounts(&keeper, &t, 1);
    let market = f.keys.market;
    let res = f.step(&[ix::apply_pending_change(&market), ix::liquidate(&a)], &[&keeper.kp]);
    // The change lapsed an hour after it was due: nobody can spring it now.
    assert_ringfence_err(&res, RingfenceError::PendingChangeLapsed);
    // A lapsed change can be replaced by a new proposal, which starts a new exit window.
    set_params(&mut f, RiskParams { maintenance_margin_bps: 900, initial_margin_bps: 1_300, ..p }).expect("reschedule");
    assert_eq!(f.market().pending.effective_at, f.env.now() + 3_600);
}

#[test]
fn m3_self_liquidation_is_no_better_an_exit_than_closing() {
    let mut f = MarketFixture::new();
    let (a, b) = (f.wallet(1_000 * USDC), f.wallet(1_000 * USDC));
    f.open(&a, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.open(&b, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    // Mid 93 with a 2% interval: exactly the trading bound, so closing is allowed.
    f.advance(1);
    let wide = PriceFixture { price: px(93), conf: (px(93) * 200 / 10_000) as u64, ..f.price_fixture() };
    f.write_oracle(&wide);

    // a closes (exit at mid - conf = 91.14).
    let before = f.env.token_balance(&a.token);
    f.close(&a, 1).expect("close in a 2% interval");
    let closed = f.env.token_balance(&a.token) - before;

    // b, the same position at the same oracle update, liquidates itself (judged at mid + conf =
    // 94.86, settled at the mid, 93) and claims the residual.
    let before = f.env.token_balance(&b.token);
    let res = f.liquidate(&b, &b, 1);
    assert!(res.is_ok(), "{}", describe(&res));
    let key = f.position_key(&b.key(), 1);
    f.claim_residual(&b, &key, &b.token).expect("claim");
    let self_liquidated = f.env.token_balance(&b.token) - before;

    let conf = npx(93) * 2 / 100;
    let entry = entry_at(Side::Long, 100);
    let at_mid = 100 * USDC as i128 + pnl(Side::Long, 1_000 * USDC, entry, npx(93));
    // Settled at the mid: the residual is the equity at 93 less fees and the reward (to b itself),
    // so self-liquidating beats closing by at most the reward plus one interval, never two.
    let e = at_mid - 10 * USDC as i128; // no fees in default_params; keeper reward 10
    assert_eq!(self_liquidated as i128, e + 10 * USDC as i128, "residual + own reward, at the mid");
    let one_interval = (1_000 * USDC as u128 * conf as u128 / entry as u128) as u64;
    assert!(
        self_liquidated - closed <= 10 * USDC + one_interval + 1,
        "closing paid {closed}, self-liquidating {self_liquidated}: more than the reward plus one interval"
    );
}
