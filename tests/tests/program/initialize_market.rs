use anchor_lang::prelude::Pubkey;
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix::{self, MarketKeys};
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::MARKET_SPACE;
use ringfence_sdk::{Market, RiskParams};

#[test]
fn creates_market_and_pool_vault_exactly() {
    let f = MarketFixture::new();
    let m: Market = f.market();
    assert_eq!(m.creator, f.admin.pubkey());
    assert_eq!(m.admin, f.admin.pubkey());
    assert_eq!(m.collateral_mint, f.mint);
    assert_eq!(m.feed_id, FEED_ID);
    assert_eq!(m.oracle, f.oracle);
    assert_eq!(m.pool_vault, f.keys.pool_vault);
    assert_eq!(m.params, default_params());
    assert_eq!((m.long.open_interest, m.short.open_interest, m.positions_open), (0, 0, 0));
    // The first deposit's shares: one per unit, of which DEAD_SHARES belong to nobody.
    let dead = ringfence_sdk::math::DEAD_SHARES;
    assert_eq!(
        (m.free_liquidity, m.total_reserved, m.lp_supply, m.dead_shares),
        (INITIAL_LIQUIDITY, 0, INITIAL_LIQUIDITY - dead, dead)
    );
    assert_eq!(m.lp_mint, f.keys.lp_mint);
    assert_eq!(f.env.account(&f.keys.market).unwrap().data.len(), MARKET_SPACE);
    let pool = f.env.token_account(&f.keys.pool_vault).expect("pool vault");
    assert_eq!((pool.mint, pool.owner, pool.amount), (f.mint, f.keys.market, INITIAL_LIQUIDITY));
    f.assert_invariants();
}

#[test]
fn emits_market_initialized() {
    // Re-run initialization on a second feed to capture the transaction's events.
    let mut f = MarketFixture::new();
    let feed = [9u8; 32];
    let oracle = Pubkey::new_unique();
    let fixture = PriceFixture::new(feed, pyth_price(5.0), f.env.now());
    f.env.write_price(&oracle, &fixture);
    let keys = MarketKeys::derive(&f.admin.pubkey(), &f.mint, &feed, &oracle);
    let res = f.env.send(&[ix::initialize_market(&f.admin.pubkey(), &keys, feed, f.params)], &[&f.admin]);
    let ev = events(&res);
    assert_eq!(ev.len(), 1, "{}", describe(&res));
    let Event::MarketInitialized(e) = &ev[0] else { panic!("{ev:?}") };
    assert_eq!((e.market, e.oracle, e.pool_vault, e.feed_id), (keys.market, oracle, keys.pool_vault, feed));
    assert_eq!(e.params, f.params);
    assert_eq!(e.lp_mint, keys.lp_mint);
    assert_eq!(f.env.account(&keys.lp_mint).expect("lp mint").owner, anchor_spl::token::ID);
}

fn expect_param_error(params: RiskParams, e: RingfenceError) {
    let Err(failed) = MarketFixture::with_params(params) else { panic!("{params:?} accepted; expected {e:?}") };
    let (f, res) = *failed;
    assert_ringfence_err(&res, e);
    assert!(f.env.account(&f.keys.market).is_none(), "market created despite {e:?}");
    assert!(f.env.account(&f.keys.pool_vault).is_none(), "pool vault created despite {e:?}");
}

