use anchor_lang::prelude::Pubkey;
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix::LiquidateAccounts;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::events::PositionLiquidated;
use ringfence_sdk::ringfence::state::POSITION_SPACE;
use ringfence_sdk::{Position, Side};

use crate::common::*;

/// The reserve of the 1,000-notional position: max profit 50%, returned to the pool on liquidation.
const RESERVE: u64 = 500 * USDC;

struct Case {
    f: MarketFixture,
    trader: Wallet,
    keeper: Wallet,
}

/// A trader with one 10x position (100 collateral, 1,000 notional at 100) and a funded pool.
fn setup(side: Side) -> Case {
    let mut f = MarketFixture::new();
    let trader = f.wallet(1_000 * USDC);
    let keeper = f.wallet(0);
    f.open(&trader, 1, side, 100 * USDC, 1_000 * USDC).unwrap();
    Case { f, trader, keeper }
}

/// Liquidates and checks every balance; the residual stays in the vault, marked for the owner,
/// until the owner claims it (balances, the rent refund and the closed accounts checked); returns
/// the event.
fn liquidate_and_check(c: &mut Case, keeper_gets: u64, trader_gets: u64, pool_gets: u64) -> PositionLiquidated {
    let f = &mut c.f;
    let position = f.position_key(&c.trader.key(), 1);
    let vault = f.vault_of(&c.trader.key(), 1);
    let rent = f.env.svm.minimum_balance_for_rent_exemption(POSITION_SPACE)
        + f.env.svm.minimum_balance_for_rent_exemption(165);
    let (trader_tokens, pool_tokens) = (f.env.token_balance(&c.trader.token), f.env.token_balance(&f.keys.pool_vault));
    let trader_lamports = f.env.svm.get_balance(&c.trader.key()).unwrap();

    let res = f.liquidate(&c.keeper, &c.trader, 1);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.env.token_balance(&c.keeper.token), keeper_gets);
    assert_eq!(f.env.token_balance(&c.trader.token), trader_tokens, "the liquidation paid the owner directly");
    assert_eq!(f.env.token_balance(&f.keys.pool_vault) - pool_tokens, pool_gets);
    let p = f.position(&c.trader.key(), 1);
    assert_eq!((p.status, p.residual), (ringfence_sdk::ringfence::state::status::LIQUIDATED, trader_gets));
    assert_eq!(f.env.token_balance(&vault), trader_gets, "the vault holds only the residual");
    let m = f.market();
    assert_eq!((m.long.open_interest, m.short.open_interest, m.positions_open, m.total_reserved), (0, 0, 0, 0));
    f.assert_invariants();
    let ev = events(&res);
    let [Event::PositionLiquidated(e)] = &ev[..] else { panic!("{ev:?}") };
    assert_eq!((e.position, e.owner, e.keeper), (position, c.trader.key(), c.keeper.key()));
    assert_eq!((e.keeper_reward, e.residual, e.to_pool), (keeper_gets, trader_gets, pool_gets));
    assert_eq!(e.vault_balance, 100 * USDC + RESERVE);

    // Nothing else can touch it but the owner's claim.
    let keeper = &c.keeper;
    rejects(f, RingfenceError::PositionNotOpen, |f| f.liquidate(keeper, &c.trader, 1));
    rejects(f, RingfenceError::PositionNotOpen, |f| f.add_margin(&c.trader, 1, USDC));
    rejects(f, RingfenceError::PositionNotOpen, |f| f.close(&c.trader, 1));
    rejects(f, RingfenceError::OwnerMismatch, |f| {
        let ix = ringfence_sdk::ix::claim_residual(&keeper.token, &position, &Position { owner: keeper.key(), ..p });
        f.env.send(&[ix], &[&keeper.kp])
    });
    let res = f.claim_residual(&c.trader, &position, &c.trader.token);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.env.token_balance(&c.trader.token) - trader_tokens, trader_gets);
    assert!(f.env.account(&position).is_none(), "position not closed");
    assert!(f.env.account(&vault).is_none(), "vault not closed");
    assert_eq!(f.env.svm.get_balance(&c.trader.key()).unwrap() - trader_lamports, rent, "rent not refunded");
    f.assert_invariants();
    e.clone()
}

/// The entry paid the confidence interval (100 ± 0.01) against the trader; the liquidation judges
/// at the interval's side in the trader's favour and settles at the mid. For oracle price `mark`:
/// (equity judged, PnL settled, equity settled, trader's residual, pool's part), to the unit.
fn expected(side: Side, mark: u64) -> (i128, i128, i128, u64, u64) {
    let judged = 100 * USDC as i128 + pnl(side, 1_000 * USDC, entry_at(side, 100), judged_at(side, mark));
    let settle_pnl = pnl(side, 1_000 * USDC, entry_at(side, 100), npx(mark));
    let settled = 100 * USDC as i128 + settle_pnl;
    let trader = (settled - 10 * USDC as i128).max(0) as u64;
    (judged, settle_pnl, settled, trader, 100 * USDC + RESERVE - 10 * USDC - trader)
}

#[test]
fn long_below_maintenance_pays_keeper_then_trader_then_pool() {
    let mut c = setup(Side::Long);
    c.f.set_price(px(94)); // judged at 94.0094: pnl -60 exactly (entry 100.01), equity 40 < 50
    let (judged, settle_pnl, settled, trader, pool) = expected(Side::Long, 94);
    assert_eq!(judged, 40 * USDC as i128);
    // Settled at 94: pnl -60.093991 (rounded against the trader), residual 29.906009.
    assert_eq!((settled, trader), (39_906_009, 29_906_009));
    let e = liquidate_and_check(&mut c, 10 * USDC, trader, pool);
    assert_eq!((e.pnl, e.equity, e.maintenance_requirement), (settle_pnl, judged, 50 * USDC));
    assert_eq!(
        (e.oracle_price, e.oracle_conf, e.mark_price, e.bad_debt),
        (npx(94), conf_of(94), judged_at(Side::Long, 94), 0)
    );
}

