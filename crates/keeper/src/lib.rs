//! The Ringfence keeper: liquidations, standby top-ups, take-profit / stop-loss executions and
//! limit-order fills.
//!
//! At start (and every `resync` interval, and after any reconnect) it loads every position of its
//! markets with `getProgramAccounts` (filtered by size and market) plus the markets and their
//! pinned oracles; between resyncs it follows them through websocket subscriptions (program
//! accounts, oracle accounts, market accounts) instead of polling. Each change re-evaluates the
//! affected positions and orders with the program's own rules (`decide`: the functions the
//! instructions call), and every position or order the program would act on gets its
//! transaction — `liquidate` first, then `top_up`, then `execute_trigger`; `execute_limit_order`
//! for orders — with a compute-unit limit and optional priority fee, sent concurrently, retried
//! on blockhash expiry, never twice at once for one account. Preflight simulation means nothing
//! the program would refuse is sent. Each kind is counted on its own (`metrics`). Any RPC or
//! websocket failure is waited out with back-off.

pub mod decide;
pub mod metrics;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use anyhow::{Context, Result};
use futures::StreamExt;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_client::{ata, compute_budget, order_filters, position_filters, program_accounts_config, Client};
use ringfence_sdk::ix::{self, LiquidateAccounts, MarketKeys};
use ringfence_sdk::{decode_account, LimitOrder, Market, Position, PROGRAM_ID};
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_keypair::Keypair;
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use solana_rpc_client_api::config::RpcAccountInfoConfig;
use solana_signer::Signer;
use tokio::sync::{Mutex, Semaphore};
use tracing::{info, warn};

use crate::decide::{evaluate, evaluate_order, Action};
use crate::metrics::{Kind, Metrics};

#[derive(Clone, Debug)]
pub struct Config {
    pub rpc_url: String,
    pub ws_url: String,
    pub keypair: PathBuf,
    pub markets: Vec<Pubkey>,
    pub concurrency: usize,
    /// Compute-unit limit per liquidation (`make bench`: liquidate ~19.3k; ATA creation adds some).
    pub cu_limit: u32,
    pub priority_fee_micro_lamports: u64,
    pub metrics_addr: Option<SocketAddr>,
    pub resync: Duration,
    /// How often pending LP requests are looked for (each found one gets a sweep and execution).
    pub lp_poll: Duration,
}

struct MarketState {
    market: Market,
    keys: MarketKeys,
    /// The pinned oracle account as last seen.
    oracle: Option<PriceUpdateV2>,
}

#[derive(Default)]
struct State {
    markets: HashMap<Pubkey, MarketState>,
    positions: HashMap<Pubkey, Position>,
    orders: HashMap<Pubkey, LimitOrder>,
    /// Positions and orders with a transaction in flight.
    inflight: HashSet<Pubkey>,
    /// Orders whose position address is taken (their owner opened that id directly): the program
    /// cannot fill them until it is free again; looked at again at the next resync.
    blocked_orders: HashSet<Pubkey>,
    /// Cluster clock minus this host's clock at the last resync: the rule is judged at the
    /// cluster's time (the program's `Clock`), not the host's.
    clock_offset: i64,
}

pub struct Keeper {
    cfg: Config,
    client: Client,
    payer: Keypair,
    state: Mutex<State>,
    sends: Semaphore,
    pub metrics: Arc<Metrics>,
}

fn decode_price(data: &[u8]) -> Option<PriceUpdateV2> {
    decode_account(data).ok()
}

/// Whether a failed keeper transaction's error is a lost race, not a disagreement with the
/// program: the position was already liquidated or closed (`PositionNotOpen`), closed and claimed,
/// or the order filled or cancelled (Anchor's `AccountNotInitialized` /
/// `AccountOwnedByWrongProgram`), the trigger executed (`TriggerNotSet`) or the standby moved
/// (`NoStandby`, `TopUpNotDue`) by someone else, or another transaction used a newer price on the
/// market first (`OraclePriceOlderThanMarket`).
pub fn lost_race(error: &str) -> bool {
    use ringfence_sdk::ringfence::error::RingfenceError as E;
    let codes = [
        ringfence_sdk::error_code(E::PositionNotOpen),
        ringfence_sdk::error_code(E::OraclePriceOlderThanMarket),
        ringfence_sdk::error_code(E::TriggerNotSet),
        ringfence_sdk::error_code(E::NoStandby),
        ringfence_sdk::error_code(E::TopUpNotDue),
        anchor_lang::error::ErrorCode::AccountNotInitialized as u32,
        anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram as u32,
    ];
    codes
        .iter()
        .any(|c| error.contains(&format!("custom program error: {c:#x}")) || error.contains(&format!("Custom({c})")))
}

