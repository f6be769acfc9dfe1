//! Oracle hardening: separate age limits for trader actions and liquidations, and no action may
//! use a price older than the one last used on its position (or, for traders, on the market).
use ringfence_harness::*;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::Side;

use crate::common::*;
use ringfence_sdk::ringfence::state::PriceThreshold;

#[test]
fn liquidations_accept_older_prices_than_traders() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.set_price(px(90));
    f.env.advance(45); // the price is now 45 s old: too old to trade (30), fine to liquidate (60)
    rejects(&mut f, RingfenceError::OraclePriceStale, |f| f.close(&t, 1));
    assert!(f.liquidate(&keeper, &t, 1).is_ok());
    f.assert_invariants();
}

#[test]
fn no_price_older_than_the_last_one_used() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    let t0 = f.env.now();
    f.env.advance(10);
    f.set_price(px(100));
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap(); // uses the price of t0 + 10
                                                                  // A keeper brings an older (but not stale) price showing a crash: refused for this position.
    f.write_oracle(&PriceFixture { publish_time: t0 + 5, price: px(80), ..f.price_fixture() });
    rejects(&mut f, RingfenceError::OraclePriceOlderThanMarket, |f| f.liquidate(&keeper, &t, 1));
    // A trader cannot pick an older price than the market has seen either.
    let u = f.wallet(1_000 * USDC);
    rejects(&mut f, RingfenceError::OraclePriceOlderThanMarket, |f| {
        f.open(&u, 1, Side::Short, 100 * USDC, 1_000 * USDC)
    });
    // The newest price works.
    f.set_price(px(80));
    assert!(f.liquidate(&keeper, &t, 1).is_ok());
    f.assert_invariants();
}

#[test]
fn health_view_matches_the_liquidation_decision() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Short, 100 * USDC, 1_000 * USDC).unwrap();
    let h = f.health(&t.key(), 1).expect("view");
    // A short entered at 99.99 (the price minus its confidence): liquidatable from one unit above
    // 105% of the entry, bankrupt from one unit above 110% of it.
    let entry = entry_at(Side::Short, 100);
    assert_eq!(
        (h.liquidation_price, h.bankruptcy_price),
        (PriceThreshold::At(entry * 105 / 100 + 1), PriceThreshold::At(entry * 110 / 100 + 1))
    );
    assert!(!h.liquidatable);
    let before = f.snapshot();
    for p in [104, 105, 106] {
        f.set_price(px(p));
        let h = f.health(&t.key(), 1).expect("view");
        assert_eq!(
            h.pnl,
            pnl(Side::Short, 1_000 * USDC, entry, judged_at(Side::Short, p as u64)),
            "at the mid price minus its confidence, from the entry 99.99"
        );
        let res = f.env.svm.simulate_transaction(solana_tx(&f, &keeper, &t));
        assert_eq!(h.liquidatable, res.is_ok(), "view and liquidate disagree at {p}");
    }
    // Views write nothing.
    f.set_price(px(100));
    assert!(before.len() == f.snapshot().len());
}

fn solana_tx(f: &MarketFixture, keeper: &Wallet, t: &Wallet) -> solana_transaction::Transaction {
    let ix = ringfence_sdk::ix::liquidate(&f.liquidate_accounts(keeper, t, 1));
    solana_transaction::Transaction::new_signed_with_payer(
        &[ix],
        Some(&f.env.payer.pubkey()),
        &[&f.env.payer, &keeper.kp],
        f.env.svm.latest_blockhash(),
    )
}
