//! The LP pool: shares priced at NAV (free liquidity + reserves - traders' PnL + fees owed),
//! withdrawals limited to free liquidity, first-depositor inflation impossible.
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix;
use ringfence_sdk::math::{VIRTUAL_ASSETS, VIRTUAL_SHARES};
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::pause;
use ringfence_sdk::Side;

use crate::common::*;

/// Shares for a deposit, written out independently of the math crate.
fn expected_shares(amount: u64, nav: u64, supply: u64) -> u64 {
    (amount as u128 * (supply as u128 + VIRTUAL_SHARES as u128) / (nav as u128 + VIRTUAL_ASSETS as u128)) as u64
}

fn expected_amount(shares: u64, nav: u64, supply: u64) -> u64 {
    (shares as u128 * (nav as u128 + VIRTUAL_ASSETS as u128) / (supply as u128 + VIRTUAL_SHARES as u128)) as u64
}

#[test]
fn first_deposit_mints_one_share_per_unit_and_emits() {
    let mut f = MarketFixture::with_liquidity(default_params(), 0);
    let lp = f.wallet(5_000 * USDC);
    let res = f.deposit(&lp, 5_000 * USDC);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.lp_balance(&lp), 5_000 * USDC);
    assert_eq!(f.env.token_balance(&lp.token), 0);
    let m = f.market();
    assert_eq!((m.free_liquidity, m.lp_supply), (5_000 * USDC, 5_000 * USDC));
    let ev = events(&res);
    let [Event::LiquidityDeposited(e)] = &ev[..] else {
        panic!("{ev:?} {}", res.as_ref().map(|m| m.logs.join("\n")).unwrap_or_default())
    };
    assert_eq!((e.provider, e.amount, e.shares, e.nav), (lp.key(), 5_000 * USDC, 5_000 * USDC, 0));
    assert_eq!(e.pool.free_liquidity, 5_000 * USDC);
    f.assert_invariants();

    // Withdrawing everything returns everything (nothing else happened).
    let res = f.withdraw(&lp, 5_000 * USDC);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.env.token_balance(&lp.token), 5_000 * USDC);
    assert_eq!((f.market().lp_supply, f.market().free_liquidity), (0, 0));
    f.assert_invariants();
}