#[test]
fn short_is_liquidated_when_price_rises() {
    let mut c = setup(Side::Short);
    c.f.set_price(px(106));
    let (judged, settle_pnl, _, trader, pool) = expected(Side::Short, 106);
    let e = liquidate_and_check(&mut c, 10 * USDC, trader, pool);
    assert_eq!((e.side, e.equity, e.pnl), (Side::Short, judged, settle_pnl));
}

#[test]
fn equity_below_reward_leaves_nothing_for_trader() {
    let mut c = setup(Side::Long);
    c.f.set_price(px(91)); // equity ~9.0 < reward 10
    let (_, _, settled, trader, pool) = expected(Side::Long, 91);
    assert_eq!(trader, 0);
    let e = liquidate_and_check(&mut c, 10 * USDC, 0, pool);
    assert_eq!(e.bad_debt, (10 * USDC as i128 - settled) as u128);
}

#[test]
fn bankrupt_position_pays_keeper_and_pool_takes_the_rest() {
    let mut c = setup(Side::Long);
    c.f.set_price(px(85)); // pnl -150.1, equity -50.1
    let (judged, _, settled, _, pool) = expected(Side::Long, 85);
    let e = liquidate_and_check(&mut c, 10 * USDC, 0, pool);
    assert_eq!(e.equity, judged);
    assert_eq!(e.bad_debt, (10 * USDC as i128 - settled) as u128); // reward - equity at the mid
}

#[test]
fn healthy_at_exact_maintenance_is_rejected() {
    let mut c = setup(Side::Long);
    // Equity exactly 50 == maintenance: the mark where pnl = -50 from the entry 100.01.
    let mark = entry_at(Side::Long, 100) * 95 / 100;
    c.f.set_price((mark / 100) as i64);
    assert_eq!(pnl(Side::Long, 1_000 * USDC, entry_at(Side::Long, 100), mark), -50 * USDC as i128);
    let (k, t) = (&c.keeper, &c.trader);
    rejects(&mut c.f, RingfenceError::PositionHealthy, |f| f.liquidate(k, t, 1));
}

#[test]
fn liquidating_twice_fails_and_moves_nothing() {
    let mut c = setup(Side::Long);
    c.f.set_price(px(94));
    c.f.liquidate(&c.keeper, &c.trader, 1).unwrap();
    let (k, t) = (&c.keeper, &c.trader);
    // The liquidated position waits for its owner's claim; nothing else applies to it.
    rejects(&mut c.f, RingfenceError::PositionNotOpen, |f| f.liquidate(k, t, 1));
}

#[test]
fn stale_or_foreign_oracle_cannot_liquidate() {
    let mut c = setup(Side::Long);
    c.f.set_price(px(80));
    // Liquidations accept prices up to 120 s old (trader actions 30 s).
    c.f.env.advance(200);
    let stale = PriceFixture { publish_time: c.f.env.now() - 121, ..c.f.price_fixture() };
    c.f.write_oracle(&stale);
    let (k, t) = (&c.keeper, &c.trader);
    rejects(&mut c.f, RingfenceError::OraclePriceStale, |f| f.liquidate(k, t, 1));

    c.f.set_price(px(80));
    let other = Pubkey::new_unique();
    let fixture = c.f.price_fixture();
    c.f.env.write_price(&other, &fixture);
    rejects(&mut c.f, RingfenceError::OracleAccountMismatch, |f| {
        let a = LiquidateAccounts { oracle: other, ..f.liquidate_accounts(k, t, 1) };
        f.liquidate_with(k, &a)
    });
}

#[test]
fn rejects_accounts_of_other_positions_markets_and_owners() {
    let mut c = setup(Side::Long);
    let other = c.f.wallet(1_000 * USDC);
    c.f.open(&other, 1, Side::Long, 500 * USDC, 1_000 * USDC).unwrap();
    let second = c.f.add_market([6; 32], px(50));
    c.f.set_price(px(90));
    let (k, t) = (&c.keeper, &c.trader);
    let base = c.f.liquidate_accounts(k, t, 1);

    let cases: Vec<(LiquidateAccounts, RingfenceError)> = vec![
        (LiquidateAccounts { vault: c.f.vault_of(&other.key(), 1), ..base }, RingfenceError::VaultMismatch),
        (LiquidateAccounts { pool_vault: other.token, ..base }, RingfenceError::PoolVaultMismatch),
        (
            LiquidateAccounts { market: second.market, oracle: second.oracle, pool_vault: second.pool_vault, ..base },
            RingfenceError::MarketMismatch,
        ),
        (LiquidateAccounts { keeper_token: k.key(), ..base }, RingfenceError::NotTokenAccount),
    ];
    for (accounts, e) in cases {
        rejects(&mut c.f, e, |f| f.liquidate_with(k, &accounts));
    }
    // A keeper token account of another mint.
    let auth = Keypair::new();
    let mint2 = c.f.env.create_mint(&auth.pubkey(), 6);
    let wrong_mint = c.f.env.create_token_account(&mint2, &k.key());
    rejects(&mut c.f, RingfenceError::MintMismatch, |f| {
        f.liquidate_with(k, &LiquidateAccounts { keeper_token: wrong_mint, ..base })
    });
    // The untouched accounts still liquidate.
    let res = c.f.liquidate_with(k, &base);
    assert!(res.is_ok(), "{}", describe(&res));
}
