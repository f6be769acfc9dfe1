//! `ringfence-localnet up`: a local chain with Ringfence on it, and the keeper running.
//! `ringfence-localnet bench --positions N`: the keeper's end-to-end liquidation benchmark.
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use anchor_lang::prelude::Pubkey;
use clap::{Parser, Subcommand};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ringfence_client::write_keypair;
use ringfence_keeper::{Config, Keeper};
use ringfence_localnet::migrate::{self, now_unix};
use ringfence_localnet::scenario::{Scenario, USDC};
use ringfence_localnet::{repo_root, Validator};
use solana_keypair::Keypair;
use solana_signer::Signer;

/// LOCALNET ONLY tooling. Production crates never depend on this one.
#[derive(Parser)]
#[command(name = "ringfence-localnet", version, about = "Ringfence on a local chain (LOCALNET ONLY)")]
struct Cli {
    /// JSON-RPC URL of the local validator.
    #[arg(long, short = 'u', global = true, env = "RINGFENCE_RPC_URL", default_value = "http://127.0.0.1:8899")]
    url: String,
    /// The localnet admin keypair (`up` prints it): mint authority of the localnet collateral and
    /// the localnet price publisher.
    #[arg(long, global = true, env = "RINGFENCE_LOCALNET_ADMIN")]
    admin: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// solana-test-validator + deploy + markets + keeper + a funded trader wallet; Ctrl-C stops all.
    Up {
        #[arg(long)]
        config: Option<PathBuf>,
        /// Re-publish each market's price every N seconds (a live feed's heartbeat); 0: never
        /// (prices change only with `ringfence-localnet price`, and go stale).
        #[arg(long, env = "RINGFENCE_HEARTBEAT_SECS", default_value_t = 5)]
        heartbeat_secs: u64,
    },
    /// 1,000 underwater positions (or N), one keeper: time to the last liquidation.
    Bench {
        #[arg(long, default_value_t = 1_000)]
        positions: usize,
    },
    /// Gives a wallet localnet SOL and collateral of MARKET (minted by the localnet admin).
    Faucet {
        #[arg(long)]
        market: Pubkey,
        /// The wallet to fund.
        #[arg(long)]
        to: Pubkey,
        /// Collateral, whole tokens (exact decimals).
        #[arg(long, default_value = "10000")]
        amount: String,
        /// SOL for fees and rent.
        #[arg(long, default_value_t = 2)]
        sol: u64,
    },
    /// Publishes PRICE (exact decimal, quote units) for MARKET's feed through the localnet publisher.
    Price {
        #[arg(long)]
        market: Pubkey,
        #[arg(long)]
        price: String,
    },
    /// Creates the collateral mint and the markets of a migration config (idempotent).
    CreateMarkets {
        #[arg(long, default_value = "migrations/localnet.toml")]
        config: PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Up { config, heartbeat_secs } => up(config, heartbeat_secs).await,
        Cmd::Bench { positions } => bench(positions.max(1)).await,
        Cmd::Faucet { market, to, amount, sol } => faucet(&cli.url, cli.admin, market, to, &amount, sol).await,
        Cmd::Price { market, price } => publish(&cli.url, cli.admin, market, &price).await,
        Cmd::CreateMarkets { config } => create_markets(&cli.url, cli.admin, &config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn admin_keypair(path: Option<PathBuf>) -> Result<Keypair> {
    let path = path
        .context("pass --admin FILE (or set RINGFENCE_LOCALNET_ADMIN): the keypair `ringfence-localnet up` printed")?;
    ringfence_client::read_keypair(&path)
}

async fn faucet(url: &str, admin: Option<PathBuf>, market: Pubkey, to: Pubkey, amount: &str, sol: u64) -> Result<()> {
    let admin = admin_keypair(admin)?;
    let client = ringfence_client::Client::new(url);
    let m = client.market(&market).await?;
    let decimals = client.mint_decimals(&m.collateral_mint).await?;
    let units = ringfence_sdk::amount::parse(amount, decimals).map_err(|e| anyhow::anyhow!("--amount: {e}"))?;
    let ixs = migrate::fund_ixs(&admin.pubkey(), &m.collateral_mint, &to, units, sol.saturating_mul(1_000_000_000))?;
    let sig = client.send(&ixs, &admin, &[], 3).await.context("faucet")?;
    println!("funded {to}: {sol} SOL and {amount} of {} ({sig})", m.collateral_mint);
    Ok(())
}

async fn publish(url: &str, admin: Option<PathBuf>, market: Pubkey, price: &str) -> Result<()> {
    let admin = admin_keypair(admin)?;
    let client = ringfence_client::Client::new(url);
    let m = client.market(&market).await?;
    // Exact decimal to the publisher's exponent -8.
    let mantissa = ringfence_sdk::amount::parse(price, 8).map_err(|e| anyhow::anyhow!("--price: {e}"))?;
    let mantissa = i64::try_from(mantissa).context("--price too large")?;
    if mantissa <= 0 {
        anyhow::bail!("--price must be positive");
    }
    // Stamped with the cluster's clock: a loaded local validator's clock can lag this host's.
    let at = client.cluster_time().await.unwrap_or_else(|_| now_unix());
    let ix = ringfence_localnet::oracle::post_price(&admin.pubkey(), m.feed_id, mantissa, 0, -8, at);
    let sig = client.send(&[ix], &admin, &[], 3).await.context("publish price")?;
    println!("published {price} for market {market} ({sig})");
    Ok(())
}

async fn create_markets(url: &str, admin: Option<PathBuf>, config: &std::path::Path) -> Result<()> {
    let admin = admin_keypair(admin)?;
    let client = ringfence_client::Client::new(url);
    let cfg = migrate::load(config)?;
    let (mint, markets) = migrate::migrate(&client, &admin, &cfg).await?;
    for m in markets {
        println!("{} {} created={} collateral_mint={mint}", m.name, m.keys.market, m.created);
    }
    Ok(())
}

async fn up(config: Option<PathBuf>, heartbeat_secs: u64) -> Result<()> {
    let config_path = config.unwrap_or_else(|| repo_root().join("migrations/localnet.toml"));
    let config = migrate::load(&config_path)?;
    eprintln!("starting solana-test-validator on 127.0.0.1 ...");
    let v = Validator::start().await?;
    eprintln!("deploying target/deploy/ringfence.so (upgradeable loader) ...");
    v.deploy_ringfence()?;
    let client = v.client();
    let (mint, markets) = migrate::migrate(&client, &v.payer, &config).await?;

    // Some collateral for the admin, so the printed commands work right away.
    let (admin_token, create) = ringfence_client::ata(&v.payer.pubkey(), &mint, &v.payer.pubkey());
    let mint_ix = anchor_spl::token::spl_token::instruction::mint_to(
        &anchor_spl::token::ID,
        &mint,
        &admin_token,
        &v.payer.pubkey(),
        &[],
        1_000_000 * USDC,
    )?;
    client.send(&[create, mint_ix], &v.payer, &[], 3).await.context("mint admin collateral")?;
    // Pool liquidity in every market, deposited by the admin as an LP, so a trader can open at once.
    for (m, c) in markets.iter().zip(&config.markets) {
        let price = c.initial_price.unwrap_or(100.0);
        migrate::seed_liquidity(&client, &v.payer, &m.keys, m.feed_id, price, 200_000 * USDC)
            .await
            .with_context(|| format!("{}: seed liquidity", m.name))?;
    }

    // The keeper, as its own process, with its own funded keypair and a log file.
    let keeper_kp = Keypair::new();
    let keeper_path = v.dir.join("keeper.json");
    write_keypair(&keeper_kp, &keeper_path)?;
    let fund = anchor_lang::solana_program::system_instruction::transfer(
        &v.payer.pubkey(),
        &keeper_kp.pubkey(),
        10_000_000_000,
    );
    client.send(&[fund], &v.payer, &[], 3).await.context("fund keeper")?;
    let keeper_bin = std::env::current_exe()?.with_file_name("ringfence-keeper");
    let market_list: Vec<String> = markets.iter().map(|m| m.keys.market.to_string()).collect();
    let mut keeper = Command::new(&keeper_bin)
        .args(["--rpc-url", &v.rpc_url(), "--ws-url", &v.ws_url()])
        .args(["--keypair", &keeper_path.to_string_lossy(), "--market", &market_list.join(",")])
        .args(["--metrics-addr", "127.0.0.1:9464"])
        .stdout(std::fs::File::create(v.dir.join("keeper.log"))?)
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("start {} (build it: cargo build -p ringfence-keeper)", keeper_bin.display()))?;

    // A trader wallet, funded, so a newcomer can trade right away (never ~/.config/solana/id.json).
    let trader = Keypair::new();
    let trader_path = v.dir.join("trader.json");
    write_keypair(&trader, &trader_path)?;
    let fund = migrate::fund_ixs(&v.payer.pubkey(), &mint, &trader.pubkey(), 10_000 * USDC, 10_000_000_000)?;
    client.send(&fund, &v.payer, &[], 3).await.context("fund the trader wallet")?;

    // A price heartbeat, as a live Pyth feed gives: every 5 s (`--heartbeat-secs`) each market's
    // current price is published again with a fresh time (`ringfence-localnet price` changes the
    // price itself).
    let beat_client = v.client();
    let beat_admin = Keypair::new_from_array(v.payer.secret_bytes()[..32].try_into().context("admin key")?);
    let beats: Vec<([u8; 32], Pubkey)> = markets.iter().map(|m| (m.feed_id, m.keys.oracle)).collect();
    if heartbeat_secs > 0 {
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(heartbeat_secs)).await;
                for (feed, oracle) in &beats {
                    if let Ok(u) = beat_client.price_update(oracle).await {
                        let m = &u.price_message;
                        let at = beat_client.cluster_time().await.unwrap_or_else(|_| now_unix());
                        let ix = ringfence_localnet::oracle::post_price(
                            &beat_admin.pubkey(),
                            *feed,
                            m.price,
                            m.conf,
                            m.exponent,
                            at,
                        );
                        let _ = beat_client.send(&[ix], &beat_admin, &[], 0).await;
                    }
                }
            }
        });
    }

    // For the web app's localnet build (`make web`): where the chain is and what is on it.
    let genesis = client.rpc.get_genesis_hash().await.context("genesis hash")?;
    let info = serde_json::json!({
        "rpcUrl": v.rpc_url(), "wsUrl": v.ws_url(), "genesisHash": genesis.to_string(),
        "programId": ringfence_sdk::PROGRAM_ID.to_string(), "admin": v.payer_path, "trader": trader_path,
        "localnetBinary": std::env::current_exe()?,
        "markets": markets.iter().map(|m| serde_json::json!({"name": m.name, "market": m.keys.market.to_string()})).collect::<Vec<_>>(),
    });
    let info_path = std::env::var("RINGFENCE_LOCALNET_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join("target/localnet.json"));
    std::fs::write(&info_path, serde_json::to_vec_pretty(&info)?).context("write target/localnet.json")?;

    println!("Ringfence localnet is up.");
    println!("  RPC URL         {}", v.rpc_url());
    println!("  websocket       {}", v.ws_url());
    println!("  program id      {}", ringfence_sdk::PROGRAM_ID);
    println!("  oracle (local)  {} (localnet publisher at the Pyth receiver id)", ringfence_sdk::PYTH_RECEIVER_ID);
    println!("  collateral mint {mint} (mint authority: the admin below)");
    println!("  pool liquidity  200,000 USDC per market, deposited by the admin");
    if heartbeat_secs > 0 {
        println!(
            "  prices          re-published every {heartbeat_secs} s at their current value (a live feed's heartbeat)"
        );
    } else {
        println!("  prices          published only by `ringfence-localnet price` (no heartbeat: they go stale)");
    }
    println!("  admin           {} (LOCALNET ONLY: mint authority, price publisher)", v.payer_path.display());
    for m in &markets {
        println!(
            "  market {:<9} {}  oracle {}  pool vault {}",
            m.name, m.keys.market, m.keys.oracle, m.keys.pool_vault
        );
    }
    println!(
        "  keeper          pid {}, logs {}, metrics http://127.0.0.1:9464/metrics",
        keeper.id(),
        v.dir.join("keeper.log").display()
    );
    println!("  validator log   {}", v.dir.join("validator.log").display());
    println!("  web app         make web, then open http://127.0.0.1:5173 (it reads {})", info_path.display());
    println!();
    let sol = markets.first().map(|m| m.keys.market.to_string()).unwrap_or_default();
    let bin = std::env::current_exe()?.with_file_name("ringfence");
    let here = std::env::current_exe()?;
    println!("  trader wallet   {} (10 SOL, 10,000 USDC)", trader_path.display());
    println!();
    println!("Next, in another terminal (these work as printed; `make install` puts the binaries on PATH for good):");
    println!("  alias ringfence={} ringfence-localnet={}", bin.display(), here.display());
    println!("  export RINGFENCE_RPC_URL={} RINGFENCE_KEYPAIR={}", v.rpc_url(), trader_path.display());
    println!("  export RINGFENCE_LOCALNET_ADMIN={}", v.payer_path.display());
    println!("  ringfence markets list");
    println!("  ringfence position open --market {sol} --side long --collateral 100 --leverage 8");
    println!("  ringfence position list --market {sol}");
    println!("  ringfence-localnet price --market {sol} --price 138   # the keeper liquidates it");
    println!("  ringfence position claim --market {sol} --id 0");
    println!("  ringfence-localnet faucet --market {sol} --to <WALLET> --amount 5000   # more localnet USDC");
    println!("  curl -s http://127.0.0.1:9464/metrics");
    println!("Ctrl-C stops the keeper and the validator.");

    tokio::signal::ctrl_c().await?;
    eprintln!("stopping ...");
    let _ = Command::new("kill").args(["-TERM", &keeper.id().to_string()]).status();
    let _ = keeper.wait();
    drop(v);
    Ok(())
}

