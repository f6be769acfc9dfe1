//! The deploy migration: creates the collateral mint (localnet) and the markets of a config file,
//! idempotently (an existing market is left as it is).
use std::path::Path;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_spl::token::spl_token;
use anyhow::{Context, Result};
use ringfence_client::Client;

use crate::oracle;
use ringfence_sdk::ix::{self, MarketKeys};
use ringfence_sdk::RiskParams;
use serde::Deserialize;
use solana_keypair::Keypair;
use solana_signer::Signer;

#[derive(Debug, Deserialize)]
pub struct Config {
    pub collateral: CollateralConfig,
    #[serde(rename = "market")]
    pub markets: Vec<MarketConfig>,
}

#[derive(Debug, Deserialize)]
pub struct CollateralConfig {
    /// An existing mint; when absent a localnet mint is created from `seed` (deterministic).
    pub mint: Option<String>,
    pub seed: Option<String>,
    pub decimals: u8,
}

#[derive(Debug, Deserialize)]
pub struct MarketConfig {
    pub name: String,
    /// Pyth feed id, hex.
    pub feed_id: String,
    /// Pinned `PriceUpdateV2` account; default: the localnet oracle's account for the feed.
    pub oracle: Option<String>,
    /// Price published on localnet before the market is created.
    pub initial_price: Option<f64>,
    /// Every `RiskParams` field, named as in the program.
    pub params: RiskParams,
}

pub fn load(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parse {}", path.display()))
}

/// A market as migrated.
#[derive(Debug, Clone)]
pub struct Migrated {
    pub name: String,
    pub feed_id: [u8; 32],
    pub keys: MarketKeys,
    pub created: bool,
}

pub fn parse_feed_id(hex_id: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(hex_id.trim_start_matches("0x")).context("feed id is not hex")?;
    bytes.try_into().map_err(|_| anyhow::anyhow!("feed id must be 32 bytes"))
}

fn parse_key(s: &str) -> Result<Pubkey> {
    s.parse().map_err(|e| anyhow::anyhow!("bad public key {s}: {e:?}"))
}

/// The deterministic localnet mint keypair of `seed`.
pub fn localnet_mint(seed: &str) -> Keypair {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new().chain_update(b"ringfence-localnet-mint").chain_update(seed.as_bytes()).finalize();
    Keypair::new_from_array(digest.into())
}

pub use ringfence_client::now_unix;

/// LOCALNET ONLY: `lamports` of SOL and `units` of `mint` (minted by its authority, `admin`) for
/// `to`, whose associated token account is created if missing.
pub fn fund_ixs(
    admin: &Pubkey,
    mint: &Pubkey,
    to: &Pubkey,
    units: u64,
    lamports: u64,
) -> Result<Vec<anchor_lang::solana_program::instruction::Instruction>> {
    let (token, create) = ringfence_client::ata(to, mint, admin);
    let mut ixs = vec![anchor_lang::solana_program::system_instruction::transfer(admin, to, lamports), create];
    if units > 0 {
        ixs.push(spl_token::instruction::mint_to(&spl_token::ID, mint, &token, admin, &[], units)?);
    }
    Ok(ixs)
}

/// LOCALNET ONLY: the admin deposits `amount` of its collateral as LP liquidity into `keys`'s pool
/// (request, a sweep at a fresh price `price`, execution, claim), so traders can open at once.
pub async fn seed_liquidity(
    client: &Client,
    admin: &Keypair,
    keys: &MarketKeys,
    feed_id: [u8; 32],
    price: f64,
    amount: u64,
) -> Result<()> {
    let (token, _) = ringfence_client::ata(&admin.pubkey(), &keys.collateral_mint, &admin.pubkey());
    let (shares, create) = ringfence_client::ata(&admin.pubkey(), &keys.lp_mint, &admin.pubkey());
    let deposit = ix::request_deposit(&admin.pubkey(), &token, &shares, keys, amount);
    client.send(&[create, deposit], admin, &[], 3).await.context("deposit request")?;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await; // a sweep after the request
    let request = ringfence_sdk::pda::lp_request(&keys.market, &admin.pubkey());
    let at = client.cluster_time().await.unwrap_or_else(|_| now_unix());
    let post = oracle::post_price(&admin.pubkey(), feed_id, (price * 1e8).round() as i64, 0, -8, at);
    for (_, res) in client.sweep_and_execute(&keys.market, admin, &[post], &[request]).await? {
        res.context("deposit")?;
    }
    let claim = ix::claim_lp_request(keys, &request, &admin.pubkey(), &shares);
    client.send(&[claim], admin, &[], 3).await.context("claim shares")?;
    Ok(())
}

/// Creates the collateral mint (if localnet) and every market of `config`; idempotent.
pub async fn migrate(client: &Client, admin: &Keypair, config: &Config) -> Result<(Pubkey, Vec<Migrated>)> {
    let mint = match &config.collateral.mint {
        Some(m) => parse_key(m)?,
        None => {
            let kp = localnet_mint(config.collateral.seed.as_deref().unwrap_or("usdc"));
            if client.rpc.get_account(&kp.pubkey()).await.is_err() {
                let space = spl_token::state::Mint::LEN;
                let rent = client.rpc.get_minimum_balance_for_rent_exemption(space).await?;
                let ixs = [
                    anchor_lang::solana_program::system_instruction::create_account(
                        &admin.pubkey(),
                        &kp.pubkey(),
                        rent,
                        space as u64,
                        &spl_token::ID,
                    ),
                    spl_token::instruction::initialize_mint2(
                        &spl_token::ID,
                        &kp.pubkey(),
                        &admin.pubkey(),
                        // A freeze authority, as USDC has (the e2e tests freeze an owner's account).
                        Some(&admin.pubkey()),
                        config.collateral.decimals,
                    )?,
                ];
                client.send(&ixs, admin, &[&kp], 3).await.context("create collateral mint")?;
            }
            kp.pubkey()
        }
    };
    let mut out = Vec::new();
    for m in &config.markets {
        let feed_id = parse_feed_id(&m.feed_id)?;
        let oracle_key = match &m.oracle {
            Some(o) => parse_key(o)?,
            None => oracle::price_account(&feed_id),
        };
        if let Some(price) = m.initial_price {
            let mantissa = (price * 1e8).round() as i64;
            let at = client.cluster_time().await.unwrap_or_else(|_| now_unix());
            let ix = oracle::post_price(&admin.pubkey(), feed_id, mantissa, 0, -8, at);
            client.send(&[ix], admin, &[], 3).await.with_context(|| format!("{}: publish price", m.name))?;
        }
        let keys = MarketKeys::derive(&admin.pubkey(), &mint, &feed_id, &oracle_key);
        let exists = client.rpc.get_account(&keys.market).await.is_ok();
        if !exists {
            let ix = ix::initialize_market(&admin.pubkey(), &keys, feed_id, m.params);
            client.send(&[ix], admin, &[], 3).await.with_context(|| format!("{}: initialize_market", m.name))?;
        }
        out.push(Migrated { name: m.name.clone(), feed_id, keys, created: !exists });
    }
    Ok((mint, out))
}
