//! `ringfence-keeper`: the liquidation daemon. Configured by flags or environment.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use clap::Parser;
use ringfence_keeper::{Config, Keeper};

#[derive(Parser, Debug)]
#[command(version, about = "Liquidates underwater Ringfence positions")]
struct Args {
    /// JSON-RPC URL of the cluster.
    #[arg(long, env = "RINGFENCE_RPC_URL", default_value = "http://127.0.0.1:8899")]
    rpc_url: String,
    /// Websocket URL (default: the RPC URL's port + 1, ws scheme).
    #[arg(long, env = "RINGFENCE_WS_URL")]
    ws_url: Option<String>,
    /// Keypair file (the `solana` CLI format) paying fees and receiving rewards.
    #[arg(long, env = "RINGFENCE_KEYPAIR")]
    keypair: PathBuf,
    /// Market to watch (repeat for several).
    #[arg(long = "market", env = "RINGFENCE_MARKETS", value_delimiter = ',', required = true)]
    markets: Vec<String>,
    /// Liquidations in flight at once.
    #[arg(long, env = "RINGFENCE_CONCURRENCY", default_value_t = 32)]
    concurrency: usize,
    /// Compute-unit limit per liquidation transaction (`make bench`: liquidate ~19.3k + ATA).
    #[arg(long, env = "RINGFENCE_CU_LIMIT", default_value_t = 60_000)]
    cu_limit: u32,
    /// Priority fee in micro-lamports per compute unit (0: none).
    #[arg(long, env = "RINGFENCE_PRIORITY_FEE", default_value_t = 0)]
    priority_fee: u64,
    /// Metrics endpoint (localhost only by default).
    #[arg(long, env = "RINGFENCE_METRICS_ADDR", default_value = "127.0.0.1:9464")]
    metrics_addr: SocketAddr,
    /// Full resync interval, seconds.
    #[arg(long, env = "RINGFENCE_RESYNC_SECS", default_value_t = 30)]
    resync_secs: u64,
    /// How often to look for pending LP requests to sweep and execute, seconds.
    #[arg(long, env = "RINGFENCE_LP_POLL_SECS", default_value_t = 2)]
    lp_poll_secs: u64,
}

fn ws_from_rpc(rpc: &str) -> Result<String, String> {
    let (scheme, rest) = rpc.split_once("://").ok_or(format!("bad --rpc-url {rpc}"))?;
    let ws_scheme = if scheme == "https" { "wss" } else { "ws" };
    match rest.rsplit_once(':') {
        Some((host, port)) => {
            let port: u16 = port.trim_end_matches('/').parse().map_err(|_| format!("bad port in --rpc-url {rpc}"))?;
            Ok(format!("{ws_scheme}://{host}:{}", port + 1))
        }
        None => Ok(format!("{ws_scheme}://{rest}")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "keeper=info".into()))
        .init();
    let args = Args::parse();
    let ws_url = match args.ws_url.clone().map(Ok).unwrap_or_else(|| ws_from_rpc(&args.rpc_url)) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut markets = Vec::new();
    for m in &args.markets {
        match m.parse::<Pubkey>() {
            Ok(k) => markets.push(k),
            Err(_) => {
                eprintln!("error: --market {m} is not a public key");
                return ExitCode::from(2);
            }
        }
    }
    let cfg = Config {
        rpc_url: args.rpc_url,
        ws_url,
        keypair: args.keypair,
        markets,
        concurrency: args.concurrency,
        cu_limit: args.cu_limit,
        priority_fee_micro_lamports: args.priority_fee,
        metrics_addr: Some(args.metrics_addr),
        resync: Duration::from_secs(args.resync_secs.max(1)),
        lp_poll: Duration::from_secs(args.lp_poll_secs.max(1)),
    };
    let keeper = match Keeper::new(cfg) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    match keeper.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
