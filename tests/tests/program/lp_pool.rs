//! The LP pool: requests executed at the exact pool value of a complete sweep started after them
//! (every position valued one by one), dead shares, LP fees, and the attacks of the pool review:
//! profit past the cap, bad debt counted as gain, below par, just-in-time liquidity and LP
//! sandwiches around a price update. Each attack first shows what the old aggregate rule
//! (`pool_nav`: free + reserves - Σ PnL + fees) would have priced, then that the program prices
//! the exact value.
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix;
use ringfence_sdk::math::{pool_nav, DEAD_SHARES};
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::pause;
use ringfence_sdk::{pda, RiskParams, Side};

use crate::common::*;

/// The old rule's pool value at `price` (what deposits and withdrawals were priced at).
fn old_nav(f: &MarketFixture, price: u64) -> u64 {
    let m = f.market();
    pool_nav(m.free_liquidity, m.total_reserved, &m.long.totals(), &m.short.totals(), price, m.borrow_index).unwrap()
}

fn executed(res: &TxResult) -> ringfence_sdk::ringfence::events::LpRequestExecuted {
    match events(res).as_slice() {
        [Event::LpRequestExecuted(e)] => e.clone(),
        other => panic!("{other:?} {}", describe(res)),
    }
}

#[test]
fn first_deposit_creates_dead_shares_and_withdrawing_all_returns_all_but_them() {
    let mut f = MarketFixture::with_liquidity(default_params(), 0);
    let lp = f.wallet(5_000 * USDC);
    let res = f.request_deposit(&lp, 5_000 * USDC);
    assert!(res.is_ok(), "{}", describe(&res));
    // Escrowed: in the pool vault, not in the pool.
    let m = f.market();
    assert_eq!((m.free_liquidity, m.pending_deposits, m.lp_supply), (0, 5_000 * USDC, 0));
    f.advance(1);
    let res = f.sweep_and_execute(&lp.key());
    let e = executed(&res);
    assert_eq!(
        (e.provider, e.amount, e.shares, e.pool_value, e.lp_fee),
        (lp.key(), 5_000 * USDC, 5_000 * USDC - DEAD_SHARES, 0, 0)
    );
    // The shares wait in the LP escrow until the provider claims them.
    assert_eq!((f.lp_balance(&lp), f.env.token_balance(&f.keys.lp_escrow)), (0, 5_000 * USDC - DEAD_SHARES));
    f.claim(&lp).unwrap();
    assert_eq!(f.lp_balance(&lp), 5_000 * USDC - DEAD_SHARES);
    let m = f.market();
    assert_eq!((m.free_liquidity, m.pending_deposits, m.dead_shares), (5_000 * USDC, 0, DEAD_SHARES));
    assert!(f.env.account(&pda::lp_request(&f.keys.market, &lp.key())).is_none(), "request closed");

    // Withdrawing every share pays everything but the dead shares' part (1,000 units).
    let res = f.withdraw(&lp, 5_000 * USDC - DEAD_SHARES);
    let e = executed(&res);
    assert_eq!(e.amount, 5_000 * USDC - DEAD_SHARES);
    assert_eq!(f.env.token_balance(&lp.token), 5_000 * USDC - DEAD_SHARES);
    assert_eq!((f.market().lp_supply, f.market().free_liquidity), (0, DEAD_SHARES));
}

