//! A funded market on a live validator, with many traders: what the end-to-end tests and
//! `make e2e-bench` run.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use anyhow::{bail, Context, Result};
use futures::stream::{self, StreamExt};
use ringfence_client::{ata, Client};

use crate::oracle;
use ringfence_sdk::ix::{self, MarketKeys};
use ringfence_sdk::{pda, Side};
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::migrate::{self, now_unix, Migrated};
use crate::{repo_root, Validator};

pub const USDC: u64 = 1_000_000;

pub struct Trader {
    pub kp: Keypair,
    pub token: Pubkey,
    pub position: Pubkey,
    pub leverage: u64,
}

pub struct Scenario {
    pub validator: Validator,
    pub client: Arc<Client>,
    pub mint: Pubkey,
    pub market: Migrated,
}

impl Scenario {
    /// Validator + deploy + migration (first market of `migrations/localnet.toml`) + `liquidity`.
    pub async fn start(liquidity: u64) -> Result<Scenario> {
        let validator = Validator::start().await?;
        validator.deploy_ringfence()?;
        let client = Arc::new(validator.client());
        let config = migrate::load(&repo_root().join("migrations/localnet.toml"))?;
        let (mint, markets) = migrate::migrate(&client, &validator.payer, &config).await?;
        let market = markets.into_iter().next().context("no market in the config")?;
        let s = Scenario { validator, client, mint, market };
        let lp = Keypair::new();
        let funded = s.fund(&[&lp], liquidity).await?;
        let (shares, create) = ata(&lp.pubkey(), &s.market.keys.lp_mint, &s.payer().pubkey());
        let deposit = ix::request_deposit(&lp.pubkey(), &funded[0], &shares, &s.market.keys, liquidity);
        s.client.send(&[create, deposit], s.payer(), &[&lp], 3).await.context("deposit request")?;
        let request = pda::lp_request(&s.market.keys.market, &lp.pubkey());
        let price = s.price_ix(150.0).await;
        for (_, res) in s.client.sweep_and_execute(&s.market.keys.market, s.payer(), &[price], &[request]).await? {
            res.context("deposit")?;
        }
        let claim = ix::claim_lp_request(&s.market.keys, &request, &lp.pubkey(), &shares);
        s.client.send(&[claim], s.payer(), &[&lp], 3).await.context("claim")?;
        Ok(s)
    }

    pub fn payer(&self) -> &Keypair {
        &self.validator.payer
    }

    pub fn keys(&self) -> &MarketKeys {
        &self.market.keys
    }

    /// A price update for this market stamped with the cluster's clock (every price a scenario
    /// publishes is: a local validator under load runs behind this host, and mixing the two
    /// clocks would make a later price look older than the market's last).
    pub async fn price_ix(&self, price: f64) -> anchor_lang::solana_program::instruction::Instruction {
        let at = self.client.cluster_time().await.unwrap_or_else(|_| now_unix());
        oracle::post_price(&self.payer().pubkey(), self.market.feed_id, (price * 1e8).round() as i64, 0, -8, at)
    }

    /// Publishes `price` stamped with the cluster's clock: a local validator under load can run
    /// seconds behind this host, and a price further ahead of its clock than the allowed skew
    /// would be refused (`OraclePriceInFuture`).
    pub async fn post_price(&self, price: f64) -> Result<()> {
        let ix = self.price_ix(price).await;
        self.client.send(&[ix], self.payer(), &[], 3).await.map(|_| ())
    }

    /// Gives each wallet 1 SOL and `tokens` of collateral in its associated token account.
    pub async fn fund(&self, wallets: &[&Keypair], tokens: u64) -> Result<Vec<Pubkey>> {
        let payer = self.payer();
        let mut out = Vec::new();
        let mut batches = Vec::new();
        for chunk in wallets.chunks(4) {
            let mut ixs = Vec::new();
            for w in chunk {
                ixs.push(anchor_lang::solana_program::system_instruction::transfer(
                    &payer.pubkey(),
                    &w.pubkey(),
                    1_000_000_000,
                ));
                let (token, create) = ata(&w.pubkey(), &self.mint, &payer.pubkey());
                ixs.push(create);
                ixs.push(spl_token::instruction::mint_to(
                    &spl_token::ID,
                    &self.mint,
                    &token,
                    &payer.pubkey(),
                    &[],
                    tokens,
                )?);
                out.push(token);
            }
            batches.push(ixs);
        }
        let results: Vec<Result<String>> = stream::iter(batches)
            .map(|ixs| async move { self.client.send(&ixs, payer, &[], 3).await })
            .buffer_unordered(16)
            .collect()
            .await;
        for r in results {
            r.context("fund wallets")?;
        }
        Ok(out)
    }

