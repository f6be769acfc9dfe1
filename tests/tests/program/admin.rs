//! Admin: two-step transfer, bounded parameters, timelocked changes that can hurt positions,
//! oracle changes, pause flags.
use anchor_lang::prelude::Pubkey;
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::pause;
use ringfence_sdk::{RiskParams, Side};

use crate::common::*;

fn admin(f: &MarketFixture) -> Keypair {
    f.admin.insecure_clone()
}

#[test]
fn admin_transfer_takes_two_steps() {
    let mut f = MarketFixture::new();
    let (old, next, stranger) = (admin(&f), f.env.new_wallet(1), f.env.new_wallet(1));
    let market = f.keys.market;
    rejects(&mut f, RingfenceError::NotAdmin, |f| {
        f.env.send(&[ix::propose_admin(&stranger.pubkey(), &market, &stranger.pubkey())], &[&stranger])
    });
    let res = f.env.send(&[ix::propose_admin(&old.pubkey(), &market, &next.pubkey())], &[&old]);
    assert!(matches!(&events(&res)[..], [Event::AdminProposed(e)] if e.proposed == next.pubkey()));
    assert_eq!(f.market().admin, old.pubkey(), "nothing changes until accepted");
    rejects(&mut f, RingfenceError::NotPendingAdmin, |f| {
        f.env.send(&[ix::accept_admin(&stranger.pubkey(), &market)], &[&stranger])
    });
    let res = f.env.send(&[ix::accept_admin(&next.pubkey(), &market)], &[&next]);
    assert!(
        matches!(&events(&res)[..], [Event::AdminAccepted(e)] if e.previous == old.pubkey() && e.admin == next.pubkey())
    );
    let m = f.market();
    assert_eq!((m.admin, m.pending_admin), (next.pubkey(), Pubkey::default()));
    // The old admin is out; the new one is in.
    rejects(&mut f, RingfenceError::NotAdmin, |f| {
        f.env.send(&[ix::set_pause(&old.pubkey(), &market, pause::OPEN)], &[&old])
    });
    assert!(f.env.send(&[ix::set_pause(&next.pubkey(), &market, pause::OPEN)], &[&next]).is_ok());
    assert_eq!(f.market().paused, pause::OPEN);
}

#[test]
fn harmless_changes_apply_at_once_and_bounds_hold() {
    let mut f = MarketFixture::new();
    let a = admin(&f);
    let market = f.keys.market;
    // Lower margins and a lower open fee and caps: nothing any exit pays or needs gets worse.
    let p = RiskParams { initial_margin_bps: 900, maintenance_margin_bps: 400, ..f.params };
    let res = f.env.send(&[ix::set_params(&a.pubkey(), &market, p)], &[&a]);
    assert!(matches!(&events(&res)[..], [Event::MarketParamsUpdated(e)] if e.params == p && !e.from_timelock));
    assert_eq!(f.market().params, p);
    // Initial must cover maintenance + confidence + close fee + keeper reward.
    rejects(&mut f, RingfenceError::InitialMarginOutOfRange, |f| {
        let bad = RiskParams { initial_margin_bps: 699, ..p };
        f.env.send(&[ix::set_params(&a.pubkey(), &market, bad)], &[&a])
    });
    rejects(&mut f, RingfenceError::InvalidPauseFlags, |f| {
        f.env.send(&[ix::set_pause(&a.pubkey(), &market, 8)], &[&a])
    });
}

#[test]
fn changes_that_hurt_positions_wait_for_the_timelock() {
    let mut f = MarketFixture::new();
    let a = admin(&f);
    let market = f.keys.market;
    let t = f.wallet(1_000 * USDC);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let stricter = RiskParams { maintenance_margin_bps: 700, ..f.params };
    let res = f.env.send(&[ix::set_params(&a.pubkey(), &market, stricter)], &[&a]);
    let ev = events(&res);
    let [Event::MarketChangeScheduled(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!(e.effective_at, f.env.now() + 3_600);
    assert_eq!(f.market().params.maintenance_margin_bps, 500, "not yet");
    // The position is not liquidatable under the old rule while the change waits.
    f.set_price(px(96)); // equity 60: above 5%, below 7%
    let keeper = f.wallet(0);
    rejects(&mut f, RingfenceError::PositionHealthy, |f| f.liquidate(&keeper, &t, 1));
    rejects(&mut f, RingfenceError::TimelockNotElapsed, |f| f.env.send(&[ix::apply_pending_change(&market)], &[]));
    f.advance(3_600);
    // Anyone may apply it once due.
    let res = f.env.send(&[ix::apply_pending_change(&market)], &[]);
    assert!(matches!(&events(&res)[..], [Event::MarketParamsUpdated(e)] if e.from_timelock));
    assert_eq!(f.market().params.maintenance_margin_bps, 700);
    rejects(&mut f, RingfenceError::NoPendingChange, |f| f.env.send(&[ix::apply_pending_change(&market)], &[]));
    assert!(f.liquidate(&keeper, &t, 1).is_ok(), "now below the stricter maintenance");
    f.assert_invariants();
}

#[test]
fn oracle_changes_are_timelocked_and_cancellable() {
    let mut f = MarketFixture::new();
    let a = admin(&f);
    let market = f.keys.market;
    let new_oracle = Pubkey::new_unique();
    let fixture = f.price_fixture();
    f.env.write_price(&new_oracle, &fixture);
    let foreign = Pubkey::new_unique();
    f.env.write_price(&foreign, &PriceFixture { feed_id: [7; 32], ..fixture });
    rejects(&mut f, RingfenceError::OracleFeedMismatch, |f| {
        f.env.send(&[ix::set_oracle(&a.pubkey(), &market, &foreign)], &[&a])
    });
    f.env.send(&[ix::set_oracle(&a.pubkey(), &market, &new_oracle)], &[&a]).unwrap();
    let stranger = f.wallet(0);
    rejects(&mut f, RingfenceError::NotAdmin, |f| {
        f.env.send(&[ix::cancel_pending_change(&stranger.key(), &market)], &[&stranger.kp])
    });
    let res = f.env.send(&[ix::cancel_pending_change(&a.pubkey(), &market)], &[&a]);
    assert!(matches!(&events(&res)[..], [Event::MarketChangeCancelled(_)]));
    f.advance(3_600);
    rejects(&mut f, RingfenceError::NoPendingChange, |f| f.env.send(&[ix::apply_pending_change(&market)], &[]));

    f.env.send(&[ix::set_oracle(&a.pubkey(), &market, &new_oracle)], &[&a]).unwrap();
    f.advance(3_600);
    f.env.write_price(&new_oracle, &f.price_fixture());
    f.env.send(&[ix::apply_pending_change(&market)], &[]).unwrap();
    assert_eq!(f.market().oracle, new_oracle);
    // The old pinned account is no longer accepted; the new one is.
    let t = f.wallet(1_000 * USDC);
    rejects(&mut f, RingfenceError::OracleAccountMismatch, |f| f.open(&t, 1, Side::Long, 100 * USDC, 500 * USDC));
    f.keys.oracle = new_oracle;
    f.oracle = new_oracle;
    assert!(f.open(&t, 1, Side::Long, 100 * USDC, 500 * USDC).is_ok());
    f.assert_invariants();
}
