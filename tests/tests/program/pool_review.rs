//! The rest of the pool review's economic findings: no position liquidatable the moment it opens
//! (parameter bounds), short reserves capped at the notional, a minimum size that also binds what a
//! decrease leaves, and the health view's "liquidatable at any price".
use ringfence_harness::*;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::PriceThreshold;
use ringfence_sdk::{RiskParams, Side};

use crate::common::*;

/// Initial margin exactly at its bound: maintenance + widest confidence + close fee + reward.
fn tight() -> RiskParams {
    RiskParams {
        initial_margin_bps: 1_000,
        maintenance_margin_bps: 590,
        max_conf_bps: 200,
        close_fee_bps: 10,
        liquidation_fee_bps: 200,
        open_fee_bps: 10,
        lp_fee_bps: 20,
        ..default_params()
    }
}

#[test]
fn no_position_is_liquidatable_the_moment_it_opens() {
    let mut f = MarketFixture::with_liquidity(tight(), INITIAL_LIQUIDITY);
    // The widest confidence the market accepts: 2% of the price.
    let wide = PriceFixture { conf: (px(100) as u64) / 50, ..f.price_fixture() };
    f.write_oracle(&wide);
    let t = f.wallet(10_000 * USDC);
    for (id, side) in [(1, Side::Long), (2, Side::Short)] {
        // At maximum leverage: collateral net of the 0.1% open fee exactly the 10% initial margin.
        f.open(&t, id, side, 101 * USDC, 1_000 * USDC).unwrap();
        let p = f.position(&t.key(), id);
        assert_eq!(p.collateral, 100 * USDC);
        // Entry paid the whole confidence interval against the trader.
        assert_eq!(p.entry_price, if side == Side::Long { npx(102) } else { npx(98) });
        let h = f.health(&t.key(), id).expect("view");
        assert!(!h.liquidatable, "{side:?} liquidatable at open: {h:?}");
        // Health is judged at the interval's side in the trader's favour: the entry itself, so the
        // equity is 100 - 1 close fee, well above maintenance (50).
        assert_eq!(h.pnl, 0, "{side:?}");
        assert!(h.equity >= i128::from(h.maintenance_requirement));
    }
}

#[test]
fn a_short_reserve_never_exceeds_its_notional() {
    let params = RiskParams { max_profit_bps: 30_000, ..default_params() };
    let mut f = MarketFixture::with_liquidity(params, INITIAL_LIQUIDITY);
    let t = f.wallet(1_000 * USDC);
    f.open(&t, 1, Side::Short, 100 * USDC, 1_000 * USDC).unwrap();
    f.open(&t, 2, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    // A short can gain at most 100% (the price cannot fall below zero); a long 300% here.
    assert_eq!(f.position(&t.key(), 1).reserve, 1_000 * USDC);
    assert_eq!(f.position(&t.key(), 2).reserve, 3_000 * USDC);
    // Even at a price near zero the short's whole reserve is enough.
    f.set_price(px(1));
    f.close(&t, 1).unwrap();
}

#[test]
fn a_decrease_cannot_leave_dust() {
    let mut f = MarketFixture::new(); // minimum size 10 USDC
    let t = f.wallet(1_000 * USDC);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    rejects(&mut f, RingfenceError::PositionTooSmall, |f| f.decrease(&t, 1, 1_000 * USDC - 10 * USDC + 1));
    assert!(f.decrease(&t, 1, 990 * USDC).is_ok(), "exactly the minimum may remain");
    assert_eq!(f.position(&t.key(), 1).size, 10 * USDC);
}

#[test]
fn the_view_says_liquidatable_at_any_price_when_even_the_whole_reserve_cannot_save_it() {
    // The highest borrow rate the market allows (1,000% a year) eats collateral and reserve.
    let params = RiskParams { borrow_rate_min: 317_098, borrow_rate_max: 317_098, ..fee_params() };
    let mut f = MarketFixture::with_liquidity(params, INITIAL_LIQUIDITY);
    let t = f.wallet(1_000 * USDC);
    f.open(&t, 1, Side::Long, 101 * USDC, 1_000 * USDC).unwrap(); // 100 collateral, 500 reserve
    let h = f.health(&t.key(), 1).expect("view");
    // 95.1% of the entry (100.01): the 1 close fee counts.
    assert_eq!(h.liquidation_price, PriceThreshold::At(entry_at(Side::Long, 100) * 951 / 1_000 - 1));
    // 0.07 of a year: ~697 of borrow fees > 100 + 500 - 50 maintenance.
    f.advance(2_200_000);
    let h = f.health(&t.key(), 1).expect("view");
    assert!(h.borrow_fee > 550 * USDC, "{h:?}");
    assert!(h.liquidatable);
    assert_eq!((h.liquidation_price, h.bankruptcy_price), (PriceThreshold::AnyPrice, PriceThreshold::AnyPrice));
    // It is liquidatable even at a price that would max out its profit.
    f.set_price(px(1_000));
    let keeper = f.wallet(0);
    let res = f.liquidate(&keeper, &t, 1);
    assert!(res.is_ok(), "{}", describe(&res));
}