    /// `n` traders each open one long of 1,000 notional at `leverage[i % len]`x.
    pub async fn open_traders(&self, n: usize, leverages: &[u64]) -> Result<Vec<Trader>> {
        let kps: Vec<Keypair> = (0..n).map(|_| Keypair::new()).collect();
        let refs: Vec<&Keypair> = kps.iter().collect();
        let tokens = self.fund(&refs, 10_000 * USDC).await?;
        let traders: Vec<Trader> = kps
            .into_iter()
            .zip(tokens)
            .enumerate()
            .map(|(i, (kp, token))| {
                let position = ringfence_sdk::pda::position(&self.keys().market, &kp.pubkey(), 1);
                Trader { kp, token, position, leverage: leverages[i % leverages.len()] }
            })
            .collect();
        self.post_price(150.0).await?;
        let size = 1_000 * USDC;
        let results: Vec<Result<String>> = stream::iter(traders.iter())
            .map(|t| async move {
                let collateral = size / t.leverage + size / 1_000; // + the 0.1% open fee
                let ix = ix::open_position(
                    &t.kp.pubkey(),
                    &t.token,
                    self.keys(),
                    1,
                    Side::Long,
                    collateral,
                    size,
                    ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
                );
                self.client.send(&[ix], &t.kp, &[], 3).await
            })
            .buffer_unordered(32)
            .collect()
            .await;
        for r in results {
            r.context("open")?;
        }
        Ok(traders)
    }

    /// Each trader sets `kind` on its position (`args(i)` for the i-th; `None`: none).
    pub async fn set_triggers(
        &self,
        traders: &[Trader],
        kind: ringfence_sdk::TriggerKind,
        args: impl Fn(usize) -> Option<ringfence_sdk::TriggerArgs>,
    ) -> Result<()> {
        let jobs: Vec<_> = traders.iter().enumerate().filter_map(|(i, t)| args(i).map(|a| (t, a))).collect();
        let results: Vec<Result<String>> = stream::iter(jobs)
            .map(|(t, a)| async move {
                let pos = self.client.position(&t.position).await?.context("position")?;
                let ix = ix::set_trigger(&t.token, &t.position, &pos, kind, a);
                self.client.send(&[ix], &t.kp, &[], 3).await
            })
            .buffer_unordered(32)
            .collect()
            .await;
        for r in results {
            r.context("set trigger")?;
        }
        Ok(())
    }

    /// `specs.len()` fresh traders each place one limit order; returns each trader (its
    /// `position` the position the order will open) with the order's address.
    pub async fn place_orders(&self, specs: &[ix::OrderSpec]) -> Result<Vec<(Trader, Pubkey)>> {
        let kps: Vec<Keypair> = specs.iter().map(|_| Keypair::new()).collect();
        let refs: Vec<&Keypair> = kps.iter().collect();
        let tokens = self.fund(&refs, 10_000 * USDC).await?;
        let placed: Vec<(Trader, Pubkey, ix::OrderSpec)> = kps
            .into_iter()
            .zip(tokens)
            .zip(specs)
            .map(|((kp, token), spec)| {
                let position = pda::position(&self.keys().market, &kp.pubkey(), spec.id);
                let order = pda::order(&self.keys().market, &kp.pubkey(), spec.id);
                (Trader { kp, token, position, leverage: spec.size / spec.collateral.max(1) }, order, *spec)
            })
            .collect();
        let results: Vec<Result<String>> = stream::iter(placed.iter())
            .map(|(t, _, spec)| async move {
                let (ix, _) = ix::place_limit_order(&t.kp.pubkey(), &t.token, self.keys(), spec);
                self.client.send(&[ix], &t.kp, &[], 3).await
            })
            .buffer_unordered(32)
            .collect()
            .await;
        for r in results {
            r.context("place order")?;
        }
        Ok(placed.into_iter().map(|(t, o, _)| (t, o)).collect())
    }

    /// Token balances of every account of the collateral mint, and the mint's supply.
    pub async fn token_totals(&self) -> Result<(HashMap<Pubkey, u64>, u64)> {
        let accounts = self.client.token_accounts_of(&self.mint).await?;
        Ok((accounts.into_iter().collect(), self.client.mint_supply(&self.mint).await?))
    }

