use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::{Position, Side};

use crate::common::*;

fn setup() -> (MarketFixture, Wallet, Wallet) {
    let mut f = MarketFixture::new();
    let a = f.wallet(1_000 * USDC);
    let b = f.wallet(1_000 * USDC);
    f.open(&a, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.open(&b, 1, Side::Short, 100 * USDC, 500 * USDC).unwrap();
    (f, a, b)
}

#[test]
fn adds_to_this_vault_only() {
    let (mut f, a, b) = setup();
    let b_vault = f.vault_of(&b.key(), 1);
    let b_before = f.env.account(&b_vault);
    let res = f.add_margin(&a, 1, 50 * USDC);
    assert!(res.is_ok(), "{}", describe(&res));
    let p = f.position(&a.key(), 1);
    assert_eq!(p.collateral, 150 * USDC);
    assert_eq!(f.env.token_balance(&p.vault), 150 * USDC + p.reserve);
    assert_eq!(f.env.token_balance(&a.token), 850 * USDC);
    assert_eq!(f.env.account(&b_vault), b_before);
    let ev = events(&res);
    let [Event::MarginAdded(e)] = &ev[..] else { panic!("{ev:?}") };
    assert_eq!(
        (e.position, e.owner, e.amount, e.collateral, e.vault_balance),
        (f.position_key(&a.key(), 1), a.key(), 50 * USDC, 150 * USDC, 150 * USDC + p.reserve)
    );
    f.assert_invariants();
}

#[test]
fn added_margin_keeps_a_position_out_of_liquidation() {
    let (mut f, a, _) = setup();
    let keeper = f.wallet(0);
    f.add_margin(&a, 1, 50 * USDC).unwrap();
    f.set_price(px(94)); // equity 150 - 60 = 90 >= maintenance 50
    rejects(&mut f, RingfenceError::PositionHealthy, |f| f.liquidate(&keeper, &a, 1));
}

#[test]
fn rejections_move_nothing() {
    let (mut f, a, b) = setup();
    let a_pos = f.position_key(&a.key(), 1);
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.add_margin(&a, 1, 0));
    // B signs for A's position (with B's own tokens).
    rejects(&mut f, RingfenceError::OwnerMismatch, |f| {
        let ix = ix::add_margin(&b.token, &a_pos, &Position { owner: b.key(), ..f.position(&a.key(), 1) }, 10 * USDC);
        f.env.send(&[ix], &[&b.kp])
    });
    // A's position with B's vault.
    rejects(&mut f, RingfenceError::VaultMismatch, |f| {
        let mut ix = ix::add_margin(&a.token, &a_pos, &f.position(&a.key(), 1), 10 * USDC);
        ix.accounts[3].pubkey = f.vault_of(&b.key(), 1);
        f.env.send(&[ix], &[&a.kp])
    });
    // Another market.
    let other = f.add_market([5; 32], px(10));
    rejects(&mut f, RingfenceError::MarketMismatch, |f| {
        let ix =
            ix::add_margin(&a.token, &a_pos, &Position { market: other.market, ..f.position(&a.key(), 1) }, 10 * USDC);
        f.env.send(&[ix], &[&a.kp])
    });
    // A's signature, B's token account as the source.
    rejects(&mut f, RingfenceError::TokenOwnerMismatch, |f| {
        let ix = ix::add_margin(&b.token, &a_pos, &f.position(&a.key(), 1), 10 * USDC);
        f.env.send(&[ix], &[&a.kp])
    });
}
