//! End to end on a real `solana-test-validator`: many traders, an oracle crash, the keeper.
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use ringfence_client::write_keypair;
use ringfence_keeper::{Config, Keeper};
use ringfence_localnet::scenario::{Scenario, USDC};
use solana_keypair::Keypair;
use solana_signer::Signer;

async fn keeper(s: &Scenario, name: &str) -> Arc<Keeper> {
    let kp = Keypair::new();
    s.fund(&[&kp], 0).await.expect("fund keeper");
    let path = s.validator.dir.join(format!("{name}.json"));
    write_keypair(&kp, &path).expect("keypair");
    Keeper::new(Config {
        rpc_url: s.validator.rpc_url(),
        ws_url: s.validator.ws_url(),
        keypair: path,
        markets: vec![s.keys().market],
        concurrency: 32,
        cu_limit: 60_000,
        priority_fee_micro_lamports: 0,
        metrics_addr: None,
        resync: Duration::from_secs(5),
        lp_poll: Duration::from_secs(2),
    })
    .expect("keeper")
}

/// Waits until the keepers' confirmed liquidations add up to `n` (their confirmations can trail
/// what the chain already shows), then returns the sum.
async fn landed(keepers: &[&Keeper], n: u64) -> u64 {
    let sum = || keepers.iter().map(|k| k.metrics.liquidations.landed.load(Ordering::Relaxed)).sum::<u64>();
    for _ in 0..150 {
        if sum() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await; // and no more than n
    sum()
}

async fn watching(k: &Keeper, n: u64) {
    for _ in 0..300 {
        if k.metrics.positions_watched.load(Ordering::Relaxed) >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("keeper never saw {n} positions");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keeper_liquidates_every_underwater_position_and_no_healthy_one() {
    let s = Scenario::start(2_000_000 * USDC).await.expect("scenario");
    // 200 traders: even ones at 10x (underwater after a 10% drop), odd ones at 2x (healthy); and
    // 6 hostile owners at 10x: non-canonical vaults, reassigned and frozen token accounts.
    let traders = s.open_traders(200, &[10, 2]).await.expect("traders");
    let hostile = s.open_hostile(6).await.expect("hostile owners");
    s.check_invariants().await.expect("invariants after opening");
    let k = keeper(&s, "keeper").await;
    let task = tokio::spawn(k.clone().run());
    watching(&k, 206).await;

    let (before, supply) = s.token_totals().await.expect("totals");
    s.post_price(135.0).await.expect("crash");
    let took = s
        .wait_positions(Duration::from_secs(120), |p| p.len() == 100)
        .await
        .expect("every underwater position liquidated, hostile ones included");
    eprintln!("e2e: 106 liquidations landed {took:?} after the crash was confirmed");

    let (after, supply_after) = s.token_totals().await.expect("totals");
    assert_eq!(supply, supply_after);
    for t in &traders {
        let p = s.client.position(&t.position).await.expect("rpc");
        if t.leverage == 2 {
            let p = p.expect("healthy position untouched");
            assert_eq!(after.get(&p.vault), before.get(&p.vault), "healthy vault unchanged");
            assert_eq!(after.get(&t.token), before.get(&t.token), "healthy trader's wallet unchanged");
        } else {
            let p = p.expect("liquidated: waits for its owner's claim");
            assert_eq!(p.status, ringfence_sdk::ringfence::state::status::LIQUIDATED, "{} still open", t.position);
            assert_eq!(after.get(&t.token), before.get(&t.token), "nothing paid into the owner's account");
        }
    }
    for h in &hostile {
        let p = s.client.position(&h.position).await.expect("rpc").expect("kept for the claim");
        assert_eq!(
            p.status,
            ringfence_sdk::ringfence::state::status::LIQUIDATED,
            "hostile {} not liquidated",
            h.position
        );
        assert_eq!(after.get(&p.vault).copied(), Some(p.residual));
    }
    s.check_invariants().await.expect("invariants after liquidations");
    assert_eq!(landed(&[&k], 106).await, 106, "exactly the underwater positions were liquidated");
    // One rule: the keeper never sent a liquidation the program rejected (no other sender raced it).
    assert_eq!(k.metrics.liquidations.failed.load(Ordering::Relaxed), 0, "rejected liquidation transactions");
    // The owner whose token account was reassigned claims into a fresh account it controls.
    let h = &hostile[1];
    let p = s.client.position(&h.position).await.expect("rpc").expect("position");
    let token = Keypair::new();
    use anchor_spl::token::spl_token;
    let ixs = [
        anchor_lang::solana_program::system_instruction::create_account(
            &s.payer().pubkey(),
            &token.pubkey(),
            2_039_280, // rent-exempt minimum of a 165-byte token account
            165,
            &spl_token::ID,
        ),
        spl_token::instruction::initialize_account3(&spl_token::ID, &token.pubkey(), &s.mint, &h.kp.pubkey())
            .expect("init"),
        ringfence_sdk::ix::claim_residual(&token.pubkey(), &h.position, &p),
    ];
    s.client.send(&ixs, s.payer(), &[&token, &h.kp], 3).await.expect("claim residual");
    assert_eq!(s.client.token_balance(&token.pubkey()).await.expect("balance"), p.residual);
    assert!(s.client.position(&h.position).await.expect("rpc").is_none(), "claimed and closed");
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keeper_survives_races_restarts_and_rpc_outages() {
    let mut s = Scenario::start(500_000 * USDC).await.expect("scenario");
    // Three waves of victims by leverage: 10x dies at -5.3%, 5x at -15.3%, 3x at -33%; 2x survives.
    let levels = [10, 5, 3, 2];
    let traders = s.open_traders(40, &levels).await.expect("traders");
    let count = |lev: u64| traders.iter().filter(|t| t.leverage == lev).count();
    let alive_after = |wave: usize| -> usize { levels.iter().skip(wave).map(|l| count(*l)).sum() };

    // Two keepers race on the same positions: each position is liquidated once; the loser's
    // transaction fails in preflight and costs nothing.
    let (k1, k2) = (keeper(&s, "k1").await, keeper(&s, "k2").await);
    let (t1, t2) = (tokio::spawn(k1.clone().run()), tokio::spawn(k2.clone().run()));
    watching(&k1, 40).await;
    watching(&k2, 40).await;
    s.post_price(142.0).await.expect("wave 1");
    s.wait_positions(Duration::from_secs(60), |p| p.len() == alive_after(1)).await.expect("wave 1 liquidated");
    let wave1 = count(10) as u64;
    assert_eq!(landed(&[&k1, &k2], wave1).await, wave1, "each position liquidated exactly once");
    // The loser of each race lost it; no liquidation was rejected for anything else.
    for k in [&k1, &k2] {
        assert_eq!(k.metrics.liquidations.failed.load(Ordering::Relaxed), 0, "rejected other than lost races");
    }
    s.check_invariants().await.expect("invariants after the race");

    // One keeper is killed; the RPC node goes down and comes back on the same ledger.
    t1.abort();
    s.validator.restart_same_ledger().await.expect("validator restart");
    // Right after a restart the node may answer before its program cache is warm; retry briefly.
    let mut posted = Err(anyhow::anyhow!("not tried"));
    for _ in 0..40 {
        posted = s.post_price(127.0).await;
        if posted.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    posted.expect("wave 2");
    s.wait_positions(Duration::from_secs(90), |p| p.len() == alive_after(2)).await.expect("wave 2 after the outage");

    // The surviving keeper is killed in the middle of the next crash and a fresh one started.
    s.post_price(100.0).await.expect("wave 3");
    t2.abort();
    let k3 = keeper(&s, "k3").await;
    let t3 = tokio::spawn(k3.clone().run());
    s.wait_positions(Duration::from_secs(60), |p| p.len() == alive_after(3)).await.expect("wave 3 after a restart");
    s.check_invariants().await.expect("invariants at the end");
    t3.abort();
}

/// Polls `check` every 200 ms until it returns true or `secs` pass.
async fn until<F, Fut>(secs: u64, what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..secs * 5 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what}: not reached within {secs} s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keeper_executes_every_crossed_trigger_and_order_exactly_once() {
    use ringfence_sdk::ringfence::state::status;
    use ringfence_sdk::{Side, TriggerArgs, TriggerKind};
    if std::env::var("RINGFENCE_E2E_TRACE").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter("keeper=info").try_init();
    }
    let s = Scenario::start(2_000_000 * USDC).await.expect("scenario");
    let px = |p: u64| p * ringfence_sdk::math::PRICE_ONE;
    // 200 longs opened at 150, each with a take-profit and a stop-loss:
    // A (odd i, 3x): take-profit 155 (crossed at 157), stop-loss 120 (never);
    // B (even i, 3x): stop-loss 142 (crossed at 139; half of them for 500 of the 1,000), take-profit 170 (never);
    // C (every tenth, 10x): stop-loss 141, but liquidatable at 139: liquidated instead.
    let group = |i: usize| {
        if i.is_multiple_of(10) {
            'C'
        } else if i % 2 == 1 {
            'A'
        } else {
            'B'
        }
    };
    let levels: Vec<u64> = (0..10).map(|i| if group(i) == 'C' { 10 } else { 3 }).collect();
    let traders = s.open_traders(200, &levels).await.expect("traders");
    let t = |price, size| Some(TriggerArgs { price: px(price), size, fee: USDC / 10 });
    s.set_triggers(&traders, TriggerKind::TakeProfit, |i| match group(i) {
        'A' => t(155, 0),
        _ => t(170, 0),
    })
    .await
    .expect("take-profits");
    s.set_triggers(&traders, TriggerKind::StopLoss, |i| match group(i) {
        'A' => t(120, 0),
        'B' if i % 4 == 0 => t(142, 500 * USDC),
        'B' => t(142, 0),
        _ => t(141, 0),
    })
    .await
    .expect("stop-losses");
    // 100 limit orders: 40 longs at 145 (filled at 139), 40 shorts at 155 (filled at 157), 20
    // longs at 130 (never).
    let now = ringfence_localnet::migrate::now_unix();
    let spec = |i: usize| {
        let (side, limit) = match i % 5 {
            0 | 1 => (Side::Long, 145),
            2 | 3 => (Side::Short, 155),
            _ => (Side::Long, 130),
        };
        ringfence_sdk::ix::OrderSpec {
            id: 7,
            side,
            collateral: 334 * USDC,
            size: 1_000 * USDC,
            limit_price: px(limit),
            expiry: now + 3_600,
            exec_fee: USDC / 10,
            take_profit: TriggerArgs::default(),
            stop_loss: TriggerArgs::default(),
        }
    };
    let specs: Vec<_> = (0..100).map(spec).collect();
    let orders = s.place_orders(&specs).await.expect("orders");
    // The owner of order 0 (a long at 145) opens its position id itself: the order can never fill
    // (its position address is taken); the keeper must leave it, not send rejected fills.
    let (blocked, _) = &orders[0];
    let open = ringfence_sdk::ix::open_position(
        &blocked.kp.pubkey(),
        &blocked.token,
        s.keys(),
        7,
        Side::Long,
        334 * USDC,
        1_000 * USDC,
        ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
    );
    // With a fresh price: setting up 300 accounts may take longer than the trade price age.
    s.client
        .send(&[s.price_ix(150.0).await, open], s.payer(), &[&blocked.kp], 3)
        .await
        .expect("open over the order's id");
    s.check_invariants().await.expect("invariants after setting up");
    let (before, supply) = s.token_totals().await.expect("totals");

    let k = keeper(&s, "keeper").await;
    let task = tokio::spawn(k.clone().run());
    watching(&k, 200).await;
    // Prices published after every setting: more than the allowed clock skew (10 s) later on the
    // cluster's clock (prices are stamped with it; under load it runs behind this host's).
    let ready = s.client.cluster_time().await.expect("clock") + ringfence_sdk::math::MAX_CLOCK_SKEW_SECS + 1;
    while s.client.cluster_time().await.expect("clock") < ready {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let open_count = |st: u8| {
        let s = &s;
        async move {
            s.client
                .positions(&s.keys().market)
                .await
                .map(|p| p.iter().filter(|(_, p)| p.status == st).count())
                .unwrap_or(0)
        }
    };
    let orders_left = || async { s.client.orders(&s.keys().market).await.map(|o| o.len()).unwrap_or(usize::MAX) };

    // Up to 157: every take-profit of A closes its position; the shorts at 155 fill. (The directly
    // opened position of order 0's owner is a 3x long at 150: it stays healthy on this path.)
    s.post_price(157.0).await.expect("157");
    until(60, "A's take-profits and the short orders", || async {
        let now = (open_count(status::CLOSED).await, orders_left().await);
        if std::env::var("RINGFENCE_E2E_TRACE").is_ok() {
            eprintln!("closed, orders left: {now:?}; keeper: {}", k.metrics.render().replace('\n', " "));
        }
        now == (100, 60)
    })
    .await;
    // Back to 150: nothing crosses.
    s.post_price(150.0).await.expect("150");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(open_count(status::CLOSED).await, 100);
    assert_eq!(orders_left().await, 60);
    // Down to 139: B's stop-losses (40 full closes, 40 halves), C liquidated, longs at 145 fill.
    s.post_price(139.0).await.expect("139");
    until(60, "B's stop-losses, C's liquidations and the long orders", || async {
        let now = (open_count(status::CLOSED).await, open_count(status::LIQUIDATED).await, orders_left().await);
        if std::env::var("RINGFENCE_E2E_TRACE").is_ok() {
            eprintln!("closed, liquidated, orders left: {now:?}; keeper: {}", k.metrics.render().replace('\n', " "));
        }
        // 20 orders never reached, 1 whose position address its owner took.
        now == (140, 20, 21)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await; // and nothing more

    let (after, supply_after) = s.token_totals().await.expect("totals");
    assert_eq!(supply, supply_after);
    for (i, tr) in traders.iter().enumerate() {
        let p = s.client.position(&tr.position).await.expect("rpc").expect("kept for the claim or open");
        // Keeper-run closes pay the owner the way liquidations do: into the vault, never the wallet.
        assert_eq!(after.get(&tr.token), before.get(&tr.token), "owner {i}'s wallet moved");
        match group(i) {
            'A' => assert_eq!((p.status, p.stop_loss.price), (status::CLOSED, 0), "A {i}"),
            'C' => assert_eq!(p.status, status::LIQUIDATED, "C {i}: liquidation takes precedence"),
            _ if i % 4 == 0 => {
                assert_eq!((p.status, p.size, p.stop_loss.price), (status::OPEN, 500 * USDC, 0), "B {i} halved");
                assert_eq!(p.take_profit.price, px(170), "B {i}: the uncrossed take-profit stays");
                assert!(p.residual > 0);
            }
            _ => assert_eq!(p.status, status::CLOSED, "B {i}"),
        }
    }
    for (i, (tr, order)) in orders.iter().enumerate() {
        let filled = i % 5 != 4 && i != 0;
        assert_eq!(s.client.order(order).await.expect("rpc").is_none(), filled, "order {i}");
        let p = s.client.position(&tr.position).await.expect("rpc");
        assert_eq!(p.is_some(), filled || i == 0, "order {i}'s position");
    }
    s.check_invariants().await.expect("invariants after the path");
    // Exactly once each: 180 trigger executions, 20 liquidations, 79 fills; nothing rejected (the
    // blocked order was never sent).
    use ringfence_keeper::metrics::Kind;
    for (kind, n) in [(Kind::Trigger, 180), (Kind::Liquidation, 20), (Kind::Order, 79), (Kind::TopUp, 0)] {
        let c = k.metrics.of(kind);
        assert_eq!(c.landed.load(Ordering::Relaxed), n, "{} landed", kind.name());
        assert_eq!(c.failed.load(Ordering::Relaxed), 0, "{} rejected", kind.name());
    }
    // An owner claims a keeper-closed position's residual like a liquidation's.
    let tr = &traders[1];
    let p = s.client.position(&tr.position).await.expect("rpc").expect("closed position");
    let claim = ringfence_sdk::ix::claim_residual(&tr.token, &tr.position, &p);
    s.client.send(&[claim], &tr.kp, &[], 3).await.expect("claim");
    assert_eq!(s.client.token_balance(&tr.token).await.expect("balance"), before[&tr.token] + p.residual);
    task.abort();
}
