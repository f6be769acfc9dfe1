//! Trader exits and fees: close, decrease, remove margin, open/close/borrow fees, reserves,
//! caps, confidence-adjusted prices, pauses that never block exits.
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix;
use ringfence_sdk::math::{BORROW_INDEX_SCALE, PRICE_ONE, SECONDS_PER_YEAR};
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::pause;
use ringfence_sdk::{RiskParams, Side};

use crate::common::*;

/// One long: 100 collateral, 1,000 notional at 100, reserve 500 (default params, no fees).
fn long_position() -> (MarketFixture, Wallet) {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    (f, t)
}

fn close_and_check(f: &mut MarketFixture, t: &Wallet, to_trader: u64, to_pool: u64) {
    let before = (f.env.token_balance(&t.token), f.env.token_balance(&f.keys.pool_vault));
    let res = f.close(t, 1);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.env.token_balance(&t.token) - before.0, to_trader);
    assert_eq!(f.env.token_balance(&f.keys.pool_vault) - before.1, to_pool);
    assert!(f.env.account(&f.position_key(&t.key(), 1)).is_none());
    assert!(f.env.account(&f.vault_of(&t.key(), 1)).is_none());
    let ev = events(&res);
    let [Event::PositionClosed(e)] = &ev[..] else { panic!("{ev:?}") };
    assert_eq!((e.to_trader, e.to_pool), (to_trader, to_pool));
    f.assert_invariants();
}

/// What closing `size` of the long (entered at 100.01: the price plus its confidence) at `mark`
/// (exit at the mark minus its confidence) realizes, capped at its reserve: (PnL, to trader, to pool).
fn close_split(size: u64, collateral: u64, reserve: u64, mark: u64) -> (i128, u64, u64) {
    let pnl = pnl(Side::Long, size, entry_at(Side::Long, 100), exit_at(Side::Long, mark)).min(i128::from(reserve));
    let to_trader = (i128::from(collateral) + pnl).max(0) as u64;
    (pnl, to_trader, collateral + reserve - to_trader)
}

#[test]
fn close_in_profit_pays_from_the_reserve() {
    let (mut f, t) = long_position();
    f.set_price(px(120)); // about +200 (the confidence is paid on both sides)
    let (pnl, to_trader, to_pool) = close_split(1_000 * USDC, 100 * USDC, 500 * USDC, 120);
    assert_eq!(pnl, 199_760_023, "1,000 * (119.988 - 100.01) / 100.01, rounded down");
    close_and_check(&mut f, &t, to_trader, to_pool);
}

#[test]
fn close_in_loss_returns_loss_and_reserve_to_pool() {
    let (mut f, t) = long_position();
    f.set_price(px(95)); // about -50
    let (pnl, to_trader, to_pool) = close_split(1_000 * USDC, 100 * USDC, 500 * USDC, 95);
    assert_eq!(pnl, -50_189_982, "1,000 * (94.9905 - 100.01) / 100.01, rounded toward -infinity");
    close_and_check(&mut f, &t, to_trader, to_pool);
}

#[test]
fn profit_is_capped_at_the_reserve() {
    let (mut f, t) = long_position();
    f.set_price(px(200)); // +1,000, capped at 500
    close_and_check(&mut f, &t, 600 * USDC, 0);
}

#[test]
fn decrease_half_releases_pro_rata() {
    let (mut f, t) = long_position();
    f.set_price(px(110)); // +50 on the closed half
    let res = f.decrease(&t, 1, 500 * USDC);
    assert!(res.is_ok(), "{}", describe(&res));
    let p = f.position(&t.key(), 1);
    assert_eq!((p.size, p.collateral, p.reserve), (500 * USDC, 50 * USDC, 250 * USDC));
    let (half_pnl, to_trader, to_pool) = close_split(500 * USDC, 50 * USDC, 250 * USDC, 110);
    assert_eq!(f.env.token_balance(&t.token), 900 * USDC + to_trader); // 50 collateral + ~50 profit
    let ev = events(&res);
    let [Event::PositionDecreased(e)] = &ev[..] else { panic!("{ev:?}") };
    assert_eq!((e.realized_pnl, e.to_trader, e.to_pool), (half_pnl, to_trader, to_pool));
    f.assert_invariants();
    // The rest closes normally at the same price: the same on the remaining half.
    close_and_check(&mut f, &t, to_trader, to_pool);
}

