//! Ringfence on a real local chain.
//!
//! [`Validator`] runs `solana-test-validator` (from the repo's tool cache) on 127.0.0.1 with a
//! fresh ledger in a temporary directory and free ports, the localnet oracle publisher loaded at
//! genesis at the Pyth receiver id, and a payer funded at genesis. [`Validator::deploy_ringfence`]
//! deploys `ringfence.so` with the upgradeable loader (`solana program deploy`). [`migrate`]
//! creates the markets of a config file, idempotently.

pub mod migrate;
pub mod oracle;
pub mod scenario;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use ringfence_client::Client;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// The repository root (this crate lives in `crates/localnet`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The repo's tool cache (`$RINGFENCE_CACHE`, default `~/.cache/ringfence`).
pub fn tools_bin() -> PathBuf {
    let cache = std::env::var("RINGFENCE_CACHE").map(PathBuf::from).unwrap_or_else(|_| {
        let base = std::env::var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache"));
        base.join("ringfence")
    });
    cache.join("solana-tools/bin")
}

/// A free TCP port on loopback, with `span` consecutive free ports after it.
fn free_port_block(span: u16) -> Result<u16> {
    for _ in 0..200 {
        let base = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        if base > 65_000 - span {
            continue;
        }
        if (0..span).all(|i| TcpListener::bind(("127.0.0.1", base + i)).is_ok()) {
            return Ok(base);
        }
    }
    bail!("no block of {span} free ports on 127.0.0.1")
}

pub use ringfence_client::{read_keypair, write_keypair};

pub struct Validator {
    child: Option<Child>,
    pub dir: PathBuf,
    pub rpc_port: u16,
    pub payer: Keypair,
    pub payer_path: PathBuf,
}

impl Validator {
    /// Starts a fresh validator and waits until it is healthy.
    pub async fn start() -> Result<Validator> {
        let dir =
            std::env::temp_dir().join(format!("ringfence-localnet-{}-{}", std::process::id(), free_port_block(1)?));
        std::fs::create_dir_all(&dir)?;
        let payer = Keypair::new();
        let payer_path = dir.join("payer.json");
        write_keypair(&payer, &payer_path)?;
        let base = free_port_block(40)?;
        let (rpc_port, gossip, faucet) = (base, base + 2, base + 3);
        let oracle_so = repo_root().join("target/deploy/localnet_oracle.so");
        let mut v = Validator { child: None, dir, rpc_port, payer, payer_path };
        v.spawn(gossip, faucet, base + 4, base + 39, &oracle_so)?;
        v.client().wait_healthy(Duration::from_secs(60)).await?;
        Ok(v)
    }

    fn spawn(&mut self, gossip: u16, faucet: u16, dyn_lo: u16, dyn_hi: u16, oracle_so: &Path) -> Result<()> {
        let log = std::fs::File::create(self.dir.join("validator.log"))?;
        let child = Command::new(tools_bin().join("solana-test-validator"))
            .args(["--ledger", &self.dir.join("ledger").to_string_lossy()])
            .args(["--bind-address", "127.0.0.1", "--rpc-port", &self.rpc_port.to_string()])
            .args(["--gossip-port", &gossip.to_string(), "--faucet-port", &faucet.to_string()])
            .args(["--dynamic-port-range", &format!("{dyn_lo}-{dyn_hi}")])
            .args(["--mint", &self.payer.pubkey().to_string()])
            .args(["--bpf-program", &localnet_oracle_id(), &oracle_so.to_string_lossy()])
            .args(["--limit-ledger-size", "50000000", "--quiet"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("start solana-test-validator (run `scripts/setup.sh validator`)")?;
        self.child = Some(child);
        Ok(())
    }

    pub fn rpc_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.rpc_port)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.rpc_port + 1)
    }

    pub fn client(&self) -> Client {
        Client::new(&self.rpc_url())
    }

    /// Deploys `target/deploy/ringfence.so` with the upgradeable loader at the program id of
    /// `keys/ringfence-keypair.json` (upgrade authority: the payer).
    pub fn deploy_ringfence(&self) -> Result<()> {
        let root = repo_root();
        let out = Command::new(tools_bin().join("solana"))
            .args(["program", "deploy", "--url", &self.rpc_url(), "--keypair", &self.payer_path.to_string_lossy()])
            .args(["--program-id", &root.join("keys/ringfence-keypair.json").to_string_lossy()])
            .args(["--commitment", "confirmed"])
            .arg(root.join("target/deploy/ringfence.so"))
            .output()
            .context("solana program deploy")?;
        if !out.status.success() {
            bail!("deploy failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    /// Stops the validator (SIGTERM, then kill) and keeps the ledger for inspection.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            for _ in 0..50 {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Restarts a stopped validator on the same ledger and ports (RPC-outage tests).
    pub async fn restart_same_ledger(&mut self) -> Result<()> {
        self.stop();
        let base = self.rpc_port;
        let oracle_so = repo_root().join("target/deploy/localnet_oracle.so");
        self.spawn(base + 2, base + 3, base + 4, base + 39, &oracle_so)?;
        self.client().wait_healthy(Duration::from_secs(60)).await
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn localnet_oracle_id() -> String {
    ringfence_sdk::PYTH_RECEIVER_ID.to_string()
}