#[test]
fn below_par_the_last_lp_withdraws_everything() {
    // Review scenario (its numbers are at exact prices): with the virtual offset, a share price below 1 made the last LP's
    // withdrawal exceed the free liquidity. A trader takes 4,000 of a 10,000 pool.
    let mut f = MarketFixture::at_exact_prices(default_params(), 10_000 * USDC);
    let lp = f.lp.take().expect("lp");
    let t = f.wallet(2_000 * USDC);
    f.open(&t, 1, Side::Long, 1_600 * USDC, 16_000 * USDC).unwrap();
    f.set_price(px(125));
    f.close(&t, 1).unwrap();
    assert_eq!(f.market().free_liquidity, 6_000 * USDC);
    // Old rule: shares * (V + 1e6) / (S + 1e6) > V: more than the pool holds.
    let shares = f.lp_balance(&lp);
    let old = u128::from(shares) * (6_000 * USDC as u128 + 1_000_000) / (u128::from(shares) + 1_000_000);
    assert!(old > 6_000 * USDC as u128, "old rule pays {old}");
    let res = f.withdraw(&lp, shares);
    let e = executed(&res);
    let total = u128::from(shares + DEAD_SHARES);
    assert_eq!(u128::from(e.amount), u128::from(shares) * u128::from(6_000 * USDC) / total);
    assert!(6_000 * USDC - e.amount <= DEAD_SHARES, "all but the dead shares' part: {}", e.amount);
}

#[test]
fn profit_past_the_cap_is_not_a_loss_of_the_pool() {
    // Review scenario: max profit 10%, pool 100,000, a 10x long of 500,000, price +20%: the
    // uncapped PnL (100,000) exceeds the reserve (50,000) and the old value floored to 0, so 1 USDC
    // minted more shares than the 100,000 deposit had.
    let params = RiskParams { max_profit_bps: 1_000, ..default_params() };
    let mut f = MarketFixture::at_exact_prices(params, INITIAL_LIQUIDITY);
    let lp = f.lp.take().expect("lp");
    let t = f.wallet(50_000 * USDC);
    f.open(&t, 1, Side::Long, 50_000 * USDC, 500_000 * USDC).unwrap();
    f.set_price(px(120));
    assert_eq!(old_nav(&f, npx(120)), 0, "the old rule values the pool at nothing");
    // The exact value: the pool has lost the reserve and nothing more.
    assert_eq!(f.exact_pool_value_at(npx(120)), 50_000 * USDC as u128);
    let small = f.wallet(USDC);
    let res = f.deposit(&small, USDC);
    let e = executed(&res);
    assert_eq!(e.pool_value, 50_000 * USDC);
    let supply_before = f.lp_balance(&lp) + DEAD_SHARES;
    assert_eq!(e.shares, USDC * supply_before / (50_000 * USDC));
    assert!(e.shares < f.lp_balance(&lp) / 10_000, "1 USDC buys a 1/50,000 share, not the pool");
    // After the long closes the small LP's shares are worth about its 1 USDC, not ~25,000.
    f.close(&t, 1).unwrap();
    let res = f.withdraw(&small, e.shares);
    let back = executed(&res).amount;
    assert!(back <= USDC && back + 2 >= USDC, "withdrew {back}");
}

#[test]
fn bad_debt_is_not_counted_as_a_gain() {
    // Review scenario: two LPs of 50,000; a 10x long of 100,000 falls 30%. The old value counted
    // the whole 30,000 loss (130,000) though the vault holds only 10,000 of collateral.
    let mut f = MarketFixture::at_exact_prices(default_params(), 50_000 * USDC);
    let lp1 = f.lp.take().expect("lp");
    let lp2 = f.fund_pool(50_000 * USDC);
    let t = f.wallet(10_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 10_000 * USDC, 100_000 * USDC).unwrap();
    f.set_price(px(70));
    assert_eq!(old_nav(&f, npx(70)), 130_000 * USDC);
    // Exact: the vault (10,000 + 50,000 reserve) returns all but the keeper's 1,000.
    assert_eq!(f.exact_pool_value_at(npx(70)), 109_000 * USDC as u128);
    let shares = f.lp_balance(&lp1) * 2 / 5;
    let total = f.market().lp_supply + DEAD_SHARES;
    let res = f.withdraw(&lp1, shares);
    let e = executed(&res);
    assert_eq!(e.pool_value, 109_000 * USDC);
    assert_eq!(u128::from(e.amount), u128::from(shares) * u128::from(109_000 * USDC) / u128::from(total));
    // The bad debt is realized; both LPs' shares are worth the same per share afterwards.
    f.liquidate(&keeper, &t, 1).unwrap();
    let (v, s) = (u128::from(f.market().free_liquidity), u128::from(f.market().lp_supply + DEAD_SHARES));
    let per_share_now = v * 1_000_000_000 / s;
    let per_share_paid = u128::from(e.amount) * 1_000_000_000 / u128::from(shares);
    assert!(per_share_paid.abs_diff(per_share_now) <= 1, "{per_share_paid} vs {per_share_now}");
    assert!(f.lp_balance(&lp2) > 0);
}

