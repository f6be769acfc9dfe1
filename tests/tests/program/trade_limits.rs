//! The trader's bound on every trade at the oracle price (issue 9, section 0): the worst
//! acceptable execution price and an optional deadline. A worse price or a passed deadline fails
//! with a named error and moves nothing; the bound itself is inclusive.
use ringfence_harness::*;
use ringfence_sdk::ix::{self, limit_with_slippage, TradeLimit};
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::Side;

use crate::common::*;

fn open_with(f: &mut MarketFixture, w: &Wallet, id: u64, side: Side, limit: TradeLimit) -> TxResult {
    let ix = ix::open_position(&w.key(), &w.token, &f.keys, id, side, 100 * USDC, 1_000 * USDC, limit);
    f.step(&[ix], &[&w.kp])
}

#[test]
fn opens_execute_only_within_the_acceptable_price() {
    let mut f = MarketFixture::new();
    let t = f.wallet(10_000 * USDC);
    for (id, side) in [(1, Side::Long), (2, Side::Short)] {
        let entry = entry_at(side, 100); // the price the trade executes at
        let worse = if side == Side::Long { entry - 1 } else { entry + 1 };
        rejects(&mut f, RingfenceError::PriceWorseThanAcceptable, |f| {
            open_with(f, &t, id, side, TradeLimit { acceptable_price: worse, deadline: None })
        });
        let res = open_with(&mut f, &t, id, side, TradeLimit { acceptable_price: entry, deadline: None });
        assert!(res.is_ok(), "{side:?} at exactly the acceptable price: {}", describe(&res));
        assert_eq!(f.position(&t.key(), id).entry_price, entry);
    }
}

#[test]
fn exits_execute_only_within_the_acceptable_price() {
    let mut f = MarketFixture::new();
    let t = f.wallet(10_000 * USDC);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.open(&t, 2, Side::Short, 100 * USDC, 1_000 * USDC).unwrap();
    f.set_price(px(102));
    // A long sells at 102 - conf: it accepts no less than its bound.
    let exit = exit_at(Side::Long, 102);
    let a = f.position_accounts(&t, 1);
    rejects(&mut f, RingfenceError::PriceWorseThanAcceptable, |f| {
        let limit = TradeLimit { acceptable_price: exit + 1, deadline: None };
        f.step(&[ix::close_position(&a, limit)], &[&t.kp])
    });
    rejects(&mut f, RingfenceError::PriceWorseThanAcceptable, |f| {
        let limit = TradeLimit { acceptable_price: exit + 1, deadline: None };
        f.step(&[ix::decrease_position(&a, 500 * USDC, limit)], &[&t.kp])
    });
    let limit = TradeLimit { acceptable_price: exit, deadline: None };
    assert!(f.step(&[ix::decrease_position(&a, 500 * USDC, limit)], &[&t.kp]).is_ok());
    // A short buys back at 102 + conf: it pays no more than its bound.
    let exit = exit_at(Side::Short, 102);
    let b = f.position_accounts(&t, 2);
    rejects(&mut f, RingfenceError::PriceWorseThanAcceptable, |f| {
        let limit = TradeLimit { acceptable_price: exit - 1, deadline: None };
        f.step(&[ix::close_position(&b, limit)], &[&t.kp])
    });
    let limit = TradeLimit { acceptable_price: exit, deadline: None };
    assert!(f.step(&[ix::close_position(&b, limit)], &[&t.kp]).is_ok());
    f.assert_invariants();
}

#[test]
fn a_passed_deadline_moves_nothing() {
    let mut f = MarketFixture::new();
    let t = f.wallet(10_000 * USDC);
    let now = f.env.now();
    rejects(&mut f, RingfenceError::TradeDeadlinePassed, |f| {
        open_with(f, &t, 1, Side::Long, TradeLimit { deadline: Some(now - 1), ..TradeLimit::any(Side::Long, true) })
    });
    let limit = TradeLimit { deadline: Some(now), ..TradeLimit::any(Side::Long, true) };
    assert!(open_with(&mut f, &t, 1, Side::Long, limit).is_ok(), "the deadline second itself is in time");
    let a = f.position_accounts(&t, 1);
    rejects(&mut f, RingfenceError::TradeDeadlinePassed, |f| {
        let limit = TradeLimit { deadline: Some(now - 1), ..TradeLimit::any(Side::Long, false) };
        f.step(&[ix::close_position(&a, limit)], &[&t.kp])
    });
}

/// What clients send: the previewed execution price, a slippage tolerance, never looser than asked.
#[test]
fn slippage_bounds_from_a_preview() {
    let preview = npx(100);
    let buy = limit_with_slippage(Side::Long, true, preview, 50, Some(7));
    assert_eq!((buy.acceptable_price, buy.deadline), (npx(100) + npx(100) / 200, Some(7)));
    let sell = limit_with_slippage(Side::Long, false, preview, 50, None);
    assert_eq!(sell.acceptable_price, npx(100) - npx(100) / 200);
    assert_eq!(limit_with_slippage(Side::Short, true, preview, 50, None).acceptable_price, sell.acceptable_price);
    assert_eq!(limit_with_slippage(Side::Short, false, preview, 50, None).acceptable_price, buy.acceptable_price);
    // Rounded toward the preview: 1 bp of 99 units is 0.0099, so a buyer accepts 99 + 0 = 99 and a
    // seller 99 - 0 = 99 (never a looser bound than asked).
    assert_eq!(limit_with_slippage(Side::Long, true, 99, 1, None).acceptable_price, 99);
    assert_eq!(limit_with_slippage(Side::Long, false, 99, 1, None).acceptable_price, 99);
    // A trade previewed at 100 executes with a 0.5% tolerance when the price moves 0.4%, not 0.6%.
    let mut f = MarketFixture::new();
    let t = f.wallet(10_000 * USDC);
    let limit = limit_with_slippage(Side::Long, true, entry_at(Side::Long, 100), 50, None);
    f.set_price(px(100) + px(1) * 6 / 10);
    rejects(&mut f, RingfenceError::PriceWorseThanAcceptable, |f| open_with(f, &t, 1, Side::Long, limit));
    f.set_price(px(100) + px(1) * 4 / 10);
    assert!(open_with(&mut f, &t, 1, Side::Long, limit).is_ok());
}
