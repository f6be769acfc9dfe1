//! Standby margin and automatic top-ups (issue 9, section 4): standby sits in the position's own
//! vault apart from collateral, out of every settlement and the pool value; `top_up` moves exactly
//! min(step, standby) under the owner's rule; `liquidate` applies standby first when it restores
//! health; standby is never seized.
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::status;
use ringfence_sdk::Side;

use crate::common::*;

#[test]
fn standby_is_added_and_withdrawn_at_any_time_and_never_counts_as_collateral() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let other = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let health0 = f.health(&t.key(), 1).unwrap();
    let res = f.add_standby(&t, 1, 50 * USDC);
    let ev = events(&res);
    let [Event::StandbyAdded(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!((e.amount, e.standby), (50 * USDC, 50 * USDC));
    let p = f.position(&t.key(), 1);
    assert_eq!((p.standby, p.collateral), (50 * USDC, 100 * USDC));
    assert_eq!(f.env.token_balance(&p.vault), 100 * USDC + p.reserve + 50 * USDC);
    // Health and what a liquidation would pay are those without standby.
    let h = f.health(&t.key(), 1).unwrap();
    assert_eq!((h.equity, h.residual), (health0.equity, health0.residual));
    // Withdrawn to any token account of the mint, even while the position is liquidatable.
    f.advance(1);
    f.set_price(px(94));
    assert!(f.health(&t.key(), 1).unwrap().liquidatable);
    f.withdraw_standby(&t, 1, 20 * USDC, &other.token).unwrap();
    assert_eq!(f.env.token_balance(&other.token), 20 * USDC);
    rejects(&mut f, RingfenceError::InsufficientStandby, |f| f.withdraw_standby(&t, 1, 31 * USDC, &t.token));
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.add_standby(&t, 1, 0));
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.withdraw_standby(&t, 1, 0, &t.token));
}