#[test]
fn a_deposit_request_cannot_use_the_price_it_was_made_at() {
    // LP sandwich: an LP who knows a price update that raises the pool's value (here a long
    // losing) deposits before it and withdraws after. The request executes at a sweep started
    // after it, at a price published after it: the update is already in the price.
    let mut f = MarketFixture::new();
    let t = f.wallet(10_000 * USDC);
    f.open(&t, 1, Side::Long, 2_000 * USDC, 20_000 * USDC).unwrap();
    let before_update = old_nav(&f, npx(100));
    let after_update = old_nav(&f, npx(95));
    assert!(after_update > before_update, "the update raises the pool's value");
    let adversary = f.wallet(100_000 * USDC);
    f.request_deposit(&adversary, 100_000 * USDC).unwrap();
    // The update is published; the sweep uses it.
    f.env.advance(1);
    f.set_price(px(95));
    let e = executed(&f.sweep_and_execute(&adversary.key()));
    f.claim(&adversary).unwrap();
    assert_eq!(e.sweep_price, npx(95));
    assert_eq!(u128::from(e.pool_value), f.exact_pool_value_at(npx(95)) - 100_000 * USDC as u128);
    let res = f.withdraw(&adversary, e.shares);
    let back = executed(&res).amount;
    assert!(back <= 100_000 * USDC, "the sandwich returned {back}");
    // Under the old rule the same sandwich (deposit at 100, withdraw at 95) gained:
    let gain =
        u128::from(100_000 * USDC) * u128::from(after_update) / u128::from(before_update) - 100_000 * USDC as u128;
    assert!(gain > 0);
}

#[test]
fn wrapping_a_trade_in_lp_flows_does_not_recapture_its_fees() {
    // Just-in-time liquidity: a trader deposits, trades (paying open and close fees to the pool),
    // and withdraws, to get back its share of its own fees. The LP fee (at least (open + close) /
    // (2 * max profit), enforced on chain) makes this a loss even at the largest trade the pool allows.
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let jit = f.wallet(400_000 * USDC);
    let start = f.env.token_balance(&jit.token);
    let shares = executed(&f.deposit(&jit, 300_000 * USDC)).shares;
    // The largest long the free liquidity can reserve (50% of notional): 800,000 notional.
    let size = f.market().free_liquidity / 5_000 * 10_000;
    f.open(&jit, 1, Side::Long, size / 10 + size / 1_000 + 1, size).unwrap();
    f.close(&jit, 1).unwrap();
    f.withdraw(&jit, shares).unwrap();
    let end = f.env.token_balance(&jit.token);
    assert!(end < start, "just-in-time liquidity recaptured its fees: {start} -> {end}");
}

