//! Security review of issue 9 (orders and margin automation) by a fresh-context attacker: concrete
//! attacks, each written so that the test asserts the SAFE behaviour. All five failed on the code
//! as reviewed; each passes now against its fix (increase refuses a part past its profit cap;
//! top-ups refuse liquidatable positions; transfers commit to the position's state; triggers and
//! orders need a price published more than the allowed clock skew after their setting).
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix;
use ringfence_sdk::ix::OrderSpec;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::status;
use ringfence_sdk::{Position, Side, TriggerArgs, TriggerKind};

use crate::common::*;

fn bal(f: &MarketFixture, w: &Wallet) -> i128 {
    i128::from(f.env.token_balance(&w.token))
}

// ---------------------------------------------------------------------------------------------
// Finding 1 (high): `increase_position` lifts the profit cap of the part already open.
//
// A position's payout is capped at its reserve (`max_profit_bps` of its notional). Once the price
// has moved past the cap, the old part's PnL beyond its reserve is forfeit: the owner's close pays
// collateral + reserve and nothing more. `increase_position` merges a new part into the old one by
// base quantity (entry = total notional / total quantity) and adds the new part's reserve to the
// position's, so the *whole* PnL (old part's uncapped PnL + new part's ~0) is now capped only at
// the *combined* reserve. The old part's forfeited excess becomes payable out of the reserve the
// pool just placed for the new part.
//
// Attack: long 1,000 at 100 (reserve 500); price 200 (PnL ~1,000, capped at 500). Increase by
// 1,000 at 200 (reserve +500, deposit 110) and close in the same second: the close pays
// collateral + ~1,000. Gain over simply closing: ~500 minus the fees of the added part (~3),
// taken from the LPs (the pool's value drops by ~500 at an unchanged price).
// ---------------------------------------------------------------------------------------------
#[test]
fn increase_does_not_lift_the_profit_cap_of_the_part_already_open() {
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let attacker = f.wallet(10_000 * USDC);
    let honest = f.wallet(10_000 * USDC);
    f.open(&attacker, 1, Side::Long, 110 * USDC, 1_000 * USDC).unwrap();
    f.open(&honest, 1, Side::Long, 110 * USDC, 1_000 * USDC).unwrap();
    f.advance(60);
    f.set_price(px(200)); // PnL ~ +1,000, capped at the reserve of 500
    let (a0, h0) = (bal(&f, &attacker), bal(&f, &honest));

    // The honest twin closes: collateral + the capped profit - fees.
    f.close(&honest, 1).unwrap();
    let honest_gain = bal(&f, &honest) - h0;

    // The attacker adds a part worth nothing at this price, then closes at the same price. Fixed:
    // the program refuses to merge a part past its cap (`ProfitCapReached`), moving nothing.
    let pool_before = f.exact_pool_value_at(npx(200));
    rejects(&mut f, RingfenceError::ProfitCapReached, |f| f.increase(&attacker, 1, 1_000 * USDC, 110 * USDC));
    let pool_after = f.exact_pool_value_at(npx(200));
    f.close(&attacker, 1).unwrap();
    let attacker_gain = bal(&f, &attacker) - a0;

    // Safe: an increase at an unchanged price costs the trader the added part's fees and spread;
    // it never turns the old part's forfeited profit into a payout.
    assert!(
        attacker_gain <= honest_gain,
        "increase + close paid {attacker_gain} vs {honest_gain} for a plain close: +{} out of the pool",
        attacker_gain - honest_gain
    );
    assert!(
        pool_after >= pool_before,
        "the increase itself moved {} of pool value to the trader at an unchanged price",
        pool_before - pool_after
    );
}

// ---------------------------------------------------------------------------------------------
// Finding 2 (medium): `top_up` feeds standby into a position that is already liquidatable and
// that the standby cannot save, so the following liquidation seizes it.
//
// `liquidate` moves standby only when it restores health; otherwise the standby is returned in
// full ("standby is never seized"). But `check_topup` accepts a liquidatable position (a top-up
// is "due" whenever equity < ratio × maintenance, which includes equity < maintenance and even
// negative equity), so anyone — an LP, or a keeper that also liquidates — can first run `top_up`
// until the standby is gone, then `liquidate`: the standby has become collateral and goes to the
// pool (covering bad debt) and the keeper.
//
// Attack: long 1,000 at 100, collateral 100, standby 30 under a rule (100%, step 10, no fee).
// At 85 equity is ~ -50: hopeless (standby 30 < the ~100 needed). Three `top_up` calls at the same
// price, then `liquidate`. Owner's claim: 0 instead of 30.
// ---------------------------------------------------------------------------------------------
#[test]
fn top_up_cannot_feed_standby_to_a_position_liquidation_will_seize() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.set_topup_rule(&t, 1, 10_000, 10 * USDC, 0).unwrap();
    f.add_standby(&t, 1, 30 * USDC).unwrap();
    f.advance(1);
    f.set_price(px(85));
    let h = f.health(&t.key(), 1).unwrap();
    assert!(h.liquidatable && h.equity + i128::from(30 * USDC) < i128::from(h.maintenance_requirement));

    let key = f.position_key(&t.key(), 1);
    // The hostile keeper: top-ups first (whatever the program answers), then the liquidation.
    let mut moved = 0;
    for _ in 0..3 {
        let res = f.top_up(&keeper, &key);
        if let [Event::StandbyApplied(e)] = &events(&res)[..] {
            moved += e.moved;
        }
    }
    let res = f.liquidate(&keeper, &t, 1);
    assert!(matches!(&events(&res)[..], [Event::PositionLiquidated(_)]), "{}", describe(&res));
    let p: Position = f.env.decode(&key);
    assert_eq!(p.status, status::LIQUIDATED);
    let before = f.env.token_balance(&t.token);
    f.claim_residual(&t, &key, &t.token).unwrap();
    let claimed = f.env.token_balance(&t.token) - before;
    assert!(
        claimed >= 30 * USDC,
        "standby seized: the owner got back {claimed} of its 30 USDC standby ({moved} moved into collateral by top_up \
         on a liquidatable position)"
    );
}