#[test]
fn decrease_rejections() {
    let (mut f, t) = long_position();
    rejects(&mut f, RingfenceError::InvalidDecreaseSize, |f| f.decrease(&t, 1, 0));
    rejects(&mut f, RingfenceError::InvalidDecreaseSize, |f| f.decrease(&t, 1, 1_000 * USDC));
    f.set_price(px(79)); // half loses 105 > 50 released + 50 remaining
    rejects(&mut f, RingfenceError::DecreaseNotCovered, |f| f.decrease(&t, 1, 500 * USDC));
}

#[test]
fn remove_margin_keeps_initial_margin_with_losses_and_without_profits() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    f.open(&t, 1, Side::Long, 200 * USDC, 1_000 * USDC).unwrap(); // initial margin 100
    rejects(&mut f, RingfenceError::RemoveMarginBreaksInitialMargin, |f| f.remove_margin(&t, 1, 100 * USDC + 1));
    f.set_price(px(110)); // profits are not counted
    rejects(&mut f, RingfenceError::RemoveMarginBreaksInitialMargin, |f| f.remove_margin(&t, 1, 100 * USDC + 1));
    f.set_price(px(98)); // a ~20 loss is (at the exit side of the confidence interval)
    let loss = pnl(Side::Long, 1_000 * USDC, entry_at(Side::Long, 100), exit_at(Side::Long, 98));
    let most = (100 * USDC as i128 + loss) as u64; // 200 - 100 initial margin - the loss
    assert_eq!(most, 79_804_019);
    rejects(&mut f, RingfenceError::RemoveMarginBreaksInitialMargin, |f| f.remove_margin(&t, 1, most + 1));
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.remove_margin(&t, 1, 0));
    let res = f.remove_margin(&t, 1, most);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.position(&t.key(), 1).collateral, 200 * USDC - most);
    assert_eq!(f.env.token_balance(&t.token), 800 * USDC + most);
    let ev = events(&res);
    let [Event::MarginRemoved(e)] = &ev[..] else { panic!("{ev:?}") };
    assert_eq!((e.amount, e.collateral, e.vault_balance), (most, 200 * USDC - most, 700 * USDC - most));
    f.assert_invariants();
    // Another wallet cannot take it.
    let thief = f.wallet(0);
    rejects(&mut f, RingfenceError::OwnerMismatch, |f| {
        let a = ix::PositionAccounts { owner: thief.key(), owner_token: thief.token, ..f.position_accounts(&t, 1) };
        f.env.send(&[ix::remove_margin(&a, 1)], &[&thief.kp])
    });
}

/// The borrow rate the program must use: min + (max - min) * reserved / (free + reserved).
fn rate(p: &RiskParams, reserved: u64, free: u64) -> u64 {
    p.borrow_rate_min
        + ((p.borrow_rate_max - p.borrow_rate_min) as u128 * reserved as u128 / (reserved + free) as u128) as u64
}