#[test]
fn share_price_follows_traders_profit_and_loss() {
    let mut f = MarketFixture::new(); // 100,000 deposited: 100,000 shares
    let trader = f.wallet(1_000 * USDC);
    f.open(&trader, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    let supply = f.market().lp_supply;

    // Traders in profit (+100 at 110): the pool is worth 100 less, so shares are cheaper.
    f.set_price(px(110));
    let nav = INITIAL_LIQUIDITY - 100 * USDC;
    let lp2 = f.wallet(999 * USDC);
    let res = f.deposit(&lp2, 999 * USDC);
    let ev = events(&res);
    let [Event::LiquidityDeposited(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!(e.nav, nav);
    assert_eq!(e.shares, expected_shares(999 * USDC, nav, supply));
    assert!(e.shares > 999 * USDC);
    f.assert_invariants();

    // Traders in loss (-100 at 90): the pool is worth more, so the same shares withdraw more.
    f.set_price(px(90));
    let supply = f.market().lp_supply;
    let nav = INITIAL_LIQUIDITY + 999 * USDC + 100 * USDC;
    let shares = f.lp_balance(&lp2);
    let res = f.withdraw(&lp2, shares);
    let ev = events(&res);
    let [Event::LiquidityWithdrawn(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    assert_eq!(e.nav, nav);
    assert_eq!(e.amount, expected_amount(shares, nav, supply));
    assert_eq!(f.env.token_balance(&lp2.token), e.amount);
    assert!(e.amount > 999 * USDC, "LP2 profits from the trader's loss: {}", e.amount);
    f.assert_invariants();
}

#[test]
fn withdrawals_take_only_free_liquidity() {
    let mut f = MarketFixture::with_liquidity(default_params(), 10_000 * USDC);
    let lp = f.lp.take().expect("lp");
    let trader = f.wallet(10_000 * USDC);
    // Reserve 50% of 16,000 = 8,000 leaves 2,000 free.
    f.open(&trader, 1, Side::Long, 2_000 * USDC, 16_000 * USDC).unwrap();
    assert_eq!(f.market().free_liquidity, 2_000 * USDC);
    rejects(&mut f, RingfenceError::InsufficientFreeLiquidity, |f| f.withdraw(&lp, 3_000 * USDC));
    // Exactly the free part can leave; the reserve stays in the position's vault.
    let res = f.withdraw(&lp, 2_000 * USDC);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.env.token_balance(&f.keys.pool_vault), 0);
    assert_eq!(f.env.token_balance(&f.vault_of(&trader.key(), 1)), 10_000 * USDC);
    f.assert_invariants();
    // ... and the open position still settles in full from its own vault.
    f.set_price(px(104));
    let res = f.close(&trader, 1);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.env.token_balance(&trader.token), 8_000 * USDC + 2_000 * USDC + 640 * USDC);
    f.assert_invariants();
}

#[test]
fn first_depositor_cannot_steal_a_later_deposit() {
    let mut f = MarketFixture::with_liquidity(default_params(), 0);
    let attacker = f.wallet(10_001 * USDC);
    let victim = f.wallet(1_000 * USDC);
    // The classic attack: deposit one unit, then donate to the vault to inflate the share price.
    f.deposit(&attacker, 1).unwrap();
    f.env.transfer_tokens(&attacker.token, &f.keys.pool_vault, &attacker.kp, 10_000 * USDC).unwrap();
    f.donated += 10_000 * USDC;
    f.deposit(&victim, 1_000 * USDC).unwrap();
    let shares = f.lp_balance(&victim);
    assert_eq!(shares, expected_shares(1_000 * USDC, 1, 1));
    f.withdraw(&victim, shares).unwrap();
    // The donation is not counted: the victim gets back (to the unit) what it put in.
    assert!(f.env.token_balance(&victim.token) >= 1_000 * USDC - 1);
    f.assert_conserved();
}

#[test]
fn deposit_rejections_move_nothing() {
    let mut f = MarketFixture::new();
    let lp = f.wallet(1_000 * USDC);
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.deposit(&lp, 0));
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.withdraw(&lp, 0));
    // Share account of the collateral mint instead of the LP mint.
    rejects(&mut f, RingfenceError::MintMismatch, |f| {
        let ix = ix::deposit_liquidity(&lp.key(), &lp.token, &lp.token, &f.keys, 10 * USDC);
        f.env.send(&[ix], &[&lp.kp])
    });
    // Another wallet's tokens.
    let other = f.wallet(1_000 * USDC);
    rejects(&mut f, RingfenceError::TokenOwnerMismatch, |f| {
        let ix = ix::deposit_liquidity(&lp.key(), &other.token, &lp.lp, &f.keys, 10 * USDC);
        f.env.send(&[ix], &[&lp.kp])
    });
    // Burning someone else's shares.
    let provider = f.lp.take().expect("lp");
    rejects(&mut f, RingfenceError::TokenOwnerMismatch, |f| {
        let ix = ix::withdraw_liquidity(&lp.key(), &lp.token, &provider.lp, &f.keys, 10 * USDC);
        f.env.send(&[ix], &[&lp.kp])
    });
    // A wrong LP mint.
    rejects(&mut f, RingfenceError::LpMintMismatch, |f| {
        let keys = ix::MarketKeys { lp_mint: f.mint, ..f.keys };
        let ix = ix::deposit_liquidity(&lp.key(), &lp.token, &lp.lp, &keys, 10 * USDC);
        f.env.send(&[ix], &[&lp.kp])
    });
    // Deposits can be paused; withdrawals cannot.
    let admin = f.admin.insecure_clone();
    f.env.send(&[ix::set_pause(&admin.pubkey(), &f.keys.market, pause::ALL)], &[&admin]).unwrap();
    rejects(&mut f, RingfenceError::MarketPaused, |f| f.deposit(&lp, 10 * USDC));
    let res = f.withdraw(&provider, 10 * USDC);
    assert!(res.is_ok(), "withdraw while paused: {}", describe(&res));
    f.assert_invariants();
}