pub use ringfence_client::now_unix;

impl Keeper {
    pub fn new(cfg: Config) -> Result<Arc<Keeper>> {
        let payer = ringfence_client::read_keypair(&cfg.keypair)?;
        let client = Client::new(&cfg.rpc_url);
        Ok(Arc::new(Keeper {
            sends: Semaphore::new(cfg.concurrency.max(1)),
            cfg,
            client,
            payer,
            state: Mutex::new(State::default()),
            metrics: Arc::new(Metrics::default()),
        }))
    }

    /// Runs until the process is stopped.
    pub async fn run(self: Arc<Self>) -> Result<()> {
        if let Some(addr) = self.cfg.metrics_addr {
            let m = self.metrics.clone();
            tokio::spawn(async move { metrics::serve(addr, m).await });
        }
        self.clone().resync_until_ok().await;
        let lp = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lp.cfg.lp_poll).await;
                lp.execute_lp_requests().await;
            }
        });
        let resync = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(resync.cfg.resync).await;
                resync.clone().resync_until_ok().await;
            }
        });
        // Websocket subscriptions; any failure reconnects (and resyncs) after a back-off.
        let mut backoff = Duration::from_millis(250);
        loop {
            match self.clone().subscribe_once().await {
                Ok(()) => warn!(target: "keeper", "subscription stream ended; reconnecting"),
                Err(e) => warn!(target: "keeper", error = %e, "subscriptions failed; reconnecting"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
            self.clone().resync_until_ok().await;
        }
    }

    /// Executes every pending LP request: for each market with requests, a sweep at the oracle's
    /// current price (the program refuses a stale one), every position valued, each request
    /// executed. A request that cannot execute yet (e.g. not enough free liquidity) waits.
    async fn execute_lp_requests(&self) {
        for market in &self.cfg.markets {
            let requests = match self.client.lp_requests(market).await {
                Ok(r) if r.is_empty() => continue,
                Ok(r) => r,
                Err(e) => {
                    warn!(target: "keeper", error = %e, "listing LP requests failed");
                    continue;
                }
            };
            // Executable once the on-chain price is newer than the newest known at the request.
            let published = match self.client.market(market).await {
                Ok(m) => self.client.price_update(&m.oracle).await.map(|u| u.price_message.publish_time).unwrap_or(0),
                Err(_) => 0,
            };
            let keys: Vec<Pubkey> = requests
                .iter()
                .filter(|(_, r)| r.executed == 0 && published > r.after_publish_time)
                .map(|(k, _)| *k)
                .collect();
            if keys.is_empty() {
                continue;
            }
            match self.client.sweep_and_execute(market, &self.payer, &[], &keys).await {
                Ok(results) => {
                    for (request, res) in results {
                        match res {
                            Ok(sig) => info!(target: "keeper", %market, %request, %sig, "LP request executed"),
                            Err(e) => warn!(target: "keeper", %market, %request, error = %e, "LP request not executed"),
                        }
                    }
                }
                Err(e) => warn!(target: "keeper", %market, error = %e, "pool sweep failed"),
            }
        }
    }

    async fn resync_until_ok(self: Arc<Self>) {
        let mut backoff = Duration::from_millis(250);
        loop {
            match self.clone().resync().await {
                Ok(n) => {
                    info!(target: "keeper", positions = n, "resynced");
                    return;
                }
                Err(e) => {
                    warn!(target: "keeper", error = %e, "resync failed (RPC down?); retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    /// Loads every market, oracle and position from RPC, then evaluates all positions.
    async fn resync(self: Arc<Self>) -> Result<usize> {
        let mut markets = HashMap::new();
        let mut positions = HashMap::new();
        let mut orders = HashMap::new();
        for key in &self.cfg.markets {
            let market = self.client.market(key).await?;
            let oracle = self.client.rpc.get_account(&market.oracle).await.context("oracle")?;
            let keys = MarketKeys::of(key, &market);
            // The keeper's reward account: its associated token account, created once.
            let (_, create) = ata(&self.payer.pubkey(), &market.collateral_mint, &self.payer.pubkey());
            self.client.send(&[create], &self.payer, &[], 3).await.context("keeper token account")?;
            markets.insert(*key, MarketState { market, keys, oracle: decode_price(&oracle.data) });
            // Liquidated positions wait for their owner's claim: nothing for the keeper.
            for (k, p) in self.client.positions(key).await?.into_iter().filter(|(_, p)| p.is_open()) {
                positions.insert(k, p);
            }
            orders.extend(self.client.orders(key).await?);
        }
        let n = positions.len();
        let clock_offset = self.client.cluster_time().await? - now_unix();
        {
            let mut s = self.state.lock().await;
            s.markets = markets;
            s.positions = positions;
            self.metrics.set_orders_watched(orders.len());
            s.orders = orders;
            s.blocked_orders.clear();
            s.clock_offset = clock_offset;
        }
        self.metrics.set_watched(n);
        self.evaluate_all(None).await;
        Ok(n)
    }

    async fn subscribe_once(self: Arc<Self>) -> Result<()> {
        let ps = PubsubClient::new(&self.cfg.ws_url).await.context("websocket connect")?;
        let account_cfg = || RpcAccountInfoConfig {
            encoding: Some(UiAccountEncoding::Base64),
            commitment: Some(CommitmentConfig::confirmed()),
            ..RpcAccountInfoConfig::default()
        };
        let oracles: Vec<(Pubkey, Pubkey)> = {
            let s = self.state.lock().await;
            s.markets.iter().map(|(k, m)| (*k, m.market.oracle)).collect()
        };
        let mut streams = Vec::new();
        for market in &self.cfg.markets {
            let cfg = program_accounts_config(position_filters(market), CommitmentConfig::confirmed());
            let (stream, _unsub) = ps.program_subscribe(&PROGRAM_ID, Some(cfg)).await?;
            streams.push(
                stream
                    .map(|r| (Some(r.value.pubkey), None, r.value.account.data.decode(), r.value.account.lamports))
                    .boxed(),
            );
            let cfg = program_accounts_config(order_filters(market), CommitmentConfig::confirmed());
            let (stream, _unsub) = ps.program_subscribe(&PROGRAM_ID, Some(cfg)).await?;
            streams.push(
                stream
                    .map(|r| (Some(r.value.pubkey), None, r.value.account.data.decode(), r.value.account.lamports))
                    .boxed(),
            );
        }
        for (market, oracle) in &oracles {
            let (stream, _unsub) = ps.account_subscribe(oracle, Some(account_cfg())).await?;
            let m = *market;
            let o = *oracle;
            streams
                .push(stream.map(move |r| (None, Some((m, Some(o))), r.value.data.decode(), r.value.lamports)).boxed());
            let (stream, _unsub) = ps.account_subscribe(market, Some(account_cfg())).await?;
            let m = *market;
            streams.push(stream.map(move |r| (None, Some((m, None)), r.value.data.decode(), r.value.lamports)).boxed());
        }
        info!(target: "keeper", markets = self.cfg.markets.len(), "subscribed");
        let mut all = futures::stream::select_all(streams);
        while let Some((position_key, market_update, data, lamports)) = all.next().await {
            match (position_key, market_update, data) {
                (Some(key), _, data) => {
                    let key: Pubkey = key.parse().unwrap_or_default();
                    let data = data.filter(|_| lamports > 0);
                    // An order (created, or gone when filled, cancelled or expired)?
                    if let Some(order) = data.as_deref().and_then(|d| decode_account::<LimitOrder>(d).ok()) {
                        let n = {
                            let mut s = self.state.lock().await;
                            s.orders.insert(key, order);
                            s.orders.len()
                        };
                        self.metrics.set_orders_watched(n);
                        self.clone().evaluate_order_one(key).await;
                        continue;
                    }
                    let position =
                        data.as_deref().and_then(|d| decode_account::<Position>(d).ok()).filter(Position::is_open);
                    let (market, n_orders) = {
                        let mut s = self.state.lock().await;
                        s.orders.remove(&key);
                        let m = match position {
                            Some(p) => {
                                let m = p.market;
                                s.positions.insert(key, p);
                                Some(m)
                            }
                            None => {
                                s.positions.remove(&key);
                                None
                            }
                        };
                        (m, s.orders.len())
                    };
                    self.metrics.set_orders_watched(n_orders);
                    self.metrics.set_watched(self.state.lock().await.positions.len());
                    if market.is_some() {
                        self.clone().evaluate_one(key).await;
                    }
                }
                (None, Some((market, oracle_key)), Some(data)) => {
                    let mut oracle_switched = false;
                    {
                        let mut s = self.state.lock().await;
                        if let Some(ms) = s.markets.get_mut(&market) {
                            match oracle_key {
                                // Only the account the market pins now.
                                Some(o) if o == ms.market.oracle => {
                                    if let Some(u) = decode_price(&data) {
                                        ms.oracle = Some(u);
                                    }
                                }
                                Some(_) => {}
                                None => {
                                    if let Ok(m) = decode_account::<Market>(&data) {
                                        if m.oracle != ms.market.oracle {
                                            // An oracle switch applied: new accounts, no price until
                                            // the new account is read (resync and resubscribe).
                                            ms.keys = MarketKeys::of(&market, &m);
                                            ms.oracle = None;
                                            oracle_switched = true;
                                        }
                                        ms.market = m;
                                    }
                                }
                            }
                        }
                    }
                    if oracle_switched {
                        info!(target: "keeper", market = %market, "oracle switched; resubscribing");
                        return Ok(());
                    }
                    self.clone().evaluate_all(Some(market)).await;
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn evaluate_one(self: Arc<Self>, key: Pubkey) {
        let todo = {
            let mut s = self.state.lock().await;
            let Some(p) = s.positions.get(&key).copied() else { return };
            let Some(ms) = s.markets.get(&p.market) else { return };
            match evaluate(&ms.market, ms.oracle.as_ref(), &p, now_unix() + s.clock_offset) {
                Some((action, publish_time)) if !s.inflight.contains(&key) => {
                    let keys = ms.keys;
                    s.inflight.insert(key);
                    Some((p, keys, action, publish_time))
                }
                _ => None,
            }
        };
        if let Some((p, keys, action, publish_time)) = todo {
            tokio::spawn(self.clone().act(key, p, keys, action, publish_time));
        }
    }

    async fn evaluate_order_one(self: Arc<Self>, key: Pubkey) {
        let todo = {
            let mut s = self.state.lock().await;
            let Some(o) = s.orders.get(&key).copied() else { return };
            if s.blocked_orders.contains(&key) {
                return;
            }
            let Some(ms) = s.markets.get(&o.market) else { return };
            match evaluate_order(&ms.market, ms.oracle.as_ref(), &o, now_unix() + s.clock_offset) {
                Some(_) if !s.inflight.contains(&key) => {
                    let keys = ms.keys;
                    s.inflight.insert(key);
                    Some((o, keys))
                }
                _ => None,
            }
        };
        if let Some((o, keys)) = todo {
            tokio::spawn(self.clone().fill(key, o, keys));
        }
    }

    async fn evaluate_all(self: Arc<Self>, market: Option<Pubkey>) {
        let (positions, orders): (Vec<Pubkey>, Vec<Pubkey>) = {
            let s = self.state.lock().await;
            (
                s.positions.iter().filter(|(_, p)| market.is_none_or(|m| p.market == m)).map(|(k, _)| *k).collect(),
                s.orders.iter().filter(|(_, o)| market.is_none_or(|m| o.market == m)).map(|(k, _)| *k).collect(),
            )
        };
        for k in positions {
            self.clone().evaluate_one(k).await;
        }
        for k in orders {
            self.clone().evaluate_order_one(k).await;
        }
    }

    /// Sends `action` on the position at `key` (account data `p`): every account from the
    /// position itself and its market, none of the owner's (a liquidation's or a keeper-run
    /// close's residual stays in the vault for the owner's claim).
    async fn act(self: Arc<Self>, key: Pubkey, p: Position, keys: MarketKeys, action: Action, publish_time: i64) {
        let _permit = self.sends.acquire().await;
        let keeper = self.payer.pubkey();
        let (keeper_token, _) = ata(&keeper, &keys.collateral_mint, &keeper);
        let mut ixs = compute_budget(self.cfg.cu_limit, self.cfg.priority_fee_micro_lamports);
        let kind = match action {
            Action::Liquidate => {
                ixs.push(ix::liquidate(&LiquidateAccounts::of(&keeper, &keeper_token, &keys, &key, &p)));
                Kind::Liquidation
            }
            Action::TopUp => {
                ixs.push(ix::top_up(&keeper, &keeper_token, &keys, &key, &p));
                Kind::TopUp
            }
            Action::Trigger(t) => {
                ixs.push(ix::execute_trigger(&keeper, &keeper_token, &keys, &key, &p, t));
                Kind::Trigger
            }
        };
        self.metrics.sent(kind);
        let started = Instant::now();
        let res = self.client.send(&ixs, &self.payer, &[], 3).await;
        self.settle(key, kind, res.map(|sig| (sig, publish_time)), started).await;
        // The position as the chain has it now (a websocket update may have come before the
        // confirmation, or not at all yet), then whatever is due next (a rescued liquidation, a
        // top-up still due, the other trigger).
        if let Ok(fresh) = self.client.position(&key).await {
            let mut s = self.state.lock().await;
            match fresh.filter(Position::is_open) {
                Some(p) => {
                    s.positions.insert(key, p);
                }
                None => {
                    s.positions.remove(&key);
                }
            }
        }
        self.clone().evaluate_one_boxed(key).await;
    }

    /// `evaluate_one` behind a boxed future, for `act` to call (its future contains `act`'s own).
    fn evaluate_one_boxed(
        self: Arc<Self>,
        key: Pubkey,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        Box::pin(self.evaluate_one(key))
    }

    /// Fills the limit order at `key` (account data `o`): the keeper fronts the rent of the new
    /// position and its vault and is repaid from the order in the same instruction.
    async fn fill(self: Arc<Self>, key: Pubkey, o: LimitOrder, keys: MarketKeys) {
        let _permit = self.sends.acquire().await;
        // The program cannot create the position where an account already is (its owner opened
        // that id directly): leave the order to its owner's cancel or its expiry.
        if self.client.rpc.get_account(&o.position).await.is_ok() {
            let mut s = self.state.lock().await;
            s.blocked_orders.insert(key);
            s.inflight.remove(&key);
            info!(target: "keeper", order = %key, position = %o.position, "order's position address taken; not filled");
            return;
        }
        let keeper = self.payer.pubkey();
        let (keeper_token, _) = ata(&keeper, &keys.collateral_mint, &keeper);
        let mut ixs = compute_budget(self.cfg.cu_limit.max(60_000), self.cfg.priority_fee_micro_lamports);
        ixs.push(ix::execute_limit_order(&keeper, &keeper_token, &keys, &key, &o));
        self.metrics.sent(Kind::Order);
        let started = Instant::now();
        let res = self.client.send(&ixs, &self.payer, &[], 3).await;
        self.settle(key, Kind::Order, res.map(|sig| (sig, now_unix())), started).await;
    }

    /// Counts a sent transaction's outcome and releases its account.
    async fn settle(&self, key: Pubkey, kind: Kind, res: Result<(impl std::fmt::Display, i64)>, started: Instant) {
        match res {
            Ok((sig, publish_time)) => {
                let latency_ms = (now_unix() - publish_time).max(0) * 1_000;
                self.metrics.landed(kind, u64::try_from(latency_ms).unwrap_or(0));
                info!(target: "keeper", account = %key, kind = kind.name(), signature = %sig,
                      send_ms = started.elapsed().as_millis() as u64, "landed");
                // A filled order is gone (its position arrives through the subscriptions).
                self.state.lock().await.orders.remove(&key);
            }
            Err(e) if lost_race(&format!("{e:#}")) => {
                self.metrics.lost_race(kind);
                info!(target: "keeper", account = %key, kind = kind.name(), "lost a race");
            }
            Err(e) => {
                self.metrics.failed(kind);
                warn!(target: "keeper", account = %key, kind = kind.name(), error = %e, "rejected");
            }
        }
        self.state.lock().await.inflight.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::lost_race;
    use ringfence_sdk::ringfence::error::RingfenceError as E;

    #[test]
    fn lost_races_are_told_from_rejections() {
        let code = |e: E| ringfence_sdk::error_code(e);
        let rpc = |c: u32| {
            format!("RPC response error -32002: Transaction simulation failed: Error processing Instruction 0: custom program error: {c:#x}")
        };
        assert!(lost_race(&rpc(code(E::PositionNotOpen))));
        assert!(lost_race(&rpc(code(E::OraclePriceOlderThanMarket))));
        assert!(lost_race(&format!("InstructionError(0, Custom({}))", code(E::PositionNotOpen))));
        assert!(!lost_race(&rpc(code(E::PositionHealthy))), "a disagreement with the program is no race");
        assert!(!lost_race(&rpc(code(E::OracleConfidenceTooWide))));
        assert!(!lost_race("connection refused"));
    }
}
