//! Isolation: a liquidation writes only the liquidated position's accounts, its market, the pool
//! vault and the payees; every other position and vault stays byte-for-byte the same.
use std::collections::BTreeSet;

use anchor_lang::prelude::Pubkey;
use ringfence_harness::*;
use ringfence_sdk::Side;

use crate::common::*;

#[test]
fn liquidating_a_leaves_b_byte_for_byte_unchanged() {
    let mut f = MarketFixture::new();
    let a = f.wallet(1_000 * USDC);
    let b = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&a, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap(); // 10x
    f.open(&b, 1, Side::Long, 300 * USDC, 1_000 * USDC).unwrap(); // 3.3x, same market and side
    f.add_margin(&b, 1, 10 * USDC).unwrap();
    f.set_price(px(93)); // A: equity 30 < 50; B: equity 240 > 50
    f.assert_invariants();

    let (b_pos, b_vault) = (f.position_key(&b.key(), 1), f.vault_of(&b.key(), 1));
    let b_before = (f.env.account(&b_pos).unwrap(), f.env.account(&b_vault).unwrap());
    let before: Vec<(Pubkey, Vec<u8>, u64)> = f.snapshot();

    let res = f.liquidate(&keeper, &a, 1);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!((f.env.account(&b_pos).unwrap(), f.env.account(&b_vault).unwrap()), b_before);

    // Everything that changed is one of A's liquidation accounts.
    let after = f.snapshot();
    let allowed: BTreeSet<Pubkey> =
        [f.keys.market, f.keys.pool_vault, f.position_key(&a.key(), 1), f.vault_of(&a.key(), 1), a.token, keeper.token]
            .into();
    let changed: BTreeSet<Pubkey> = before
        .iter()
        .filter(|entry| !after.contains(entry))
        .map(|(k, _, _)| *k)
        .chain(after.iter().filter(|entry| !before.contains(entry)).map(|(k, _, _)| *k))
        .collect();
    assert!(changed.is_subset(&allowed), "unexpected writes: {:?}", changed.difference(&allowed).collect::<Vec<_>>());
    assert!(changed.contains(&f.vault_of(&a.key(), 1)));
    f.assert_invariants();

    // B is still healthy and still liquidatable later from its own vault only.
    f.set_price(px(72)); // B: 310 - 280 = 30 < 50
    let res = f.liquidate(&keeper, &b, 1);
    assert!(res.is_ok(), "{}", describe(&res));
    f.assert_invariants();
}

#[test]
fn tokens_are_conserved_through_a_whole_session() {
    let mut f = MarketFixture::new();
    let keeper = f.wallet(0);
    let traders: Vec<Wallet> = (0..6).map(|_| f.wallet(1_000 * USDC)).collect();
    for (i, t) in traders.iter().enumerate() {
        let side = if i % 2 == 0 { Side::Long } else { Side::Short };
        let collateral = (50 + 25 * i as u64) * USDC;
        f.open(t, i as u64, side, collateral, collateral * 8).unwrap();
        f.assert_invariants();
    }
    for price in [97, 92, 88, 104, 111, 121] {
        f.env.advance(5);
        f.set_price(px(price));
        for (i, t) in traders.iter().enumerate() {
            if f.env.account(&f.position_key(&t.key(), i as u64)).is_some() {
                let _ = f.liquidate(&keeper, t, i as u64);
            }
            f.assert_invariants();
        }
    }
    assert_eq!(f.market().positions_open, 0, "every position should have been liquidated by now");
}