    /// `n` hostile owners, each with one 10x long of 1,000 notional at 150 that does what the
    /// liquidation-liveness review found could block the keeper: one opens with a non-canonical
    /// vault address (the program accepts any bump the runtime lets it sign for and records the
    /// address), one reassigns its token account's authority, one has its token account frozen by
    /// the mint's freeze authority; the pattern repeats. Returns the traders (leverage 10).
    pub async fn open_hostile(&self, n: usize) -> Result<Vec<Trader>> {
        let kps: Vec<Keypair> = (0..n).map(|_| Keypair::new()).collect();
        let refs: Vec<&Keypair> = kps.iter().collect();
        let tokens = self.fund(&refs, 10_000 * USDC).await?;
        self.post_price(150.0).await?;
        let size = 1_000 * USDC;
        let mut out = Vec::new();
        for (i, (kp, token)) in kps.into_iter().zip(tokens).enumerate() {
            let position = pda::position(&self.keys().market, &kp.pubkey(), 1);
            let collateral = size / 10 + size / 1_000;
            let limit = ix::TradeLimit::any(Side::Long, true);
            let mut open = ix::open_position(&kp.pubkey(), &token, self.keys(), 1, Side::Long, collateral, size, limit);
            if i % 3 == 0 {
                let (_, canonical) =
                    Pubkey::find_program_address(&[b"vault", position.as_ref()], &ringfence_sdk::PROGRAM_ID);
                let (vault, bump) = (0..canonical)
                    .rev()
                    .find_map(|b| {
                        Pubkey::create_program_address(&[b"vault", position.as_ref(), &[b]], &ringfence_sdk::PROGRAM_ID)
                            .ok()
                            .map(|k| (k, b))
                    })
                    .context("no non-canonical vault bump")?;
                let (_, position_bump) = pda::position_with_bump(&self.keys().market, &kp.pubkey(), 1);
                let at = ix::OpenAt { position, position_bump, vault, vault_bump: bump };
                open = ix::open_position_at(
                    &kp.pubkey(),
                    &token,
                    self.keys(),
                    &at,
                    1,
                    Side::Long,
                    collateral,
                    size,
                    limit,
                );
            }
            self.client.send(&[open], &kp, &[], 3).await.context("hostile open")?;
            match i % 3 {
                1 => {
                    let reassign = spl_token::instruction::set_authority(
                        &spl_token::ID,
                        &token,
                        Some(&Pubkey::new_unique()),
                        spl_token::instruction::AuthorityType::AccountOwner,
                        &kp.pubkey(),
                        &[],
                    )?;
                    self.client.send(&[reassign], self.payer(), &[&kp], 3).await.context("reassign")?;
                }
                2 => {
                    let freeze = spl_token::instruction::freeze_account(
                        &spl_token::ID,
                        &token,
                        &self.mint,
                        &self.payer().pubkey(),
                        &[],
                    )?;
                    self.client.send(&[freeze], self.payer(), &[], 3).await.context("freeze")?;
                }
                _ => {}
            }
            out.push(Trader { kp, token, position, leverage: 10 });
        }
        Ok(out)
    }

    /// Waits until `pred(open positions)` holds; returns the time it took.
    pub async fn wait_positions(
        &self,
        timeout: Duration,
        pred: impl Fn(&[(Pubkey, ringfence_sdk::Position)]) -> bool,
    ) -> Result<Duration> {
        let start = Instant::now();
        loop {
            if let Ok(p) = self.client.positions(&self.keys().market).await {
                let p: Vec<_> = p.into_iter().filter(|(_, p)| p.is_open()).collect();
                if pred(&p) {
                    return Ok(start.elapsed());
                }
            }
            if start.elapsed() > timeout {
                bail!("condition not reached within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Checks every on-chain invariant over RPC: conservation, each open position's vault =
    /// collateral + reserve and each liquidated one's = its residual, the pool vault = free
    /// liquidity, reserves = Σ reserve and the open count over open positions only.
    pub async fn check_invariants(&self) -> Result<()> {
        let (balances, supply) = self.token_totals().await?;
        let total: u128 = balances.values().map(|b| u128::from(*b)).sum();
        if total != u128::from(supply) {
            bail!("tokens not conserved: {total} != supply {supply}");
        }
        let market = self.client.market(&self.keys().market).await?;
        let pool = balances.get(&self.keys().pool_vault).copied().unwrap_or(0);
        if pool != market.free_liquidity {
            bail!("pool vault {pool} != free liquidity {}", market.free_liquidity);
        }
        let all = self.client.positions(&self.keys().market).await?;
        for (k, p) in all.iter().filter(|(_, p)| !p.is_open()) {
            let v = balances.get(&p.vault).copied().unwrap_or(0);
            if v != p.residual {
                bail!("vault of settled {k}: {v} != residual {}", p.residual);
            }
        }
        let positions: Vec<_> = all.into_iter().filter(|(_, p)| p.is_open()).collect();
        let mut reserved = 0u64;
        for (k, p) in &positions {
            let v = balances.get(&p.vault).copied().unwrap_or(0);
            let accounted = p.vault_claim().map_err(|e| anyhow::anyhow!("{e}"))?;
            if v != accounted {
                bail!(
                    "vault of {k}: {v} != collateral {} + reserve {} + standby {} + trigger fees {} + residual {}",
                    p.collateral,
                    p.reserve,
                    p.standby,
                    p.take_profit.fee + p.stop_loss.fee,
                    p.residual
                );
            }
            reserved += p.reserve;
        }
        for (k, o) in self.client.orders(&self.keys().market).await? {
            let v = balances.get(&o.escrow).copied().unwrap_or(0);
            if v != o.escrowed().map_err(|e| anyhow::anyhow!("{e}"))? {
                bail!("escrow of order {k}: {v} != what it escrowed");
            }
        }
        if reserved != market.total_reserved || positions.len() as u64 != market.positions_open {
            bail!("market aggregates disagree with positions");
        }
        Ok(())
    }
}