#[test]
fn withdrawals_take_only_free_liquidity_and_wait() {
    let mut f = MarketFixture::with_liquidity(default_params(), 10_000 * USDC);
    let lp = f.lp.take().expect("lp");
    let trader = f.wallet(10_000 * USDC);
    // Reserve 50% of 16,000 = 8,000 leaves 2,000 free.
    f.open(&trader, 1, Side::Long, 2_000 * USDC, 16_000 * USDC).unwrap();
    assert_eq!(f.market().free_liquidity, 2_000 * USDC);
    f.request_withdrawal(&lp, 3_000 * USDC).unwrap();
    f.advance(1);
    f.start_sweep().unwrap();
    f.sweep_all().unwrap();
    // More than the free liquidity: the execution refunds the request (it can neither hold the
    // sweep open nor wait for a better moment); the shares come back on the claim (no LP fee on
    // this market: on others the fee is burned, so a refund is never a free abort).
    let shares = f.lp_balance(&lp);
    let res = f.execute(&lp.key());
    let e = executed(&res);
    assert!(e.refunded && e.amount == 0 && e.shares == 3_000 * USDC && e.lp_fee == 0, "{e:?}");
    f.claim(&lp).unwrap();
    assert_eq!(f.lp_balance(&lp), shares + 3_000 * USDC);
    // Once the position closes, a new request executes.
    f.set_price(px(104));
    f.close(&trader, 1).unwrap();
    let res = f.withdraw(&lp, 3_000 * USDC);
    assert!(res.is_ok() && !executed(&res).refunded, "{}", describe(&res));
    // Closed at 104 (exit 103.9896) from an entry of 100.01.
    let gain = pnl(Side::Long, 16_000 * USDC, entry_at(Side::Long, 100), exit_at(Side::Long, 104));
    assert_eq!(gain, 636_672_332);
    assert_eq!(f.env.token_balance(&trader.token), 8_000 * USDC + 2_000 * USDC + gain as u64);
}

#[test]
fn first_depositor_cannot_steal_a_later_deposit() {
    let mut f = MarketFixture::with_liquidity(default_params(), 0);
    let attacker = f.wallet(10_001 * USDC);
    let victim = f.wallet(1_000 * USDC);
    // The classic attack: deposit the minimum, then donate to the vault to inflate the share price.
    f.deposit(&attacker, DEAD_SHARES + 1).unwrap();
    f.env.transfer_tokens(&attacker.token, &f.keys.pool_vault, &attacker.kp, 10_000 * USDC).unwrap();
    f.donated += 10_000 * USDC;
    let shares = executed(&f.deposit(&victim, 1_000 * USDC)).shares;
    f.withdraw(&victim, shares).unwrap();
    // The donation is not counted: the victim gets back (to the unit) what it put in.
    assert!(f.env.token_balance(&victim.token) >= 1_000 * USDC - 1);
    f.assert_conserved();
}

