//! The liquidation-liveness review, each scenario reproduced on the compiled program:
//! section 1 (every liquidatable position is liquidated by the shipped keeper's accounts, whatever
//! its owner does: non-canonical addresses, closed, reassigned and frozen token accounts, stale
//! and wide-confidence prices) and section 2 (no instant admin action blocks or worsens an exit).
//! Each test says what the program did before the fix.
use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix::{self, LiquidateAccounts};
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::{field, pause, status, Hurts, RISK_FIELDS};
use ringfence_sdk::{pda, RiskParams, Side};

use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Section 1: addresses

/// `open_position` takes the position's bump from the client (finding it on chain would cost
/// ~1,500 CU per try, a varying number of tries), so one (market, owner, id) can hold two
/// positions at two addresses. Harmless: each is addressed by its own address and carries its own
/// vault, collateral and reserve; both count in the market and the sweep, and the keeper's
/// accounts (read from each position) liquidate each on its own.
#[test]
fn a_second_position_for_the_same_id_is_harmless() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let id = 1u64.to_le_bytes();
    let (dup, dup_bump) = non_canonical_pda(&[b"position", f.keys.market.as_ref(), t.key().as_ref(), &id]);
    let (vault, vault_bump) = pda::vault_with_bump(&dup);
    let at = ix::OpenAt { position: dup, position_bump: dup_bump, vault, vault_bump };
    let limit = ix::TradeLimit::any(Side::Long, true);
    let open = ix::open_position_at(&t.key(), &t.token, &f.keys, &at, 1, Side::Long, 200 * USDC, 1_000 * USDC, limit);
    f.step(&[open], &[&t.kp]).expect("a second position for id 1");
    let canonical = f.position_key(&t.key(), 1);
    let (a, b) = (f.position(&t.key(), 1), f.env.decode::<ringfence_sdk::Position>(&dup));
    assert_eq!((a.id, b.id, a.owner, b.owner), (1, 1, t.key(), t.key()));
    assert_ne!(a.vault, b.vault);
    assert_eq!(f.market().positions_open, 2);
    // A drop liquidates the 10x one and leaves the 5x one: each judged on its own accounts.
    f.set_price(px(93));
    assert!(f.health_of(&canonical).unwrap().liquidatable);
    assert!(!f.health_of(&dup).unwrap().liquidatable);
    let before = f.env.account(&dup);
    let la = f.liquidate_accounts_of(&keeper, &canonical);
    f.liquidate_with(&keeper, &la).expect("liquidate the canonical one");
    assert_eq!(f.env.account(&dup), before, "the other position with the same id is untouched");
    let lb = f.liquidate_accounts_of(&keeper, &dup);
    rejects(&mut f, RingfenceError::PositionHealthy, |f| f.liquidate_with(&keeper, &lb));
    f.assert_invariants();
}

/// Before: a trader opened with a non-canonical vault bump and the SDK's liquidation builder
/// re-derived the canonical vault, so every keeper transaction failed with `VaultMismatch`. Now
/// every builder takes the vault from the position account.
#[test]
fn a_non_canonical_vault_is_liquidated_through_the_positions_own_fields() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    let key = f.position_key(&t.key(), 1);
    let (odd_vault, odd_bump) = non_canonical_pda(&[b"vault", key.as_ref()]);
    let limit = ix::TradeLimit::any(Side::Long, true);
    let (_, position_bump) = pda::position_with_bump(&f.keys.market, &t.key(), 1);
    let at = ix::OpenAt { position: key, position_bump, vault: odd_vault, vault_bump: odd_bump };
    let ix = ix::open_position_at(&t.key(), &t.token, &f.keys, &at, 1, Side::Long, 100 * USDC, 1_000 * USDC, limit);
    f.step(&[ix], &[&t.kp]).expect("open with a non-canonical vault");
    let p = f.position(&t.key(), 1);
    assert_eq!(p.vault, odd_vault);
    assert_ne!(pda::vault(&key), odd_vault);
    f.set_price(px(90));
    // The old builder (canonical re-derivation) fails; the shipped one reads `position.vault`.
    let rederived = LiquidateAccounts { vault: pda::vault(&key), ..f.liquidate_accounts(&keeper, &t, 1) };
    rejects(&mut f, RingfenceError::VaultMismatch, |f| f.liquidate_with(&keeper, &rederived));
    let res = f.liquidate(&keeper, &t, 1);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.env.token_balance(&odd_vault), f.position(&t.key(), 1).residual);
    f.claim_residual(&t, &key, &t.token).expect("claim");
    assert!(f.env.account(&odd_vault).is_none());
}

