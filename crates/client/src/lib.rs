//! Async RPC client for Ringfence, shared by the keeper, the CLI and the localnet tooling:
//! sending transactions (with blockhash-expiry retries), discovering positions
//! (`getProgramAccounts` filtered by size and market), reading markets and oracles, associated
//! token accounts, and publishing prices through the localnet oracle.

use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_spl::associated_token::{get_associated_token_address, spl_associated_token_account};
use anchor_spl::token::spl_token;
use anyhow::{anyhow, bail, Context, Result};
use pyth_price::PriceUpdateV2;
use ringfence_sdk::ringfence::state::{ORDER_SPACE, POSITION_SPACE};
use ringfence_sdk::{decode_account, LimitOrder, LpRequest, Market, Position, PROGRAM_ID};
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_keypair::Keypair;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::ErrorKind;
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSimulateTransactionConfig};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_rpc_client_api::request::RpcError;
use solana_signer::Signer;
use solana_transaction::Transaction;

pub use solana_rpc_client;

pub mod errors;

mod pyth_price {
    pub use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
}

/// `getProgramAccounts` filters selecting the positions of `market`: account size and the market
/// key at offset 8 (after the discriminator).
pub fn position_filters(market: &Pubkey) -> Vec<RpcFilterType> {
    vec![
        RpcFilterType::DataSize(POSITION_SPACE as u64),
        RpcFilterType::Memcmp(Memcmp::new_base58_encoded(8, market.as_ref())),
    ]
}

/// `getProgramAccounts` filters selecting the limit orders of `market`: account size and the
/// market key at offset 8.
pub fn order_filters(market: &Pubkey) -> Vec<RpcFilterType> {
    vec![
        RpcFilterType::DataSize(ORDER_SPACE as u64),
        RpcFilterType::Memcmp(Memcmp::new_base58_encoded(8, market.as_ref())),
    ]
}

pub fn program_accounts_config(filters: Vec<RpcFilterType>, commitment: CommitmentConfig) -> RpcProgramAccountsConfig {
    RpcProgramAccountsConfig {
        filters: Some(filters),
        account_config: RpcAccountInfoConfig {
            encoding: Some(UiAccountEncoding::Base64),
            commitment: Some(commitment),
            ..RpcAccountInfoConfig::default()
        },
        with_context: None,
        sort_results: None,
    }
}

/// This host's unix time, seconds (0 before 1970). The program judges time by the cluster's
/// clock ([`Client::cluster_time`]); this is for what the host decides alone.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// Reads a keypair file in the `solana` CLI format (a JSON array of 64 bytes).
pub fn read_keypair(path: &std::path::Path) -> Result<Keypair> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read keypair {}", path.display()))?;
    let bytes: Vec<u8> = serde_json::from_str(&text).with_context(|| format!("parse keypair {}", path.display()))?;
    Keypair::try_from(&bytes[..]).map_err(|e| anyhow!("keypair {}: {e}", path.display()))
}

/// Writes a keypair file in the `solana` CLI format.
pub fn write_keypair(kp: &Keypair, path: &std::path::Path) -> Result<()> {
    std::fs::write(path, serde_json::to_string(&kp.to_bytes().to_vec())?)?;
    Ok(())
}

/// Compute-budget instructions: a unit limit and, if non-zero, a priority fee.
pub fn compute_budget(units: u32, micro_lamports_per_cu: u64) -> Vec<Instruction> {
    use solana_compute_budget_interface::ComputeBudgetInstruction;
    let mut v = vec![ComputeBudgetInstruction::set_compute_unit_limit(units)];
    if micro_lamports_per_cu > 0 {
        v.push(ComputeBudgetInstruction::set_compute_unit_price(micro_lamports_per_cu));
    }
    v
}

/// The associated token account of `owner` for `mint`, and the instruction creating it if missing.
pub fn ata(owner: &Pubkey, mint: &Pubkey, payer: &Pubkey) -> (Pubkey, Instruction) {
    let address = get_associated_token_address(owner, mint);
    let ix = spl_associated_token_account::instruction::create_associated_token_account_idempotent(
        payer,
        owner,
        mint,
        &spl_token::ID,
    );
    (address, ix)
}

/// Outcome of a simulated transaction.
#[derive(Debug)]
pub struct Simulation {
    pub units: Option<u64>,
    pub logs: Vec<String>,
    pub error: Option<String>,
    pub return_data: Option<Vec<u8>>,
}

/// Positions valued per `sweep_positions` transaction (each is ~1,500 compute units and one
/// writable account).
pub const SWEEP_BATCH: usize = 10;