#[test]
fn every_parameter_is_range_checked() {
    let p = default_params();
    use RingfenceError::*;
    expect_param_error(RiskParams { initial_margin_bps: 49, ..p }, InitialMarginOutOfRange);
    expect_param_error(RiskParams { initial_margin_bps: 10_001, ..p }, InitialMarginOutOfRange);
    expect_param_error(
        RiskParams { maintenance_margin_bps: 9, liquidation_fee_bps: 5, ..p },
        MaintenanceMarginOutOfRange,
    );
    // Initial margin below maintenance + widest confidence + close fee + keeper reward (800).
    expect_param_error(RiskParams { maintenance_margin_bps: 1_000, ..p }, InitialMarginOutOfRange);
    expect_param_error(RiskParams { initial_margin_bps: 799, ..p }, InitialMarginOutOfRange);
    expect_param_error(
        RiskParams { initial_margin_bps: 10_000, maintenance_margin_bps: 5_001, ..p },
        MaintenanceMarginOutOfRange,
    );
    expect_param_error(RiskParams { liquidation_fee_bps: 0, ..p }, LiquidationFeeOutOfRange);
    expect_param_error(RiskParams { liquidation_fee_bps: 500, ..p }, LiquidationFeeOutOfRange); // = maintenance
    expect_param_error(RiskParams { max_conf_bps: 0, ..p }, MaxConfidenceOutOfRange);
    expect_param_error(RiskParams { max_conf_bps: 1_001, max_conf_liquidate_bps: 1_001, ..p }, MaxConfidenceOutOfRange);
    // The liquidation bound: at least the trading bound, at most 20%.
    expect_param_error(RiskParams { max_conf_liquidate_bps: 199, ..p }, MaxConfidenceOutOfRange);
    expect_param_error(RiskParams { max_conf_liquidate_bps: 2_001, ..p }, MaxConfidenceOutOfRange);
    expect_param_error(RiskParams { max_price_age_trade_secs: 0, ..p }, MaxPriceAgeOutOfRange);
    expect_param_error(
        RiskParams { max_price_age_trade_secs: 31, max_price_age_liquidate_secs: 60, ..p },
        MaxPriceAgeOutOfRange,
    );
    expect_param_error(RiskParams { max_price_age_liquidate_secs: 29, ..p }, MaxPriceAgeOutOfRange); // < trade age
                                                                                                     // Liquidations judge health now: at most 60 s old.
    expect_param_error(RiskParams { max_price_age_liquidate_secs: 61, ..p }, MaxPriceAgeOutOfRange);
    expect_param_error(RiskParams { open_fee_bps: 101, ..p }, TradeFeeOutOfRange);
    expect_param_error(RiskParams { close_fee_bps: 101, ..p }, TradeFeeOutOfRange);
    expect_param_error(RiskParams { max_profit_bps: 999, ..p }, MaxProfitOutOfRange);
    expect_param_error(RiskParams { max_profit_bps: 100_001, ..p }, MaxProfitOutOfRange);
    expect_param_error(RiskParams { borrow_rate_min: 2, borrow_rate_max: 1, ..p }, BorrowRateOutOfRange);
    expect_param_error(RiskParams { borrow_rate_max: 317_099, ..p }, BorrowRateOutOfRange);
    expect_param_error(RiskParams { timelock_secs: 30 * 86_400 + 1, ..p }, TimelockOutOfRange);
    // The timelock is the traders' exit window: never shorter than an hour.
    expect_param_error(RiskParams { timelock_secs: 3_599, ..p }, TimelockOutOfRange);
    expect_param_error(RiskParams { timelock_secs: 0, ..p }, TimelockOutOfRange);
    // LP fee: at least (open + close) / (2 * max profit) = 20 here, at most 1%.
    expect_param_error(
        RiskParams { open_fee_bps: 10, close_fee_bps: 10, lp_fee_bps: 19, initial_margin_bps: 1_100, ..p },
        LpFeeOutOfRange,
    );
    expect_param_error(RiskParams { lp_fee_bps: 101, ..p }, LpFeeOutOfRange);
    // Dust: the smallest position's keeper reward (1%) must be at least 3 units.
    expect_param_error(RiskParams { min_position_size: 299, ..p }, MinPositionSizeOutOfRange);
}

#[test]
fn parameter_bounds_are_inclusive() {
    let p = default_params();
    for ok in [
        // initial = maintenance + confidence + close fee + reward exactly.
        RiskParams {
            initial_margin_bps: 50,
            maintenance_margin_bps: 10,
            max_conf_bps: 39,
            liquidation_fee_bps: 1,
            ..p
        },
        RiskParams { initial_margin_bps: 800, ..p },
        RiskParams {
            initial_margin_bps: 10_000,
            maintenance_margin_bps: 5_000,
            max_conf_bps: 1,
            liquidation_fee_bps: 4_999,
            ..p
        },
        RiskParams {
            max_conf_bps: 1,
            max_conf_liquidate_bps: 1,
            max_price_age_trade_secs: 1,
            max_price_age_liquidate_secs: 1,
            ..p
        },
        RiskParams {
            initial_margin_bps: 1_600,
            max_conf_bps: 1_000,
            max_conf_liquidate_bps: 2_000,
            max_price_age_trade_secs: 30,
            max_price_age_liquidate_secs: 60,
            ..p
        },
        // LP fee exactly (open + close) / (2 * max profit), at its 1% maximum.
        RiskParams {
            open_fee_bps: 100,
            close_fee_bps: 100,
            lp_fee_bps: 100,
            max_profit_bps: 10_000,
            timelock_secs: 3_600,
            initial_margin_bps: 1_000,
            ..p
        },
        RiskParams { min_position_size: 300, ..p },
        RiskParams {
            max_profit_bps: 100_000,
            borrow_rate_min: 317_098,
            borrow_rate_max: 317_098,
            timelock_secs: 30 * 86_400,
            ..p
        },
    ] {
        if let Err(e) = MarketFixture::with_params(ok) {
            panic!("{ok:?} rejected: {}", describe(&e.1));
        }
    }
}

#[test]
fn rejects_oracle_of_another_feed() {
    let mut f = MarketFixture::new();
    let feed = [3u8; 32];
    let oracle = f.oracle; // pinned account of FEED_ID, not of `feed`
    let keys = MarketKeys::derive(&f.admin.pubkey(), &f.mint, &feed, &oracle);
    let res = f.env.send(&[ix::initialize_market(&f.admin.pubkey(), &keys, feed, f.params)], &[&f.admin]);
    assert_ringfence_err(&res, RingfenceError::OracleFeedMismatch);
    assert!(f.env.account(&keys.market).is_none());
}