#[test]
fn fees_open_close_and_a_year_of_borrowing() {
    let p = fee_params();
    let mut f = MarketFixture::with_liquidity(p, INITIAL_LIQUIDITY);
    let t = f.wallet(1_000 * USDC);
    // 101 deposited: 1 open fee (0.1% of 1,000) to the pool, 100 collateral stays.
    let res = f.open(&t, 1, Side::Long, 101 * USDC, 1_000 * USDC);
    assert!(res.is_ok(), "{}", describe(&res));
    let m = f.market();
    assert_eq!(f.position(&t.key(), 1).collateral, 100 * USDC);
    assert_eq!(m.free_liquidity, INITIAL_LIQUIDITY + USDC - 500 * USDC);
    let r = rate(&p, 500 * USDC, m.free_liquidity);
    assert_eq!(m.borrow_rate, r);
    // The index already grew at the empty pool's minimum rate while the LP deposit was executed.
    let index0 = m.borrow_index;
    f.assert_invariants();

    f.advance(SECONDS_PER_YEAR as i64);
    let index = index0 + r * SECONDS_PER_YEAR;
    let borrow = (1_000 * USDC as u128 * (index - index0) as u128).div_ceil(BORROW_INDEX_SCALE as u128) as u64;
    let h = f.health(&t.key(), 1).expect("health");
    assert_eq!((h.borrow_fee, h.close_fee), (borrow, USDC));
    let before = f.env.token_balance(&t.token);
    let res = f.close(&t, 1);
    assert!(res.is_ok(), "{}", describe(&res));
    let ev = events(&res);
    let [Event::PositionClosed(e)] = &ev[..] else { panic!("{ev:?}") };
    // At an unchanged price the round trip costs the confidence interval on both sides.
    let spread = pnl(Side::Long, 1_000 * USDC, entry_at(Side::Long, 100), exit_at(Side::Long, 100));
    assert_eq!(spread, -199_981);
    assert_eq!((e.borrow_fee, e.close_fee, e.pnl), (borrow, USDC, spread));
    assert_eq!(f.env.token_balance(&t.token) - before, (100 * USDC as i128 + spread) as u64 - borrow - USDC);
    assert_eq!(e.pool.borrow_index, index);
    f.assert_invariants();
}

#[test]
fn borrow_index_is_exact_across_gaps_without_a_crank() {
    let p = fee_params();
    let mut f = MarketFixture::with_liquidity(p, INITIAL_LIQUIDITY);
    let t = f.wallet(10_000 * USDC);
    f.open(&t, 1, Side::Long, 5_050 * USDC, 50_000 * USDC).unwrap(); // fee 50, reserve 25,000
    let (r1, index0) = (f.market().borrow_rate, f.market().borrow_index);
    f.advance(86_400 * 10);
    // A deposit (executed one second after its request) accrues at r1 and changes utilization.
    f.fund_pool(50_000 * USDC);
    let m = f.market();
    assert_eq!(m.borrow_index, index0 + r1 * (86_400 * 10 + 1));
    let r2 = m.borrow_rate;
    assert_eq!(r2, rate(&p, m.total_reserved, m.free_liquidity));
    assert!(r2 < r1, "more liquidity, lower utilization, lower rate");
    f.advance(86_400 * 3);
    let h = f.health(&t.key(), 1).expect("health");
    let index = r1 * (86_400 * 10 + 1) + r2 * 86_400 * 3;
    assert_eq!(h.borrow_fee, (50_000 * USDC as u128 * index as u128).div_ceil(BORROW_INDEX_SCALE as u128) as u64);
    f.assert_invariants();
}

#[test]
fn maintenance_counts_fees() {
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let t = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&t, 1, Side::Long, 101 * USDC, 1_000 * USDC).unwrap();
    f.set_price(px(95) + px(1) / 5); // 95.2: pnl -48.1 from 100.01, equity - 1 close fee = 50.9 >= 50
    rejects(&mut f, RingfenceError::PositionHealthy, |f| f.liquidate(&keeper, &t, 1));
    f.advance(SECONDS_PER_YEAR as i64); // ~10 of borrow fees accrue
    let h = f.health(&t.key(), 1).expect("health");
    assert!(h.liquidatable, "{h:?}");
    let res = f.liquidate(&keeper, &t, 1);
    assert!(res.is_ok(), "{}", describe(&res));
    let ev = events(&res);
    let [Event::PositionLiquidated(e)] = &ev[..] else { panic!("{ev:?}") };
    // Judged at the top of the confidence interval (the side in the long's favour).
    assert_eq!(e.mark_price, e.oracle_price + e.oracle_conf);
    assert_eq!(e.oracle_price, npx(95) + npx(1) / 5);
    let at_mark = pnl(Side::Long, 1_000 * USDC, entry_at(Side::Long, 100), e.mark_price);
    assert_eq!(e.equity, 100 * USDC as i128 + at_mark - (h.borrow_fee + h.close_fee) as i128);
    // Settled at the mid: the residual is the equity there, less the fees and the reward.
    let at_mid = pnl(Side::Long, 1_000 * USDC, entry_at(Side::Long, 100), e.oracle_price);
    assert_eq!(e.pnl, at_mid);
    assert_eq!(
        e.residual as i128,
        100 * USDC as i128 + at_mid - (h.borrow_fee + h.close_fee) as i128 - 10 * USDC as i128
    );
    f.assert_invariants();
}

