//! Second security review of issue 9 (orders and margin automation), after the fixes of
//! `issue9_review.rs`: does each fix hold against other routes, and what the first review did not
//! cover (the keeper's rule against the program's, transfers, rescues, LP fairness). Each test
//! asserts the SAFE behaviour; each failed on the code reviewed and passes against its fix (the
//! profit-cap check at the trader-favourable side of the interval; the added reserve limited by
//! `ringfence_math::increase_reserve`; `TransferTerms` binding the triggers' setting times).
use ringfence_harness::*;
use ringfence_sdk::ix;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::{Position, Side, TriggerArgs, TriggerKind};

use crate::common::*;

fn bal(f: &MarketFixture, w: &Wallet) -> i128 {
    i128::from(f.env.token_balance(&w.token))
}

/// A market with fees on and two traders each holding the same long 1,000 at 100 (position 1):
/// the attacker, and the honest twin it is measured against, with their balances before opening.
fn twins() -> (MarketFixture, Wallet, Wallet, i128, i128) {
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let attacker = f.wallet(10_000 * USDC);
    let honest = f.wallet(10_000 * USDC);
    let (a0, h0) = (bal(&f, &attacker), bal(&f, &honest));
    f.open(&attacker, 1, Side::Long, 110 * USDC, 1_000 * USDC).unwrap();
    f.open(&honest, 1, Side::Long, 110 * USDC, 1_000 * USDC).unwrap();
    (f, attacker, honest, a0, h0)
}

/// Publishes `units` at the current clock with a confidence interval of `conf_bps` of the price.
fn publish_with_conf(f: &mut MarketFixture, units: i64, conf_bps: u64) {
    let now = f.env.now();
    f.price = px(units);
    let conf = px(units).unsigned_abs() * conf_bps / 10_000;
    f.write_oracle(&PriceFixture { conf, ..PriceFixture::new(FEED_ID, px(units), now) });
}

// ---------------------------------------------------------------------------------------------
// Finding A (high): the `ProfitCapReached` fix judges the old part's PnL at the *exit* side of the
// confidence interval — the side least favourable to the trader — so a wide-confidence price lets
// a position that is past its cap at the mid price pass the check. The merge then lets the old
// part's forfeited profit draw on the added part's reserve, exactly the attack of
// `issue9_review::increase_does_not_lift_the_profit_cap_of_the_part_already_open`, at an
// unchanged mid price.
//
// Attack: long 1,000 at 100 (reserve 500, cap reached at ~150). The mid is 153 (PnL ~530, capped
// at 500). A Pyth update at mid 153 with a 2% interval (max_conf_bps = 200) has exit 149.94: old
// PnL ~499 <= 500, the increase (+60 notional, +30 reserve) passes. One second later the interval
// is back to 1 bp at the same mid and the attacker closes: the merged PnL ~528 is within the merged
// cap of 530. Gain over simply closing at that same price: ~+27 USDC (after the added part's fees
// and spread), out of the pool. It repeats on every position past its cap whenever the interval
// widens.
// ---------------------------------------------------------------------------------------------
#[test]
fn a_wide_confidence_price_does_not_let_increase_lift_the_profit_cap() {
    let (mut f, attacker, honest, a0, h0) = twins();
    f.advance(60);
    // Mid 153 (past the cap of the part already open), interval 2%: the exit side is under the cap.
    publish_with_conf(&mut f, 153, 200);
    let res = f.increase(&attacker, 1, 60 * USDC, 10 * USDC);
    // Same mid one second later, the usual 1 bp interval: both close.
    f.advance(1);
    f.set_price(px(153));
    f.close(&attacker, 1).unwrap();
    f.close(&honest, 1).unwrap();
    let (attacker_gain, honest_gain) = (bal(&f, &attacker) - a0, bal(&f, &honest) - h0);
    assert!(
        attacker_gain <= honest_gain,
        "increase at a wide-interval price ({}) then close at the same mid paid {} vs {} for a plain close: +{} USDC \
         out of the pool",
        if res.is_ok() { "accepted" } else { "refused" },
        attacker_gain,
        honest_gain,
        (attacker_gain - honest_gain) as f64 / USDC as f64
    );
}