// ---------------------------------------------------------------------------------------------
// Section 1: the owner's token accounts

/// Before: `liquidate` paid the residual into the owner's token account, so an owner who closed,
/// reassigned or had frozen that account blocked every keeper transaction. Now no account of the
/// owner is part of a liquidation; the residual waits in the vault for the owner's claim.
#[test]
fn closed_reassigned_and_frozen_owner_accounts_cannot_block_liquidation() {
    let mut f = MarketFixture::new();
    let keeper = f.wallet(0);
    let (closed, reassigned, frozen) = (f.wallet(1_000 * USDC), f.wallet(1_000 * USDC), f.wallet(1_000 * USDC));
    for w in [&closed, &reassigned, &frozen] {
        f.open(w, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    }
    // Closed: emptied into a fresh account, then closed.
    let elsewhere = f.env.create_token_account(&f.mint, &closed.key());
    let left = f.env.token_balance(&closed.token);
    f.env.transfer_tokens(&closed.token, &elsewhere, &closed.kp, left).unwrap();
    let close = spl_token::instruction::close_account(&spl_token::ID, &closed.token, &closed.key(), &closed.key(), &[])
        .unwrap();
    f.env.send(&[close], &[&closed.kp]).unwrap();
    assert!(f.env.account(&closed.token).is_none());
    // Reassigned: the owner hands its account's authority to someone else.
    let stranger = Pubkey::new_unique();
    let reassign = spl_token::instruction::set_authority(
        &spl_token::ID,
        &reassigned.token,
        Some(&stranger),
        spl_token::instruction::AuthorityType::AccountOwner,
        &reassigned.key(),
        &[],
    )
    .unwrap();
    f.env.send(&[reassign], &[&reassigned.kp]).unwrap();
    // Frozen: by the mint's freeze authority (USDC has one).
    let freeze =
        spl_token::instruction::freeze_account(&spl_token::ID, &frozen.token, &f.mint, &f.mint_authority.pubkey(), &[])
            .unwrap();
    let authority = f.mint_authority.insecure_clone();
    f.env.send(&[freeze], &[&authority]).unwrap();

    f.set_price(px(93)); // every position: equity ~30 < 50, a residual of ~20 each
    for w in [&closed, &reassigned, &frozen] {
        let res = f.liquidate(&keeper, w, 1);
        assert!(res.is_ok(), "{}", describe(&res));
        let p = f.position(&w.key(), 1);
        assert_eq!(p.status, status::LIQUIDATED);
        assert!(p.residual > 0);
    }
    assert_eq!(f.market().positions_open, 0);

    // Each owner claims into an account it can use; only the owner can.
    let key = f.position_key(&closed.key(), 1);
    let r = f.position(&closed.key(), 1).residual;
    f.claim_residual(&closed, &key, &elsewhere).expect("claim into another account");
    assert_eq!(f.env.token_balance(&elsewhere), left + r);
    let key = f.position_key(&frozen.key(), 1);
    let r = f.position(&frozen.key(), 1).residual;
    assert!(f.claim_residual(&frozen, &key, &frozen.token).is_err(), "a frozen account receives nothing");
    let fresh = f.env.create_token_account(&f.mint, &frozen.key());
    f.claim_residual(&frozen, &key, &fresh).expect("claim into a fresh account");
    assert_eq!(f.env.token_balance(&fresh), r);
    let key = f.position_key(&reassigned.key(), 1);
    let fresh = f.env.create_token_account(&f.mint, &reassigned.key());
    f.claim_residual(&reassigned, &key, &fresh).expect("claim");
    assert!(f.liquidated_positions().is_empty());
    f.assert_invariants();
}

/// Claims are never paused, and liquidations need no pause-free flag either.
#[test]
fn pauses_block_neither_liquidations_nor_claims() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let admin = f.admin.insecure_clone();
    f.env.send(&[ix::set_pause(&admin.pubkey(), &f.keys.market, pause::ALL)], &[&admin]).unwrap();
    // The retired margin flag (2) is refused: nothing can pause margin moves again.
    rejects(&mut f, RingfenceError::InvalidPauseFlags, |f| {
        f.env.send(&[ix::set_pause(&admin.pubkey(), &f.keys.market, 2)], &[&admin])
    });
    f.set_price(px(93));
    assert!(f.liquidate(&keeper, &t, 1).is_ok());
    let key = f.position_key(&t.key(), 1);
    assert!(f.claim_residual(&t, &key, &t.token).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Section 1: prices

/// Before: a liquidation could use any price up to an hour old as long as it was newer than the
/// position's last one, so a keeper could liquidate a position healthy now with an old dip.
#[test]
fn a_position_healthy_now_cannot_be_liquidated_with_an_earlier_dip() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let u = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.advance(5);
    let dip = PriceFixture { price: px(90), ..f.price_fixture() };
    f.advance(5);
    f.set_price(px(100));
    f.open(&u, 1, Side::Short, 100 * USDC, 1_000 * USDC).unwrap(); // the market used the recovery
    f.write_oracle(&dip);
    rejects(&mut f, RingfenceError::OraclePriceOlderThanMarket, |f| f.liquidate(&keeper, &t, 1));
    // Older than the liquidation age (60 s) is stale, whatever the market used.
    f.env.advance(61);
    f.write_oracle(&PriceFixture { price: px(90), publish_time: f.env.now() - 61, ..f.price_fixture() });
    rejects(&mut f, RingfenceError::OraclePriceStale, |f| f.liquidate(&keeper, &t, 1));
    // More than the 10 s clock skew in the future is refused; 10 s is accepted.
    f.write_oracle(&PriceFixture { price: px(90), publish_time: f.env.now() + 11, ..f.price_fixture() });
    rejects(&mut f, RingfenceError::OraclePriceInFuture, |f| f.liquidate(&keeper, &t, 1));
    f.write_oracle(&PriceFixture { price: px(90), publish_time: f.env.now() + 10, ..f.price_fixture() });
    assert!(f.liquidate(&keeper, &t, 1).is_ok());
}

/// In a crash Pyth's confidence widens. Trader actions keep the narrow bound (2% here); the
/// liquidation accepts up to 5% and judges at the side of the interval that favours the trader, so
/// it proceeds in the crash, never liquidates what only the mid shows underwater, and settles at
/// the mid.
#[test]
fn liquidations_proceed_in_wide_confidence_judged_in_the_traders_favour() {
    let mut f = MarketFixture::new();
    let keeper = f.wallet(0);
    let (a, b) = (f.wallet(1_000 * USDC), f.wallet(1_000 * USDC));
    f.open(&a, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.open(&b, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let wide = |f: &MarketFixture, units: i64, conf_bps: i64| PriceFixture {
        price: px(units),
        conf: (px(units) * conf_bps / 10_000) as u64,
        ..f.price_fixture()
    };
    // Mid 93 with a 3% interval: at the mid the long would be liquidatable (equity ~30 < 50), at
    // the top (95.79) it is not (equity ~57.8): not liquidated, and the view agrees.
    f.write_oracle(&wide(&f, 93, 300));
    rejects(&mut f, RingfenceError::OracleConfidenceTooWide, |f| f.close(&a, 1));
    rejects(&mut f, RingfenceError::PositionHealthy, |f| f.liquidate(&keeper, &a, 1));
    assert!(!f.health(&a.key(), 1).unwrap().liquidatable);
    // The crash deepens: mid 88 with a 4% interval (3.52). Judged at 91.52, settled at 88.
    f.advance(1);
    f.write_oracle(&wide(&f, 88, 400));
    let h = f.health(&a.key(), 1).unwrap();
    assert!(h.liquidatable);
    let judged = npx(88) + npx(88) * 4 / 100;
    assert_eq!((h.oracle_price, h.oracle_conf, h.mark_price), (npx(88), npx(88) * 4 / 100, judged));
    let at_judged = pnl(Side::Long, 1_000 * USDC, entry_at(Side::Long, 100), judged);
    let at_mid = pnl(Side::Long, 1_000 * USDC, entry_at(Side::Long, 100), npx(88));
    let res = f.liquidate(&keeper, &a, 1);
    let ev = events(&res);
    let [Event::PositionLiquidated(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!((e.mark_price, e.equity, e.pnl), (judged, 100 * USDC as i128 + at_judged, at_mid));
    // Equity at the mid 100 - 120.09 < 0: bankrupt there, nothing left for the trader; the
    // interval's top would have paid it 5.1 out of the pool.
    assert_eq!((e.residual, e.bad_debt), (0, (10 * USDC as i128 - 100 * USDC as i128 - at_mid) as u128));
    assert_eq!((h.keeper_reward, h.residual), (e.keeper_reward, e.residual), "the view is the rule");
    // Beyond the liquidation bound (5%) the price is refused, named.
    f.advance(1);
    f.write_oracle(&wide(&f, 88, 501));
    rejects(&mut f, RingfenceError::OracleConfidenceTooWide, |f| f.liquidate(&keeper, &b, 1));
    f.write_oracle(&wide(&f, 88, 500));
    assert!(f.liquidate(&keeper, &b, 1).is_ok());
    f.assert_invariants();
}

// ---------------------------------------------------------------------------------------------
// Section 2: admin powers

/// Before: lowering `max_conf_bps` (or the trade price age) applied at once, so scheduled just
/// after maintenance 5% -> 9% it blocked every exit for the whole timelock, and the position was
/// liquidated when the change landed. Now both wait for the timelock, one change can be pending at
/// a time, and the window stays an exit window.
#[test]
fn the_timelock_window_is_an_exit_window() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let lp = f.wallet(10_000 * USDC);
    f.deposit(&lp, 5_000 * USDC).unwrap();
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.open(&t, 2, Side::Long, 200 * USDC, 1_000 * USDC).unwrap();
    let p = f.params;
    let res = set_params(&mut f, RiskParams { maintenance_margin_bps: 900, initial_margin_bps: 1_300, ..p });
    let ev = events(&res);
    let [Event::MarketChangeScheduled(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!(e.fields, 0b11, "initial and maintenance margin");
    // The blocking moves: each waits for the timelock, and cannot join a pending change.
    for blocking in [
        RiskParams { max_conf_bps: 1, ..p },
        RiskParams { max_price_age_trade_secs: 1, ..p },
        RiskParams { max_conf_liquidate_bps: p.max_conf_bps, ..p },
        RiskParams { max_price_age_liquidate_secs: p.max_price_age_trade_secs, ..p },
    ] {
        rejects(&mut f, RingfenceError::ChangeAlreadyPending, |f| set_params(f, blocking));
    }
    let admin = admin_of(&f);
    f.env.send(&[ix::set_pause(&admin.pubkey(), &f.keys.market, pause::ALL)], &[&admin]).unwrap();
    // Through the window, with a 1.5% interval (the bound in force is 2%), every exit works.
    f.advance(3_000);
    f.write_oracle(&PriceFixture { conf: (px(100) * 150 / 10_000) as u64, ..f.price_fixture() });
    assert!(f.add_margin(&t, 1, 10 * USDC).is_ok());
    assert!(f.remove_margin(&t, 2, 50 * USDC).is_ok());
    assert!(f.decrease(&t, 2, 500 * USDC).is_ok());
    assert!(f.close(&t, 2).is_ok());
    assert!(f.request_withdrawal(&lp, 1_000 * USDC).is_ok());
    f.advance(599);
    assert_eq!(f.market().params.maintenance_margin_bps, 500, "not in force before the timelock");
    assert!(f.close(&t, 1).is_ok(), "the trader left in time");
    f.advance(1);
    f.env.send(&[ix::apply_pending_change(&f.keys.market)], &[]).unwrap();
    assert_eq!(f.market().params.maintenance_margin_bps, 900);
    f.assert_invariants();
}

/// Before: a pending change stored a full parameter snapshot, so applying it reverted anything
/// changed in between (maintenance lowered 5% -> 4% at once came back to 5% with an unrelated
/// oracle change). Now a pending change holds only its fields.
#[test]
fn applying_a_change_never_reverts_another() {
    let mut f = MarketFixture::new();
    let admin = admin_of(&f);
    let market = f.keys.market;
    let new_oracle = Pubkey::new_unique();
    let fixture = f.price_fixture();
    f.env.write_price(&new_oracle, &fixture);
    let res = f.step(&[ix::set_oracle(&admin.pubkey(), &market, &new_oracle)], &[&admin]);
    assert!(matches!(&events(&res)[..], [Event::MarketChangeScheduled(e)] if e.fields == field::ORACLE));
    let lower = RiskParams { maintenance_margin_bps: 400, ..f.params };
    let res = set_params(&mut f, lower);
    assert!(matches!(&events(&res)[..], [Event::MarketParamsUpdated(e)] if !e.from_timelock && e.fields == 0b10));
    f.advance(3_600);
    f.env.write_price(&new_oracle, &f.price_fixture());
    f.env.send(&[ix::apply_pending_change(&market)], &[]).unwrap();
    let m = f.market();
    assert_eq!((m.oracle, m.params), (new_oracle, lower));
}

/// A pending change is validated again on the parameters in force when it applies.
#[test]
fn a_pending_change_revalidates_when_applied() {
    let mut f = MarketFixture::new();
    let p = f.params;
    set_params(&mut f, RiskParams { liquidation_fee_bps: 300, ..p }).unwrap(); // waits: costs more
    assert_eq!(f.market().pending.fields, 1 << 2);
    // Meanwhile maintenance drops to 3% at once: a 3% keeper reward would no longer be below it.
    set_params(&mut f, RiskParams { maintenance_margin_bps: 300, ..p }).unwrap();
    f.advance(3_600);
    let market = f.keys.market;
    rejects(&mut f, RingfenceError::LiquidationFeeOutOfRange, |f| {
        f.env.send(&[ix::apply_pending_change(&market)], &[])
    });
    let admin = admin_of(&f);
    f.env.send(&[ix::cancel_pending_change(&admin.pubkey(), &market)], &[&admin]).unwrap();
    assert!(!f.market().pending.is_active());
    rejects(&mut f, RingfenceError::NoParamsChange, |f| set_params(f, RiskParams { maintenance_margin_bps: 300, ..p }));
}

/// Every parameter is classified (`RISK_FIELDS`): a move in a direction that can make an exit, a
/// margin top-up or a liquidation fail or cost more waits for the timelock; any other move
/// applies at once.
#[test]
fn every_parameter_change_is_classified() {
    let base = RiskParams {
        open_fee_bps: 5,
        close_fee_bps: 5,
        lp_fee_bps: 20,
        max_price_age_trade_secs: 20,
        max_price_age_liquidate_secs: 45,
        borrow_rate_min: 1,
        borrow_rate_max: 5,
        timelock_secs: 7_200,
        ..default_params()
    };
    // One valid step up and one down for every field (all bit positions of RISK_FIELDS).
    let up = RiskParams {
        initial_margin_bps: 1_100,
        maintenance_margin_bps: 600,
        liquidation_fee_bps: 200,
        max_conf_bps: 250,
        max_conf_liquidate_bps: 600,
        open_fee_bps: 6,
        close_fee_bps: 6,
        lp_fee_bps: 21,
        max_price_age_trade_secs: 30,
        max_price_age_liquidate_secs: 60,
        max_profit_bps: 6_000,
        borrow_rate_min: 2,
        borrow_rate_max: 6,
        max_open_interest_long: base.max_open_interest_long + 1,
        max_open_interest_short: base.max_open_interest_short + 1,
        timelock_secs: 10_800,
        min_position_size: base.min_position_size + 1,
    };
    let down = RiskParams {
        initial_margin_bps: 900,
        maintenance_margin_bps: 400,
        liquidation_fee_bps: 50,
        max_conf_bps: 150,
        max_conf_liquidate_bps: 400,
        open_fee_bps: 4,
        close_fee_bps: 4,
        lp_fee_bps: 19,
        max_price_age_trade_secs: 10,
        max_price_age_liquidate_secs: 30,
        max_profit_bps: 4_000,
        borrow_rate_min: 0,
        borrow_rate_max: 4,
        max_open_interest_long: base.max_open_interest_long - 1,
        max_open_interest_short: base.max_open_interest_short - 1,
        timelock_secs: 3_600,
        min_position_size: base.min_position_size - 1,
    };
    assert_eq!(RISK_FIELDS.len(), 17);
    for &(bit, name, hurts) in RISK_FIELDS {
        for (dir, moved) in [("up", &up), ("down", &down)] {
            let next = base.with_fields(moved, bit);
            let mut f = MarketFixture::with_params(base).unwrap_or_else(|e| panic!("base: {}", describe(&e.1)));
            let res = set_params(&mut f, next);
            assert!(res.is_ok(), "{name} {dir}: {}", describe(&res));
            let delayed = match hurts {
                Hurts::Raise => dir == "up",
                Hurts::Lower => dir == "down",
                Hurts::Both => true,
                Hurts::Never => false,
            };
            let m = f.market();
            assert_eq!(m.pending.fields, if delayed { bit } else { 0 }, "{name} {dir}");
            assert_eq!(m.params == next, !delayed, "{name} {dir}");
        }
    }
}
