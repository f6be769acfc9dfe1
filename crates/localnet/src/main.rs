//! `ringfence-localnet up`: a local chain with Ringfence on it, and the keeper running.
//! `ringfence-localnet bench --positions N`: the keeper's end-to-end liquidation benchmark.
use std::process::{Command, ExitCode, Stdio};
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

fn usage() -> ExitCode {
    eprintln!("usage: ringfence-localnet up [--config FILE] | bench [--positions N]");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let result = match args.first().map(String::as_str) {
        Some("up") => up(flag("--config")).await,
        Some("bench") => match flag("--positions").map(|n| n.parse::<usize>()) {
            None => bench(1_000).await,
            Some(Ok(n)) if n > 0 => bench(n).await,
            Some(_) => return usage(),
        },
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn up(config: Option<String>) -> Result<()> {
    let config_path = config.map(Into::into).unwrap_or_else(|| repo_root().join("migrations/localnet.toml"));
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

    println!("Ringfence localnet is up.");
    println!("  RPC URL         {}", v.rpc_url());
    println!("  websocket       {}", v.ws_url());
    println!("  program id      {}", ringfence_sdk::PROGRAM_ID);
    println!("  oracle (local)  {} (localnet publisher at the Pyth receiver id)", ringfence_sdk::PYTH_RECEIVER_ID);
    println!("  collateral mint {mint} (mint authority: the payer below)");
    println!("  payer / admin   {}", v.payer_path.display());
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
    println!();
    let sol = markets.first().map(|m| m.keys.market.to_string()).unwrap_or_default();
    println!("The admin holds 1,000,000 localnet USDC. Next, in another terminal:");
    println!(
        "  cargo build -q -p ringfence-cli && export PATH=\"$CARGO_TARGET_DIR/debug:{}:$PATH\"",
        ringfence_localnet::tools_bin().display()
    );
    println!("  export RINGFENCE_RPC_URL={} RINGFENCE_KEYPAIR={}", v.rpc_url(), v.payer_path.display());
    println!("  ringfence markets list");
    println!("  ringfence lp deposit --market {sol} --amount 100000");
    println!("  ringfence admin localnet-price --market {sol} --price 150");
    println!("  ringfence position open --market {sol} --side long --collateral 100 --leverage 8");
    println!("  ringfence position list --market {sol}");
    println!("  ringfence admin localnet-price --market {sol} --price 138   # the keeper liquidates it");
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