/// The Clock sysvar's address.
const CLOCK_SYSVAR: Pubkey = Pubkey::from_str_const("SysvarC1ock11111111111111111111111111111111");

pub struct Client {
    pub rpc: RpcClient,
    pub commitment: CommitmentConfig,
}

impl Client {
    pub fn new(url: &str) -> Self {
        let commitment = CommitmentConfig::confirmed();
        Client { rpc: RpcClient::new_with_commitment(url.to_string(), commitment), commitment }
    }

    /// Signs and sends `ixs` paid by `payer`, waiting for confirmation. An expired blockhash is
    /// retried with a fresh one (up to `retries` times); any other error is returned.
    pub async fn send(
        &self,
        ixs: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
        retries: u32,
    ) -> Result<String> {
        let mut attempt = 0;
        loop {
            let blockhash = self.rpc.get_latest_blockhash().await.context("get_latest_blockhash")?;
            let mut all: Vec<&Keypair> = vec![payer];
            all.extend(signers.iter().copied().filter(|s| s.pubkey() != payer.pubkey()));
            let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
            match self.rpc.send_and_confirm_transaction(&tx).await {
                Ok(sig) => return Ok(sig.to_string()),
                Err(e) if attempt < retries && is_blockhash_expiry(&e.kind) => attempt += 1,
                Err(e) => return Err(anyhow!(describe_error(&e.kind))),
            }
        }
    }

    /// Simulates `ixs` (signature verification off) and reports units, logs, error and return data.
    pub async fn simulate(&self, ixs: &[Instruction], payer: &Keypair, signers: &[&Keypair]) -> Result<Simulation> {
        let blockhash = self.rpc.get_latest_blockhash().await?;
        let mut all: Vec<&Keypair> = vec![payer];
        all.extend(signers.iter().copied().filter(|s| s.pubkey() != payer.pubkey()));
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
        self.simulate_tx(tx).await
    }

    /// Simulates an unsigned transaction paid by `fee_payer` (any funded account; nothing is
    /// signed or sent): for read-only views such as `position_health`.
    pub async fn simulate_as(&self, ixs: &[Instruction], fee_payer: &Pubkey) -> Result<Simulation> {
        let message = solana_message::Message::new(ixs, Some(fee_payer));
        self.simulate_tx(Transaction::new_unsigned(message)).await
    }

