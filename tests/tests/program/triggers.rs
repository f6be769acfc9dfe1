//! Take-profit and stop-loss (issue 9, section 2): `set_trigger` escrows the execution fee in the
//! position's own vault; any keeper executes a crossed trigger with a price published after it
//! was set, settling exactly as the owner's close / decrease at that oracle price, the owner's part
//! left in the vault as residual (claimed like a liquidation residual).
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::status;
use ringfence_sdk::{Side, TriggerArgs, TriggerKind};

use crate::common::*;

fn tp(price_units: u64, size: u64, fee: u64) -> TriggerArgs {
    TriggerArgs { price: npx(price_units), size, fee }
}

/// Two identical positions (ids 1 of `a` and of `b`) opened at the same price and time.
fn twins(f: &mut MarketFixture, side: Side) -> (Wallet, Wallet) {
    let a = f.wallet(10_000 * USDC);
    let b = f.wallet(10_000 * USDC);
    f.open(&a, 1, side, 110 * USDC, 1_000 * USDC).unwrap();
    f.open(&b, 1, side, 110 * USDC, 1_000 * USDC).unwrap();
    (a, b)
}

#[test]
fn a_take_profit_closes_exactly_as_the_owner_would_and_pays_the_keeper() {
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let (a, b) = twins(&mut f, Side::Long);
    let keeper = f.wallet(0);
    let wallet0 = f.env.token_balance(&a.token);
    f.set_trigger(&a, 1, TriggerKind::TakeProfit, tp(110, 0, 2 * USDC)).unwrap();
    assert_eq!(wallet0 - f.env.token_balance(&a.token), 2 * USDC, "fee escrowed from the owner");
    let key = f.position_key(&a.key(), 1);
    assert_eq!(f.env.token_balance(&f.position(&a.key(), 1).vault), {
        let p = f.position(&a.key(), 1);
        p.collateral + p.reserve + 2 * USDC
    });
    f.advance(3_600);
    f.set_price(px(112));
    let keeper_sol = f.env.account(&keeper.key()).unwrap().lamports;
    let res = f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit);
    let ev = events(&res);
    let [Event::TriggerExecuted(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    // The owner of the twin closes at the same price and time: the same settlement.
    let res = f.close(&b, 1);
    let ev = events(&res);
    let [Event::PositionClosed(c)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert!(e.full_close);
    assert_eq!((e.exit_price, e.pnl, e.borrow_fee, e.close_fee), (c.exit_price, c.pnl, c.borrow_fee, c.close_fee));
    assert_eq!((e.to_owner, e.to_pool), (c.to_trader, c.to_pool));
    assert_eq!(e.exit_price, exit_at(Side::Long, 112));
    // Keeper: the escrowed fee, and no rent paid (the fixture's payer pays transaction fees).
    assert_eq!(f.env.token_balance(&keeper.token), 2 * USDC);
    assert_eq!(keeper_sol, f.env.account(&keeper.key()).unwrap().lamports);
    // The owner's part waits in the vault; the position is out of the market.
    let p = f.position(&a.key(), 1);
    assert_eq!((p.status, p.residual), (status::CLOSED, c.to_trader));
    assert_eq!(f.env.token_balance(&p.vault), c.to_trader);
    assert_eq!(f.market().positions_open, 0);
    // Claimed like a liquidation residual: everything, and both accounts close.
    let before = f.env.token_balance(&a.token);
    f.claim_residual(&a, &key, &a.token).unwrap();
    assert_eq!(f.env.token_balance(&a.token) - before, c.to_trader);
    assert!(f.env.account(&key).is_none() && f.env.account(&p.vault).is_none());
    // Executed once: nothing left to execute.
    rejects_anchor(&mut f, anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram, |f| {
        f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit)
    });
}

#[test]
fn a_partial_stop_loss_decreases_exactly_as_the_owner_would() {
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let (a, b) = twins(&mut f, Side::Short);
    let keeper = f.wallet(0);
    f.set_trigger(&a, 1, TriggerKind::StopLoss, tp(104, 400 * USDC, USDC)).unwrap();
    f.set_trigger(&a, 1, TriggerKind::TakeProfit, tp(90, 0, USDC)).unwrap();
    f.advance(60);
    f.set_price(px(104)); // a short exits at 104 + conf: crossed
    let key = f.position_key(&a.key(), 1);
    let res = f.execute_trigger(&keeper, &key, TriggerKind::StopLoss);
    let ev = events(&res);
    let [Event::TriggerExecuted(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    let res = f.decrease(&b, 1, 400 * USDC);
    let ev = events(&res);
    let [Event::PositionDecreased(d)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert!(!e.full_close);
    assert_eq!((e.size_closed, e.size), (400 * USDC, 600 * USDC));
    assert_eq!((e.pnl, e.borrow_fee, e.close_fee), (d.realized_pnl, d.borrow_fee, d.close_fee));
    assert_eq!((e.to_owner, e.to_pool), (d.to_trader, d.to_pool));
    let (pa, pb) = (f.position(&a.key(), 1), f.position(&b.key(), 1));
    assert_eq!(
        (pa.size, pa.collateral, pa.reserve, pa.entry_price),
        (pb.size, pb.collateral, pb.reserve, pb.entry_price)
    );
    // The stop-loss is consumed, the take-profit stays; the proceeds wait as residual.
    assert_eq!(pa.stop_loss, Default::default());
    assert_eq!((pa.take_profit.price, pa.take_profit.fee), (npx(90), USDC));
    assert_eq!((pa.residual, pa.status), (d.to_trader, status::OPEN));
    // The owner claims it while the position stays open.
    let before = f.env.token_balance(&a.token);
    let res = f.claim_residual(&a, &key, &a.token);
    let ev = events(&res);
    let [Event::ResidualClaimed(r)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert!(!r.closed);
    assert_eq!(f.env.token_balance(&a.token) - before, d.to_trader);
    assert_eq!((f.position(&a.key(), 1).residual, f.position(&a.key(), 1).status), (0, status::OPEN));
    rejects(&mut f, RingfenceError::NothingToClaim, |f| f.claim_residual(&a, &key, &a.token));
}

#[test]
fn a_trigger_never_executes_on_a_price_from_before_it_was_set() {
    let mut f = MarketFixture::new();
    let t = f.wallet(10_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.advance(5);
    f.set_price(px(120)); // already crossed when set, published this second
    f.set_trigger(&t, 1, TriggerKind::TakeProfit, tp(110, 0, USDC)).unwrap();
    let key = f.position_key(&t.key(), 1);
    rejects(&mut f, RingfenceError::PriceNotAfterOrder, |f| f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit));
    // Up to MAX_CLOCK_SKEW_SECS later, a price might have been on chain (ahead of the clock) at the
    // setting: still refused.
    f.advance(AFTER - 1);
    rejects(&mut f, RingfenceError::PriceNotAfterOrder, |f| f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit));
    // Changing it restarts the clock too.
    f.set_trigger(&t, 1, TriggerKind::TakeProfit, tp(111, 0, USDC)).unwrap();
    f.advance(AFTER - 1);
    rejects(&mut f, RingfenceError::PriceNotAfterOrder, |f| f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit));
    f.advance(1);
    f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit).unwrap();
}

#[test]
fn rejections_move_nothing() {
    let mut f = MarketFixture::new();
    let t = f.wallet(10_000 * USDC);
    let other = f.wallet(10_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let key = f.position_key(&t.key(), 1);
    rejects(&mut f, RingfenceError::TriggerNotSet, |f| f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit));
    rejects(&mut f, RingfenceError::InvalidTrigger, |f| {
        f.set_trigger(&t, 1, TriggerKind::TakeProfit, TriggerArgs { price: 0, size: 0, fee: 1 })
    });
    // Someone else cannot set a trigger on it.
    let pos = f.position(&t.key(), 1);
    rejects(&mut f, RingfenceError::OwnerMismatch, |f| {
        let ix = ringfence_sdk::ix::set_trigger(
            &other.token,
            &key,
            &ringfence_sdk::Position { owner: other.key(), ..pos },
            TriggerKind::TakeProfit,
            tp(110, 0, 0),
        );
        f.step(&[ix], &[&other.kp])
    });
    f.set_trigger(&t, 1, TriggerKind::TakeProfit, tp(110, 0, USDC)).unwrap();
    f.set_trigger(&t, 1, TriggerKind::StopLoss, tp(95, 0, USDC)).unwrap();
    f.advance(AFTER);
    rejects(&mut f, RingfenceError::TriggerNotCrossed, |f| f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit));
    rejects(&mut f, RingfenceError::TriggerNotCrossed, |f| f.execute_trigger(&keeper, &key, TriggerKind::StopLoss));
    // Far through the stop-loss, the position is liquidatable: liquidation takes precedence.
    f.advance(AFTER);
    f.set_price(px(94));
    assert!(f.health(&t.key(), 1).unwrap().liquidatable);
    rejects(&mut f, RingfenceError::PositionLiquidatable, |f| f.execute_trigger(&keeper, &key, TriggerKind::StopLoss));
    // A stale price (older than the trade age) is refused as for the owner's close.
    f.env.advance(31);
    rejects(&mut f, RingfenceError::OraclePriceStale, |f| f.execute_trigger(&keeper, &key, TriggerKind::StopLoss));
    // Liquidated: the escrowed fees join the residual, never seized.
    f.set_price(px(94));
    let res = f.liquidate(&keeper, &t, 1);
    let ev = events(&res);
    let Some(Event::PositionLiquidated(l)) = ev.first() else { panic!("{}", describe(&res)) };
    assert_eq!(l.returned_apart, 2 * USDC);
    assert_eq!(f.position(&t.key(), 1).residual, l.residual);
    rejects(&mut f, RingfenceError::PositionNotOpen, |f| f.execute_trigger(&keeper, &key, TriggerKind::StopLoss));
    rejects(&mut f, RingfenceError::PositionNotOpen, |f| f.set_trigger(&t, 1, TriggerKind::StopLoss, tp(90, 0, 0)));
}

#[test]
fn fees_escrow_only_the_difference_and_clearing_refunds_them() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let w0 = f.env.token_balance(&t.token);
    f.set_trigger(&t, 1, TriggerKind::StopLoss, tp(95, 0, 2 * USDC)).unwrap();
    f.set_trigger(&t, 1, TriggerKind::StopLoss, tp(96, 0, 5 * USDC)).unwrap();
    assert_eq!(w0 - f.env.token_balance(&t.token), 5 * USDC);
    let res = f.set_trigger(&t, 1, TriggerKind::StopLoss, tp(96, 0, USDC));
    let ev = events(&res);
    let [Event::TriggerSet(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!((e.fee, e.fee_refunded), (USDC, 5 * USDC));
    assert_eq!(w0 - f.env.token_balance(&t.token), USDC);
    f.set_trigger(&t, 1, TriggerKind::StopLoss, TriggerArgs::default()).unwrap();
    assert_eq!(f.env.token_balance(&t.token), w0);
    assert_eq!(f.position(&t.key(), 1).stop_loss, Default::default());
    // Closing returns escrowed fees beside the settlement.
    f.set_trigger(&t, 1, TriggerKind::TakeProfit, tp(150, 0, 3 * USDC)).unwrap();
    let res = f.close(&t, 1);
    let ev = events(&res);
    let [Event::PositionClosed(c)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!(c.returned_apart, 3 * USDC);
    assert_eq!(f.env.token_balance(&t.token), w0 + c.to_trader);
}

#[test]
fn executing_one_positions_trigger_leaves_another_byte_for_byte_unchanged() {
    let mut f = MarketFixture::new();
    let (a, b) = twins(&mut f, Side::Long);
    let keeper = f.wallet(0);
    f.set_trigger(&a, 1, TriggerKind::TakeProfit, tp(105, 0, USDC)).unwrap();
    f.set_trigger(&b, 1, TriggerKind::TakeProfit, tp(200, 0, USDC)).unwrap();
    f.advance(AFTER);
    f.set_price(px(106));
    let kb = f.position_key(&b.key(), 1);
    let vb = f.position(&b.key(), 1).vault;
    let before = (f.env.account(&kb).unwrap(), f.env.account(&vb).unwrap(), f.env.token_balance(&b.token));
    let ka = f.position_key(&a.key(), 1);
    f.execute_trigger(&keeper, &ka, TriggerKind::TakeProfit).unwrap();
    assert_eq!((f.env.account(&kb).unwrap(), f.env.account(&vb).unwrap(), f.env.token_balance(&b.token)), before);
    // A's vault cannot execute B's trigger: the accounts are the position's own.
    let mut acc = f.position(&b.key(), 1);
    acc.vault = f.position(&a.key(), 1).vault;
    rejects(&mut f, RingfenceError::VaultMismatch, |f| {
        let ix = ringfence_sdk::ix::execute_trigger(
            &keeper.key(),
            &keeper.token,
            &f.keys,
            &kb,
            &acc,
            TriggerKind::TakeProfit,
        );
        f.step(&[ix], &[&keeper.kp])
    });
}