#[test]
fn sweep_and_request_rejections_move_nothing() {
    let mut f = MarketFixture::new();
    let lp = f.wallet(1_000 * USDC);
    let t = f.wallet(1_000 * USDC);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.request_deposit(&lp, 0));
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.request_withdrawal(&lp, 0));
    // Share account of the collateral mint instead of the LP mint; another wallet's tokens.
    rejects(&mut f, RingfenceError::MintMismatch, |f| {
        let ix = ix::request_deposit(&lp.key(), &lp.token, &lp.token, &f.keys, 10 * USDC);
        f.env.send(&[ix], &[&lp.kp])
    });
    let other = f.wallet(1_000 * USDC);
    rejects(&mut f, RingfenceError::TokenOwnerMismatch, |f| {
        let ix = ix::request_deposit(&lp.key(), &other.token, &lp.lp, &f.keys, 10 * USDC);
        f.env.send(&[ix], &[&lp.kp])
    });
    // A request executes only at a complete sweep that started after it: the one that executed
    // the initial deposit is still complete and live, but older than the request.
    f.request_deposit(&lp, 500 * USDC).unwrap();
    rejects(&mut f, RingfenceError::SweepPredatesRequest, |f| f.execute(&lp.key()));
    // A sweep that serves it needs a price newer than the one the request knew of.
    rejects(&mut f, RingfenceError::SweepPriceNotNewer, |f| f.start_sweep());
    f.advance(1);
    f.start_sweep().unwrap();
    rejects(&mut f, RingfenceError::SweepInProgress, |f| f.start_sweep());
    rejects(&mut f, RingfenceError::SweepNotComplete, |f| f.execute(&lp.key()));
    f.sweep_all().unwrap();
    // Complete, with the request due: it cannot be replaced before the request executes.
    f.advance(1);
    rejects(&mut f, RingfenceError::SweepRequestsDue, |f| f.start_sweep());
    // Nothing to claim before execution.
    let request = pda::lp_request(&f.keys.market, &lp.key());
    let req: ringfence_sdk::LpRequest = f.env.decode(&request);
    rejects(&mut f, RingfenceError::RequestNotExecuted, |f| f.claim(&lp));
    // After its liquidation price age it is stale: nothing executes against it any more.
    f.env.advance(i64::from(f.params.max_price_age_liquidate_secs));
    rejects(&mut f, RingfenceError::SweepNotComplete, |f| f.execute(&lp.key()));
    // Cancelling waits for the cancel delay, then refunds in full.
    rejects(&mut f, RingfenceError::RequestTooRecent, |f| {
        f.env.send(&[ix::cancel_lp_request(&f.keys, &request, &req)], &[&lp.kp])
    });
    f.env.advance(600);
    let res = f.step(&[ix::cancel_lp_request(&f.keys, &request, &req)], &[&lp.kp]);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.env.token_balance(&lp.token), 1_000 * USDC, "no LP fee on this market");
    assert_eq!(f.market().pending_deposits, 0);
    // Deposits can be paused; withdrawal requests cannot.
    let provider = f.lp.take().expect("lp");
    let admin = f.admin.insecure_clone();
    f.set_price(f.price);
    f.env.send(&[ix::set_pause(&admin.pubkey(), &f.keys.market, pause::ALL)], &[&admin]).unwrap();
    rejects(&mut f, RingfenceError::MarketPaused, |f| f.request_deposit(&lp, 10 * USDC));
    let res = f.withdraw(&provider, 10 * USDC);
    assert!(res.is_ok(), "withdraw while paused: {}", describe(&res));
    // A claim goes only to the provider's own account.
    f.request_withdrawal(&provider, 10 * USDC).unwrap();
    f.advance(1);
    f.sweep_and_execute(&provider.key()).unwrap();
    let request = pda::lp_request(&f.keys.market, &provider.key());
    rejects(&mut f, RingfenceError::TokenOwnerMismatch, |f| {
        f.env.send(&[ix::claim_lp_request(&f.keys, &request, &provider.key(), &other.token)], &[&provider.kp])
    });
    rejects(&mut f, RingfenceError::RequestAlreadyExecuted, |f| f.execute(&provider.key()));
    assert!(f.claim(&provider).is_ok());
}

#[test]
fn positions_opened_and_changed_during_a_sweep_keep_it_exact() {
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let lp = f.wallet(10_000 * USDC);
    let traders: Vec<Wallet> = (0..3).map(|_| f.wallet(10_000 * USDC)).collect();
    for (i, t) in traders.iter().enumerate() {
        let side = if i % 2 == 0 { Side::Long } else { Side::Short };
        f.open(t, 1, side, 500 * USDC, 4_000 * USDC).unwrap();
    }
    f.request_deposit(&lp, 10_000 * USDC).unwrap();
    f.advance(1);
    f.start_sweep().unwrap();
    f.sweep_all().unwrap();
    // While it is complete: a new position at another price, a margin change, a decrease, a close.
    // The fixture checks after each step that every valued position is worth exactly its record.
    f.set_price(px(103));
    f.open(&traders[0], 2, Side::Short, 300 * USDC, 2_000 * USDC).unwrap();
    f.add_margin(&traders[1], 1, 50 * USDC).unwrap();
    f.decrease(&traders[2], 1, 1_000 * USDC).unwrap();
    f.close(&traders[0], 1).unwrap();
    assert!(f.market().sweep.counted == f.market().positions_open);
    let res = f.execute(&lp.key());
    assert!(res.is_ok(), "{}", describe(&res));
}