/// Opens `n` 10x longs, starts one keeper, crashes the price 10% and measures the time from the
/// price update to the last liquidation landing.
async fn bench(n: usize) -> Result<()> {
    eprintln!("e2e-bench: {n} positions on a fresh local validator ...");
    let s = Scenario::start(u64::try_from(n).unwrap_or(1).saturating_mul(600 * USDC) + 100_000 * USDC).await?;
    let setup = Instant::now();
    let traders = s.open_traders(n, &[10]).await?;
    eprintln!("e2e-bench: {} positions opened in {:.1?}", traders.len(), setup.elapsed());
    let kp = Keypair::new();
    s.fund(&[&kp], 0).await?;
    let path = s.validator.dir.join("keeper.json");
    write_keypair(&kp, &path)?;
    let keeper = Keeper::new(Config {
        rpc_url: s.validator.rpc_url(),
        ws_url: s.validator.ws_url(),
        keypair: path,
        markets: vec![s.keys().market],
        concurrency: 64,
        cu_limit: 60_000,
        priority_fee_micro_lamports: 0,
        metrics_addr: None,
        resync: Duration::from_secs(30),
        lp_poll: Duration::from_secs(2),
    })?;
    let task = tokio::spawn(keeper.clone().run());
    while keeper.metrics.positions_watched.load(Ordering::Relaxed) < n as u64 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let published = now_unix();
    let start = Instant::now();
    s.post_price(135.0).await?;
    let took = s.wait_positions(Duration::from_secs(600), |p| p.is_empty()).await?;
    let total = start.elapsed();
    s.check_invariants().await?;
    // The keeper's own confirmations can trail what the chain already shows.
    for _ in 0..100 {
        if keeper.metrics.liquidations.landed.load(Ordering::Relaxed) >= n as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    task.abort();
    let landed = keeper.metrics.liquidations.landed.load(Ordering::Relaxed);
    println!("e2e-bench positions {n}");
    println!("e2e-bench price_update_to_last_liquidation_ms {}", total.as_millis());
    println!("e2e-bench after_price_confirmed_ms {}", took.as_millis());
    println!("e2e-bench liquidations_per_second {:.1}", n as f64 / total.as_secs_f64());
    println!("e2e-bench keeper_landed {landed} failed {}", keeper.metrics.liquidations.failed.load(Ordering::Relaxed));
    println!("e2e-bench price_publish_time {published}");
    Ok(())
}