// ---------------------------------------------------------------------------------------------
// Finding 3 (low): "published after the trigger / order was set" is compared with the cluster
// clock, but the program accepts prices up to `MAX_CLOCK_SKEW_SECS` (10 s) ahead of it. A price
// already sitting in the pinned oracle account, publish time now + 5, visible to everyone before
// the trigger is set, executes it (and fills a limit order placed after it) in the same second.
// ---------------------------------------------------------------------------------------------
#[test]
fn a_trigger_never_executes_on_a_price_already_on_chain_when_it_was_set() {
    let mut f = MarketFixture::new();
    let t = f.wallet(10_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.advance(5);
    // A crossed price, stamped 5 s ahead of the cluster clock, already in the oracle account.
    let now = f.env.now();
    f.price = px(120);
    f.write_oracle(&PriceFixture::new(FEED_ID, px(120), now + 5));
    f.set_trigger(&t, 1, TriggerKind::TakeProfit, TriggerArgs { price: npx(110), size: 0, fee: USDC }).unwrap();
    let key = f.position_key(&t.key(), 1);
    rejects(&mut f, RingfenceError::PriceNotAfterOrder, |f| f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit));
}

#[test]
fn an_order_never_fills_on_a_price_already_on_chain_when_it_was_placed() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.advance(1);
    let now = f.env.now();
    f.price = px(95);
    f.write_oracle(&PriceFixture::new(FEED_ID, px(95), now + 5)); // reached already, on chain
    let o = OrderSpec {
        id: 1,
        side: Side::Long,
        collateral: 110 * USDC,
        size: 1_000 * USDC,
        limit_price: npx(98),
        expiry: now + 3_600,
        exec_fee: USDC,
        take_profit: TriggerArgs::default(),
        stop_loss: TriggerArgs::default(),
    };
    f.place_order(&t, &o).unwrap();
    let order = f.order_key(&t.key(), 1);
    rejects(&mut f, RingfenceError::PriceNotAfterOrder, |f| f.execute_order(&keeper, &order));
}

// ---------------------------------------------------------------------------------------------
// Finding 4 (medium, OTC sales): `transfer_position` binds nothing of the position's state. The
// buyer's co-signature (typically in the same transaction as its payment to the seller) is valid
// for whatever the position holds when it lands. The seller, holding the buyer-signed transaction,
// first withdraws the standby, claims the residual of a partial take-profit, removes margin down
// to the initial margin (and could set a hostile trigger), then submits the sale. Nothing in the
// instruction lets the buyer state what it is buying, so the transfer always succeeds.
// ---------------------------------------------------------------------------------------------
#[test]
fn a_cosigned_transfer_does_not_land_on_a_position_the_seller_drained_first() {
    let mut f = MarketFixture::new();
    let (seller, buyer, keeper) = (f.wallet(1_000 * USDC), f.wallet(1_000 * USDC), f.wallet(0));
    f.open(&seller, 1, Side::Long, 300 * USDC, 1_000 * USDC).unwrap();
    f.add_standby(&seller, 1, 200 * USDC).unwrap();
    f.set_trigger(&seller, 1, TriggerKind::TakeProfit, TriggerArgs { price: npx(105), size: 400 * USDC, fee: 0 })
        .unwrap();
    f.advance(AFTER);
    f.set_price(px(106));
    let key = f.position_key(&seller.key(), 1);
    f.execute_trigger(&keeper, &key, TriggerKind::TakeProfit).unwrap();
    // What the buyer agrees to buy (and signs for): this position, as it is now.
    let agreed: Position = f.env.decode(&key);
    assert!(agreed.standby == 200 * USDC && agreed.residual > 0);
    let sale = ix::transfer_position(&key, &agreed, &buyer.key());

    // The seller front-runs its own sale.
    f.withdraw_standby(&seller, 1, 200 * USDC, &seller.token).unwrap();
    f.claim_residual(&seller, &key, &seller.token).unwrap();
    f.remove_margin(&seller, 1, 100 * USDC).unwrap();

    let before = f.snapshot();
    let res = f.step(&[sale], &[&seller.kp, &buyer.kp]);
    let now: Position = f.env.decode(&key);
    // Fixed: the sale commits to the position as agreed (`TransferTerms`) and fails, moving nothing.
    assert_ringfence_err(&res, RingfenceError::PositionChanged);
    assert!(before == f.snapshot(), "a refused transfer changed state");
    assert!(
        res.is_err(),
        "the buyer received a position with standby {} (agreed {}), residual {} (agreed {}), collateral {} (agreed {})",
        now.standby,
        agreed.standby,
        now.residual,
        agreed.residual,
        now.collateral,
        agreed.collateral
    );
}