    async fn simulate_tx(&self, tx: Transaction) -> Result<Simulation> {
        let cfg = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: true,
            commitment: Some(self.commitment),
            ..RpcSimulateTransactionConfig::default()
        };
        let r = self.rpc.simulate_transaction_with_config(&tx, cfg).await?.value;
        let return_data = r.return_data.and_then(|d| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(d.data.0).ok()
        });
        Ok(Simulation {
            units: r.units_consumed,
            logs: r.logs.unwrap_or_default(),
            error: r.err.map(|e| format!("{e:?}")),
            return_data,
        })
    }

    pub async fn market(&self, key: &Pubkey) -> Result<Market> {
        let acc = self.rpc.get_account(key).await.with_context(|| format!("market {key}"))?;
        decode_account(&acc.data).map_err(|e| anyhow!("market {key}: {e}"))
    }

    pub async fn position(&self, key: &Pubkey) -> Result<Option<Position>> {
        let acc = self.rpc.get_account_with_commitment(key, self.commitment).await?.value;
        Ok(acc.and_then(|a| decode_account(&a.data).ok()))
    }

    /// Every position account of `market`, open or liquidated (`Position::is_open`); a liquidated
    /// one only waits for its owner's `claim_residual`.
    pub async fn positions(&self, market: &Pubkey) -> Result<Vec<(Pubkey, Position)>> {
        let cfg = program_accounts_config(position_filters(market), self.commitment);
        let accounts = self.rpc.get_program_ui_accounts_with_config(&PROGRAM_ID, cfg).await?;
        Ok(accounts
            .into_iter()
            .filter_map(|(k, a)| {
                let data = a.data.decode()?;
                decode_account::<Position>(&data).ok().map(|p| (k, p))
            })
            .collect())
    }

    /// Every open limit order of `market` (filled, cancelled and expired-and-closed ones are gone).
    pub async fn orders(&self, market: &Pubkey) -> Result<Vec<(Pubkey, LimitOrder)>> {
        let cfg = program_accounts_config(order_filters(market), self.commitment);
        let accounts = self.rpc.get_program_ui_accounts_with_config(&PROGRAM_ID, cfg).await?;
        Ok(accounts
            .into_iter()
            .filter_map(|(k, a)| {
                let data = a.data.decode()?;
                decode_account::<LimitOrder>(&data).ok().map(|o| (k, o))
            })
            .collect())
    }

    pub async fn order(&self, key: &Pubkey) -> Result<Option<LimitOrder>> {
        let acc = self.rpc.get_account_with_commitment(key, self.commitment).await?.value;
        Ok(acc.and_then(|a| decode_account(&a.data).ok()))
    }

    /// The cluster clock's unix time (the Clock sysvar: slot, epoch start, epoch, leader schedule
    /// epoch, then the unix timestamp at byte 32).
    pub async fn cluster_time(&self) -> Result<i64> {
        let acc = self.rpc.get_account(&CLOCK_SYSVAR).await.context("clock sysvar")?;
        let bytes: [u8; 8] = acc.data.get(32..40).and_then(|b| b.try_into().ok()).context("clock sysvar layout")?;
        Ok(i64::from_le_bytes(bytes))
    }

    /// Runs a pool sweep to completion and executes the LP requests at `requests`: once the
    /// cluster clock is past every request, a live sweep that started after them is finished;
    /// otherwise `before_sweep` (e.g. posting a fresh price) and `start_sweep` go in one
    /// transaction (first finishing and executing an older sweep that blocks it), every open
    /// position is valued in concurrent batches, then each request is executed. What the keeper
    /// does for pending requests and what an LP's own client may do (all of it is permissionless);
    /// the results wait in escrow for the providers' claims.
    pub async fn sweep_and_execute(
        &self,
        market: &Pubkey,
        payer: &Keypair,
        before_sweep: &[Instruction],
        requests: &[Pubkey],
    ) -> Result<Vec<(Pubkey, Result<String>)>> {
        let (mut latest_seq, mut latest_price) = (0u64, i64::MIN);
        for r in requests {
            let req = self.lp_request(r).await?;
            latest_seq = latest_seq.max(req.seq);
            latest_price = latest_price.max(req.after_publish_time);
        }
        let m = self.market(market).await?;
        let keys = ringfence_sdk::ix::MarketKeys::of(market, &m);
        let now = self.cluster_time().await?;
        // A live sweep that started after the requests, at a price newer than they knew, serves them.
        let reusable = m.sweep.epoch > 0
            && now <= m.sweep.expires_at
            && m.sweep.seq_at_start >= latest_seq
            && m.sweep.publish_time > latest_price;
        if !reusable {
            let mut ixs = before_sweep.to_vec();
            ixs.push(ringfence_sdk::ix::start_sweep(&payer.pubkey(), &keys));
            if self.send(&ixs, payer, &[], 3).await.is_err() {
                // An older sweep is in progress or has requests due: finish it and execute them.
                self.sweep_remaining(market, payer).await?;
                for (r, req) in self.lp_requests(market).await? {
                    if req.executed == 0 {
                        let _ = self.send(&[ringfence_sdk::ix::execute_lp_request(&keys, &r)], payer, &[], 3).await;
                    }
                }
                self.send(&ixs, payer, &[], 3).await.context("start_sweep")?;
            }
        }
        self.sweep_remaining(market, payer).await?;
        let mut out = Vec::new();
        for r in requests {
            let ix = ringfence_sdk::ix::execute_lp_request(&keys, r);
            out.push((*r, self.send(&[ix], payer, &[], 3).await));
        }
        Ok(out)
    }

    /// Values, in concurrent batches, every open position the current sweep has not valued yet.
    pub async fn sweep_remaining(&self, market: &Pubkey, payer: &Keypair) -> Result<()> {
        let epoch = self.market(market).await?.sweep.epoch;
        let todo: Vec<Pubkey> = self
            .positions(market)
            .await?
            .into_iter()
            .filter(|(_, p)| p.is_open() && p.sweep_epoch != epoch)
            .map(|(k, _)| k)
            .collect();
        let sends = todo.chunks(SWEEP_BATCH).map(|chunk| {
            let ix = ringfence_sdk::ix::sweep_positions(market, chunk);
            async move { self.send(&[ix], payer, &[], 3).await }
        });
        for res in futures::future::join_all(sends).await {
            res.context("sweep_positions")?;
        }
        Ok(())
    }

    pub async fn lp_request(&self, key: &Pubkey) -> Result<LpRequest> {
        let acc = self.rpc.get_account(key).await.with_context(|| format!("LP request {key}"))?;
        decode_account(&acc.data).map_err(|e| anyhow!("LP request {key}: {e}"))
    }

    /// Every pending LP request of `market`.
    pub async fn lp_requests(&self, market: &Pubkey) -> Result<Vec<(Pubkey, LpRequest)>> {
        let filters = vec![
            RpcFilterType::DataSize(ringfence_sdk::ringfence::state::LP_REQUEST_SPACE as u64),
            RpcFilterType::Memcmp(Memcmp::new_base58_encoded(8, market.as_ref())),
        ];
        let cfg = program_accounts_config(filters, self.commitment);
        let accounts = self.rpc.get_program_ui_accounts_with_config(&PROGRAM_ID, cfg).await?;
        Ok(accounts
            .into_iter()
            .filter_map(|(k, a)| decode_account::<LpRequest>(&a.data.decode()?).ok().map(|r| (k, r)))
            .collect())
    }

    pub async fn price_update(&self, oracle: &Pubkey) -> Result<PriceUpdateV2> {
        let acc = self.rpc.get_account(oracle).await.with_context(|| format!("oracle {oracle}"))?;
        decode_account(&acc.data).map_err(|e| anyhow!("oracle {oracle}: {e}"))
    }

    /// Token balance; 0 for a missing account.
    pub async fn token_balance(&self, account: &Pubkey) -> Result<u64> {
        Ok(self.token_account_balance(account).await?.unwrap_or(0))
    }

    /// The balance of a token account, `None` when there is no token account at `account`.
    pub async fn token_account_balance(&self, account: &Pubkey) -> Result<Option<u64>> {
        let acc = self.rpc.get_account_with_commitment(account, self.commitment).await?.value;
        match acc {
            Some(a) if a.owner == spl_token::ID => Ok(Some(spl_token::state::Account::unpack(&a.data)?.amount)),
            _ => Ok(None),
        }
    }

    /// Every token account of `mint` with its balance (dataSize 165, mint at offset 0).
    pub async fn token_accounts_of(&self, mint: &Pubkey) -> Result<Vec<(Pubkey, u64)>> {
        let filters = vec![
            RpcFilterType::DataSize(spl_token::state::Account::LEN as u64),
            RpcFilterType::Memcmp(Memcmp::new_base58_encoded(0, mint.as_ref())),
        ];
        let cfg = program_accounts_config(filters, self.commitment);
        let accounts = self.rpc.get_program_ui_accounts_with_config(&spl_token::ID, cfg).await?;
        accounts
            .into_iter()
            .map(|(k, a)| {
                let data = a.data.decode().ok_or_else(|| anyhow!("undecodable token account {k}"))?;
                Ok((k, spl_token::state::Account::unpack(&data)?.amount))
            })
            .collect()
    }

    pub async fn mint_decimals(&self, mint: &Pubkey) -> Result<u8> {
        let acc = self.rpc.get_account(mint).await.with_context(|| format!("mint {mint}"))?;
        Ok(spl_token::state::Mint::unpack(&acc.data)?.decimals)
    }

    pub async fn mint_supply(&self, mint: &Pubkey) -> Result<u64> {
        let acc = self.rpc.get_account(mint).await?;
        Ok(spl_token::state::Mint::unpack(&acc.data)?.supply)
    }

    /// Waits until the node answers `getHealth` (or `timeout` passes).
    pub async fn wait_healthy(&self, timeout: Duration) -> Result<()> {
        let start = std::time::Instant::now();
        loop {
            if self.rpc.get_health().await.is_ok() {
                return Ok(());
            }
            if start.elapsed() > timeout {
                bail!("RPC {} not healthy after {timeout:?}", self.rpc.url());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn is_blockhash_expiry(kind: &ErrorKind) -> bool {
    let s = format!("{kind:?}");
    s.contains("BlockhashNotFound") || s.contains("block height exceeded") || s.contains("BlockhashExpired")
}

/// A readable error, naming the Ringfence program error when there is one.
pub fn describe_error(kind: &ErrorKind) -> String {
    let raw = format!("{kind}");
    if let ErrorKind::RpcError(RpcError::RpcResponseError { data, .. }) = kind {
        let text = format!("{data:?}");
        if let Some(name) = program_error_name(&text) {
            return format!("{name} ({raw})");
        }
    }
    match program_error_name(&raw) {
        Some(name) => format!("{name} ({raw})"),
        None => raw,
    }
}

/// The program error named in `text` (Anchor logs `Error Code: <Name>`, or a custom code in any
/// form), in words: `Name: message`.
pub fn program_error_name(text: &str) -> Option<String> {
    if let Some(rest) = text.split("Error Code: ").nth(1) {
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if !name.is_empty() {
            let msg = errors::program_errors().into_iter().find(|(n, _)| *n == name).map(|(_, m)| m);
            return Some(match msg {
                Some(m) => format!("{name}: {m}"),
                None => name,
            });
        }
    }
    let code = errors::code_in(text)?;
    Some(match errors::describe_code(code) {
        Some((name, msg)) => format!("{name}: {msg}"),
        None => format!("program error {code}"),
    })
}