#[test]
fn top_up_moves_exactly_one_step_when_equity_is_below_the_ratio() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap(); // mm 50
    let key = f.position_key(&t.key(), 1);
    rejects(&mut f, RingfenceError::NoTopUpRule, |f| f.top_up(&keeper, &key));
    rejects(&mut f, RingfenceError::InvalidTopUpRule, |f| f.set_topup_rule(&t, 1, 9_999, 10 * USDC, 0));
    rejects(&mut f, RingfenceError::InvalidTopUpRule, |f| f.set_topup_rule(&t, 1, 15_000, 0, 0));
    let res = f.set_topup_rule(&t, 1, 15_000, 20 * USDC, USDC); // due below equity 75
    assert!(matches!(&events(&res)[..], [Event::TopUpRuleSet(_)]), "{}", describe(&res));
    rejects(&mut f, RingfenceError::NoStandby, |f| f.top_up(&keeper, &key));
    f.add_standby(&t, 1, 30 * USDC).unwrap();
    rejects(&mut f, RingfenceError::TopUpNotDue, |f| f.top_up(&keeper, &key));
    // At 97.5 (judged at +conf) equity ~75.1: not due; at 97 ~70: due.
    f.advance(1);
    f.set_price(px(97));
    let h = f.health(&t.key(), 1).unwrap();
    assert!(h.equity < 75 * USDC as i128 && !h.liquidatable);
    let res = f.top_up(&keeper, &key);
    let ev = events(&res);
    let [Event::StandbyApplied(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert!(!e.rescue);
    assert_eq!((e.moved, e.keeper_fee, e.standby, e.collateral), (20 * USDC, USDC, 9 * USDC, 120 * USDC));
    assert_eq!(e.equity_before, h.equity);
    assert_eq!(f.env.token_balance(&keeper.token), USDC);
    let p = f.position(&t.key(), 1);
    assert_eq!((p.collateral, p.standby), (120 * USDC, 9 * USDC));
    // Healthy above 1.5x now: nothing more is due until the price falls again.
    rejects(&mut f, RingfenceError::TopUpNotDue, |f| f.top_up(&keeper, &key));
    f.advance(1);
    f.set_price(px(95)); // equity ~70 on 120 of collateral
                         // The last step moves what is left, and no fee remains for the keeper.
    let res = f.top_up(&keeper, &key);
    let ev = events(&res);
    let [Event::StandbyApplied(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!((e.moved, e.keeper_fee, e.standby), (9 * USDC, 0, 0));
    rejects(&mut f, RingfenceError::NoStandby, |f| f.top_up(&keeper, &key));
}

#[test]
fn liquidate_applies_standby_first_when_it_restores_health() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.set_topup_rule(&t, 1, 10_000, 5 * USDC, USDC / 2).unwrap();
    f.add_standby(&t, 1, 40 * USDC).unwrap();
    f.advance(1);
    f.set_price(px(94)); // equity ~ 40.1 at 94 + conf, maintenance ~ 50 (47 at 94)
    let h = f.health(&t.key(), 1).unwrap();
    assert!(h.liquidatable);
    let needed = (i128::from(h.maintenance_requirement) - h.equity) as u64;
    let res = f.liquidate(&keeper, &t, 1);
    let ev = events(&res);
    let [Event::StandbyApplied(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert!(e.rescue);
    // The least whole number of 5-token steps that covers what was missing.
    assert_eq!(e.moved, needed.div_ceil(5 * USDC) * 5 * USDC);
    assert_eq!(e.keeper_fee, USDC / 2);
    let p = f.position(&t.key(), 1);
    assert_eq!(p.status, status::OPEN);
    assert_eq!(p.standby, 40 * USDC - e.moved - USDC / 2);
    assert!(!f.health(&t.key(), 1).unwrap().liquidatable);
    rejects(&mut f, RingfenceError::PositionHealthy, |f| f.liquidate(&keeper, &t, 1));
}

#[test]
fn standby_that_cannot_save_the_position_is_returned_never_seized() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let twin = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.open(&twin, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.add_standby(&t, 1, 10 * USDC).unwrap();
    f.advance(1);
    f.set_price(px(93));
    let res = f.liquidate(&keeper, &t, 1);
    let ev = events(&res);
    let [Event::PositionLiquidated(l)] = &ev[..] else { panic!("{}", describe(&res)) };
    let res = f.liquidate(&keeper, &twin, 1);
    let ev = events(&res);
    let [Event::PositionLiquidated(w)] = &ev[..] else { panic!("{}", describe(&res)) };
    // The same settlement as without standby; the standby joins the owner's residual in full.
    assert_eq!((l.keeper_reward, l.to_pool, l.bad_debt), (w.keeper_reward, w.to_pool, w.bad_debt));
    assert_eq!(l.returned_apart, 10 * USDC);
    assert_eq!(l.residual, w.residual + 10 * USDC);
    let key = f.position_key(&t.key(), 1);
    let before = f.env.token_balance(&t.token);
    f.claim_residual(&t, &key, &t.token).unwrap();
    assert_eq!(f.env.token_balance(&t.token) - before, w.residual + 10 * USDC);
}

#[test]
fn closing_returns_standby_in_full_beside_the_same_settlement() {
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let t = f.wallet(1_000 * USDC);
    let twin = f.wallet(1_000 * USDC);
    f.open(&t, 1, Side::Short, 110 * USDC, 1_000 * USDC).unwrap();
    f.open(&twin, 1, Side::Short, 110 * USDC, 1_000 * USDC).unwrap();
    f.add_standby(&t, 1, 25 * USDC).unwrap();
    f.advance(3_600);
    f.set_price(px(97));
    let res = f.close(&t, 1);
    let ev = events(&res);
    let [Event::PositionClosed(a)] = &ev[..] else { panic!("{}", describe(&res)) };
    let res = f.close(&twin, 1);
    let ev = events(&res);
    let [Event::PositionClosed(b)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!((a.to_trader, a.to_pool, a.pnl), (b.to_trader, b.to_pool, b.pnl));
    assert_eq!(a.returned_apart, 25 * USDC);
    assert_eq!(f.env.token_balance(&t.token), f.env.token_balance(&twin.token));
}

#[test]
fn a_top_up_of_one_position_leaves_another_byte_for_byte_unchanged() {
    let mut f = MarketFixture::new();
    let a = f.wallet(1_000 * USDC);
    let b = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    for w in [&a, &b] {
        f.open(w, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
        f.set_topup_rule(w, 1, 20_000, 10 * USDC, USDC).unwrap();
        f.add_standby(w, 1, 30 * USDC).unwrap();
    }
    f.advance(1);
    f.set_price(px(97));
    let kb = f.position_key(&b.key(), 1);
    let vb = f.position(&b.key(), 1).vault;
    let before = (f.env.account(&kb).unwrap(), f.env.account(&vb).unwrap());
    let ka = f.position_key(&a.key(), 1);
    f.top_up(&keeper, &ka).unwrap();
    assert_eq!((f.env.account(&kb).unwrap(), f.env.account(&vb).unwrap()), before);
    // Another position's vault cannot be passed for it.
    let mut wrong = f.position(&a.key(), 1);
    wrong.vault = vb;
    rejects(&mut f, RingfenceError::VaultMismatch, |f| {
        let ix = ringfence_sdk::ix::top_up(&keeper.key(), &keeper.token, &f.keys, &ka, &wrong);
        f.step(&[ix], &[&keeper.kp])
    });
}
