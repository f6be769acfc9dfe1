//! `transfer_position` (issue 9, section 5): the owner hands an open position and its vault to a
//! new owner who co-signs; the address and the vault's signer stay (seeds hold the owner at open);
//! every later instruction checks the new owner.
use anchor_lang::error::ErrorCode as AnchorError;
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix::{self, PositionAccounts, TradeLimit};
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::{Position, Side};

use crate::common::*;

/// `from` (who signs as the owner, rightly or not) hands the position at `key` to `to`.
fn transfer(f: &mut MarketFixture, key: &anchor_lang::prelude::Pubkey, from: &Wallet, to: &Wallet) -> TxResult {
    let pos = Position { owner: from.key(), ..f.env.decode(key) };
    f.step(&[ix::transfer_position(key, &pos, &to.key())], &[&from.kp, &to.kp])
}

#[test]
fn the_new_owner_holds_everything_and_the_old_one_nothing() {
    let mut f = MarketFixture::new();
    let (seller, buyer, stranger) = (f.wallet(1_000 * USDC), f.wallet(1_000 * USDC), f.wallet(0));
    f.open(&seller, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let key = f.position_key(&seller.key(), 1);
    let before: Position = f.env.decode(&key);
    let vault_before = f.env.account(&before.vault);
    let market_before = f.env.account(&f.keys.market);

    // Only the owner can hand it over, only to someone who co-signs, never to itself.
    rejects(&mut f, RingfenceError::OwnerMismatch, |f| transfer(f, &key, &stranger, &buyer));
    rejects(&mut f, RingfenceError::TransferToSelf, |f| transfer(f, &key, &seller, &seller));
    rejects_anchor(&mut f, AnchorError::AccountNotSigner, |f| {
        let mut ix = ix::transfer_position(&key, &before, &buyer.key());
        ix.accounts[1].is_signer = false;
        f.step(&[ix], &[&seller.kp])
    });

    let res = transfer(&mut f, &key, &seller, &buyer);
    let ev = events(&res);
    let [Event::PositionTransferred(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!((e.position, e.from, e.to, e.market), (key, seller.key(), buyer.key(), f.keys.market));
    let after: Position = f.env.decode(&key);
    assert_eq!((after.owner, after.seed_owner), (buyer.key(), seller.key()));
    let unchanged = Position { owner: before.owner, ..after };
    assert_eq!(format!("{unchanged:?}"), format!("{before:?}"), "only the owner changed");
    assert_eq!(f.env.account(&after.vault), vault_before, "the vault is untouched");
    assert_eq!(f.env.account(&f.keys.market), market_before, "the market is untouched");

    // The seller can do nothing more with it; the buyer everything.
    let as_seller =
        PositionAccounts { owner: seller.key(), ..PositionAccounts::of(&seller.token, &f.keys, &key, &after) };
    rejects(&mut f, RingfenceError::OwnerMismatch, |f| {
        f.step(&[ix::close_position(&as_seller, TradeLimit::any(Side::Long, false))], &[&seller.kp])
    });
    rejects(&mut f, RingfenceError::OwnerMismatch, |f| transfer(f, &key, &seller, &stranger));
    f.step(&[ix::add_margin(&buyer.token, &key, &after, 10 * USDC)], &[&buyer.kp]).expect("add margin");
    f.set_price(px(103));
    let before_close = f.env.token_balance(&buyer.token);
    let close = ix::close_position(
        &PositionAccounts::of(&buyer.token, &f.keys, &key, &after),
        TradeLimit::any(Side::Long, false),
    );
    f.step(&[close], &[&buyer.kp]).expect("the buyer closes: the vault signs with the seeds of the open");
    assert!(f.env.token_balance(&buyer.token) > before_close + 100 * USDC, "the profit went to the buyer");
    assert!(f.env.account(&key).is_none());
    f.assert_invariants();
}

#[test]
fn a_transferred_position_is_liquidated_and_its_residual_is_the_new_owners() {
    let mut f = MarketFixture::new();
    let (seller, buyer, keeper) = (f.wallet(1_000 * USDC), f.wallet(0), f.wallet(0));
    f.open(&seller, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let key = f.position_key(&seller.key(), 1);
    transfer(&mut f, &key, &seller, &buyer).unwrap();
    f.set_price(px(93));
    let a = f.liquidate_accounts_of(&keeper, &key);
    f.liquidate_with(&keeper, &a).expect("liquidated through its own fields");
    let p: Position = f.env.decode(&key);
    rejects(&mut f, RingfenceError::PositionNotOpen, |f| transfer(f, &key, &buyer, &seller));
    rejects(&mut f, RingfenceError::OwnerMismatch, |f| {
        let as_seller = Position { owner: seller.key(), ..p };
        f.step(&[ix::claim_residual(&seller.token, &key, &as_seller)], &[&seller.kp])
    });
    f.claim_residual(&buyer, &key, &buyer.token).expect("the buyer claims");
    assert_eq!(f.env.token_balance(&buyer.token), p.residual);
    f.assert_invariants();
}