#[test]
fn entry_and_exit_use_the_confidence_interval_against_the_trader() {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    let conf = px(1) / 10; // 0.10
    f.write_oracle(&PriceFixture { conf: conf as u64, ..f.price_fixture() });
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    f.open(&t, 2, Side::Short, 100 * USDC, 1_000 * USDC).unwrap();
    assert_eq!(f.position(&t.key(), 1).entry_price, 100 * PRICE_ONE + PRICE_ONE / 10);
    assert_eq!(f.position(&t.key(), 2).entry_price, 100 * PRICE_ONE - PRICE_ONE / 10);
    // Closing both at the same oracle price loses the spread on each.
    let before = f.env.token_balance(&t.token);
    f.close(&t, 1).unwrap();
    f.close(&t, 2).unwrap();
    assert!(f.env.token_balance(&t.token) - before < 200 * USDC);
    f.assert_invariants();
}

#[test]
fn open_needs_pool_liquidity_and_respects_open_interest_caps() {
    let p = RiskParams { max_open_interest_long: 1_500 * USDC, ..default_params() };
    let mut f = MarketFixture::with_liquidity(p, 1_000 * USDC);
    let t = f.wallet(10_000 * USDC);
    // Reserve 50% of 4,000 = 2,000 > 1,000 free.
    rejects(&mut f, RingfenceError::InsufficientPoolLiquidity, |f| {
        f.open(&t, 1, Side::Short, 400 * USDC, 4_000 * USDC)
    });
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    rejects(&mut f, RingfenceError::OpenInterestCapExceeded, |f| f.open(&t, 2, Side::Long, 100 * USDC, 501 * USDC));
    let res = f.open(&t, 2, Side::Long, 100 * USDC, 500 * USDC);
    assert!(res.is_ok(), "{}", describe(&res));
}

#[test]
fn collateral_must_exceed_the_open_fee() {
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let t = f.wallet(1_000 * USDC);
    // 0.1% of 1,000 is 1: a deposit of exactly 1 leaves nothing.
    rejects(&mut f, RingfenceError::CollateralBelowFee, |f| f.open(&t, 1, Side::Long, USDC, 1_000 * USDC));
    // Net of the fee, 100 is not 10% of 1,000.
    rejects(&mut f, RingfenceError::LeverageTooHigh, |f| f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC));
}

#[test]
fn pauses_never_block_exits() {
    let (mut f, t) = long_position();
    f.open(&t, 2, Side::Short, 100 * USDC, 1_000 * USDC).unwrap();
    f.open(&t, 3, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let admin = f.admin.insecure_clone();
    f.env.send(&[ix::set_pause(&admin.pubkey(), &f.keys.market, pause::ALL)], &[&admin]).unwrap();
    rejects(&mut f, RingfenceError::MarketPaused, |f| f.open(&t, 9, Side::Long, 100 * USDC, 1_000 * USDC));
    // Saving or trimming a position is never paused.
    assert!(f.add_margin(&t, 1, 5 * USDC).is_ok());
    assert!(f.remove_margin(&t, 1, USDC).is_ok());
    f.set_price(px(90));
    assert!(f.decrease(&t, 2, 500 * USDC).is_ok());
    assert!(f.close(&t, 2).is_ok());
    let keeper = f.wallet(0);
    assert!(f.liquidate(&keeper, &t, 1).is_ok());
    assert!(f.liquidate(&keeper, &t, 3).is_ok());
    f.assert_invariants();
}