// ---------------------------------------------------------------------------------------------
// Finding B (medium): the fix refuses an increase only once the old part is past its cap; an
// increase just *under* the cap followed by a price move pays the old part's profit beyond its cap
// out of the reserve placed for the added part (the merged position caps at the combined reserve,
// reached far sooner than the added part's own cap). The forfeiture the fix protects against is
// simply moved after the merge.
//
// Attack: long 1,000 at 100 (reserve 500). At 149 (old PnL ~490 < 500) the attacker adds 1,000
// (+500 reserve); the honest twin opens the same 1,000 as a second position. At 180 both close
// everything. Twin: 500 (capped) + ~208 (new part) = ~708. Attacker: the merged position (entry
// ~119.7, reserve 1,000) pays ~1,000. Gain: ~+290 USDC for the same exposure and the same fees,
// from the pool. The trader can repeat it at each approach of the cap (each increase refills it).
// ---------------------------------------------------------------------------------------------
#[test]
fn an_increase_just_under_the_cap_does_not_pay_the_old_parts_profit_past_its_cap() {
    let (mut f, attacker, honest, a0, h0) = twins();
    f.advance(60);
    f.set_price(px(149));
    // The same added exposure: merged into the position, or as a second position.
    f.increase(&attacker, 1, 1_000 * USDC, 110 * USDC).unwrap();
    f.open(&honest, 2, Side::Long, 110 * USDC, 1_000 * USDC).unwrap();
    f.advance(60);
    f.set_price(px(180));
    f.close(&attacker, 1).unwrap();
    f.close(&honest, 1).unwrap();
    f.close(&honest, 2).unwrap();
    let (attacker_gain, honest_gain) = (bal(&f, &attacker) - a0, bal(&f, &honest) - h0);
    // A unit of tolerance per fee rounding (the two pay fees on the same notionals).
    assert!(
        attacker_gain <= honest_gain + 4,
        "increase near the cap then a move to 180 paid {attacker_gain} vs {honest_gain} for the same two parts held \
         apart: +{} USDC of profit past the first part's cap, out of the pool",
        (attacker_gain - honest_gain) as f64 / USDC as f64
    );
}

// Finding C (low, keeper: an order whose position address its owner took is re-sent forever) is
// fixed in the keeper (`Keeper::fill` looks at the position address first and leaves such orders
// alone until the next resync); the validator e2e asserts that no fill is rejected with one such
// order among the hundred.

// ---------------------------------------------------------------------------------------------
// Finding D (low): `TransferTerms` binds the triggers' price, size and fee but not `set_at`. The
// seller, holding the buyer-signed sale, re-sets the stop-loss to the very same values just before
// the sale lands: the buyer receives a stop-loss that cannot execute on any price published in the
// next MAX_CLOCK_SKEW_SECS (+1) seconds — during a fall, exactly when it was bought for (a crossed
// stop-loss that would have executed at once instead waits; the position may meanwhile become
// liquidatable, and liquidation takes precedence).
// ---------------------------------------------------------------------------------------------
#[test]
fn a_cosigned_transfer_does_not_land_after_the_seller_reset_a_trigger() {
    let mut f = MarketFixture::new();
    let (seller, buyer, keeper) = (f.wallet(1_000 * USDC), f.wallet(1_000 * USDC), f.wallet(0));
    f.open(&seller, 1, Side::Long, 300 * USDC, 1_000 * USDC).unwrap();
    let sl = TriggerArgs { price: npx(95), size: 0, fee: USDC };
    f.set_trigger(&seller, 1, TriggerKind::StopLoss, sl).unwrap();
    f.advance(AFTER);
    let key = f.position_key(&seller.key(), 1);
    let agreed: Position = f.env.decode(&key);
    let sale = ix::transfer_position(&key, &agreed, &buyer.key());
    // The price falls through the stop-loss: executable now.
    f.advance(AFTER);
    f.set_price(px(94));
    // The seller re-sets the same stop-loss, then submits the sale.
    f.set_trigger(&seller, 1, TriggerKind::StopLoss, sl).unwrap();
    let res = f.step(&[sale], &[&seller.kp, &buyer.kp]);
    if res.is_ok() {
        let p: Position = f.env.decode(&key);
        assert_eq!(p.owner, buyer.key());
        // The buyer's stop-loss, crossed, cannot execute (set_at moved past the agreed one).
        let delayed = f.execute_trigger(&keeper, &key, TriggerKind::StopLoss);
        panic!(
            "the sale landed with the stop-loss re-set (set_at {} instead of {}): executing it now gives {}",
            p.stop_loss.set_at,
            agreed.stop_loss.set_at,
            describe(&delayed)
        );
    }
    // Fixed: the terms bind the triggers whole (set_at included); the sale fails, moving nothing.
    assert_ringfence_err(&res, RingfenceError::PositionChanged);
}
