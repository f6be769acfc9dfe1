//! The `ringfence` binary against a real local validator.
use std::process::Command;

use ringfence_client::write_keypair;
use ringfence_localnet::scenario::{Scenario, USDC};
use solana_keypair::Keypair;
use solana_signer::Signer;

fn cli(s: &Scenario, keypair: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ringfence"))
        .args(["--url", &s.validator.rpc_url(), "--keypair", &keypair.to_string_lossy()])
        .args(args)
        .output()
        .expect("run ringfence");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A market with 100,000 of pool liquidity and a trader holding 1,000, whose keypair file is at
/// the returned path.
async fn trader_scenario() -> (Scenario, Keypair, std::path::PathBuf) {
    let s = Scenario::start(100_000 * USDC).await.expect("scenario");
    let trader = Keypair::new();
    s.fund(&[&trader], 1_000 * USDC).await.expect("fund");
    let path = s.validator.dir.join("trader.json");
    write_keypair(&trader, &path).expect("keypair");
    (s, trader, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trader_and_lp_commands_on_a_real_validator() {
    let (s, _trader, path) = trader_scenario().await;
    let market = s.keys().market.to_string();
    s.post_price(150.0).await.expect("price");

    let (ok, out, err) = cli(&s, &path, &["markets", "list", "--json"]);
    assert!(ok, "{err}");
    assert!(out.contains(&market));

    // Dry run: compute units and the outcome, nothing sent.
    let (ok, out, err) = cli(
        &s,
        &path,
        &[
            "--dry-run",
            "position",
            "open",
            "--market",
            &market,
            "--side",
            "long",
            "--collateral",
            "100",
            "--leverage",
            "50",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("would fail: LeverageTooHigh"), "{out}");
    // A real failure is a readable message naming the program error, and a non-zero exit.
    let (ok, _, err) = cli(
        &s,
        &path,
        &["position", "open", "--market", &market, "--side", "long", "--collateral", "100", "--leverage", "50"],
    );
    assert!(!ok);
    assert!(err.contains("LeverageTooHigh") && !err.contains("panicked"), "{err}");

    let (ok, out, err) = cli(
        &s,
        &path,
        &[
            "--json",
            "position",
            "open",
            "--market",
            &market,
            "--side",
            "short",
            "--collateral",
            "101",
            "--leverage",
            "5",
        ],
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["details"]["id"], 0);

    let (ok, out, err) = cli(&s, &path, &["--json", "position", "list", "--market", &market]);
    assert!(ok, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
    let row = &rows[0];
    assert_eq!(row["side"], "short");
    assert_eq!(row["liquidatable"], false);
    let num = |v: &serde_json::Value| -> f64 { v.as_str().and_then(|s| s.parse().ok()).expect("a decimal string") };
    assert!(num(&row["liquidation_price"]) > 150.0);
    assert!(num(&row["bankruptcy_price"]) > num(&row["liquidation_price"]));
    assert_eq!(row["status"], "open");
    // An existing position is addressed by its own address (or found by id among the signer's).
    let position = row["position"].as_str().expect("position address").to_string();
    let (ok, out, err) = cli(
        &s,
        &path,
        &["--json", "position", "add-margin", "--market", &market, "--position", &position, "--amount", "1"],
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["details"]["position"], position.as_str());
    // Hand it to another wallet (which co-signs) and back: the address never changes.
    let other = Keypair::new();
    let other_path = s.validator.dir.join("other.json");
    write_keypair(&other, &other_path).expect("keypair");
    let other_path_str = other_path.to_string_lossy().to_string();
    let (ok, _, err) = cli(
        &s,
        &path,
        &["position", "transfer", "--market", &market, "--position", &position, "--new-owner-keypair", &other_path_str],
    );
    assert!(ok, "{err}");
    let (ok, out, err) =
        cli(&s, &path, &["--json", "position", "list", "--market", &market, "--owner", &other.pubkey().to_string()]);
    assert!(ok, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(rows[0]["position"], position.as_str(), "the new owner's position, same address");
    // Back: the new owner pays and signs now (the old one co-signs).
    s.fund(&[&other], 0).await.expect("fund");
    let path_str = path.to_string_lossy().to_string();
    let (ok, _, err) = cli(
        &s,
        &other_path,
        &["position", "transfer", "--market", &market, "--position", &position, "--new-owner-keypair", &path_str],
    );
    assert!(ok, "{err}");

    s.post_price(150.5).await.expect("price");

    let (ok, out, err) = cli(&s, &path, &["--json", "lp", "value", "--market", &market]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(num(&v[0]["pool_value"]) > 0.0);
    // An LP deposit and withdrawal from the CLI: the request, the sweep and execution it runs
    // itself (permissionless), the claim into the signer's associated token accounts.
    // The request executes at a price published after it: request only, publish, then claim.
    let publish = |price: f64| {
        std::thread::sleep(std::time::Duration::from_millis(1_100));
        let rt = tokio::runtime::Handle::current();
        tokio::task::block_in_place(|| rt.block_on(s.post_price(price))).expect("publish");
    };
    let (ok, out, err) =
        cli(&s, &path, &["--json", "lp", "deposit", "--market", &market, "--amount", "100", "--wait", "0"]);
    assert!(ok && out.contains("request_deposit"), "{out}{err}");
    let (ok, _, err) = cli(&s, &path, &["lp", "claim", "--market", &market]);
    assert!(!ok && err.contains("waits for a price newer"), "nothing newer than the request yet: {err}");
    publish(150.6);
    let (ok, out, err) = cli(&s, &path, &["--json", "lp", "claim", "--market", &market]);
    assert!(ok && out.contains("execute_lp_request") && out.contains("claim_lp_request"), "{out}{err}");
    let (ok, _, err) =
        cli(&s, &path, &["--json", "lp", "withdraw", "--market", &market, "--shares", "50", "--wait", "0"]);
    assert!(ok, "{err}");
    publish(150.7);
    let (ok, out, err) = cli(&s, &path, &["--json", "lp", "claim", "--market", &market, "--wait", "10"]);
    assert!(ok && out.contains("claim_lp_request"), "{out}{err}");
    assert!(num(&v[0]["deposit_cost_per_share"]) >= num(&v[0]["withdrawal_value_per_share"]));

    let (ok, _, err) = cli(&s, &path, &["position", "add-margin", "--market", &market, "--id", "0", "--amount", "5"]);
    assert!(ok, "{err}");
    let (ok, _, err) = cli(&s, &path, &["position", "close", "--market", &market, "--id", "0"]);
    assert!(ok, "{err}");
    let (ok, out, _) = cli(&s, &path, &["position", "list", "--market", &market]);
    assert!(ok);
    assert!(out.contains("(none)"), "{out}");
    s.check_invariants().await.expect("invariants");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_and_margin_automation_commands_on_a_real_validator() {
    let (s, trader, path) = trader_scenario().await;
    let market = s.keys().market.to_string();
    s.post_price(150.0).await.expect("price");
    let run = |args: &[&str]| {
        let (ok, out, err) = cli(&s, &path, args);
        assert!(ok, "{args:?}: {err}");
        out
    };
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&run(&all)).expect("json")
    };
    let m = market.as_str();
    run(&["position", "open", "--market", m, "--side", "long", "--collateral", "101", "--leverage", "5"]);
    run(&["position", "increase", "--market", m, "--id", "0", "--size", "100", "--deposit", "20"]);
    run(&["position", "tp", "--market", m, "--id", "0", "--price", "160", "--fee", "0.1"]);
    run(&["position", "sl", "--market", m, "--id", "0", "--price", "140", "--size", "200"]);
    run(&["position", "standby", "add", "--market", m, "--id", "0", "--amount", "20"]);
    run(&["position", "standby", "withdraw", "--market", m, "--id", "0", "--amount", "5"]);
    run(&["position", "standby", "rule", "--market", m, "--id", "0", "--ratio", "1.5", "--step", "5", "--fee", "0.01"]);
    let rows = json(&["position", "list", "--market", m]);
    let row = &rows[0];
    // 101 at 5x: notional = 5 x (101 - the open fee), as traders read leverage; then +100.
    let opened = ringfence_sdk::math::size_for_leverage(101 * USDC, 50_000, 10, 1_000).expect("size");
    assert_eq!(row["size"], ringfence_sdk::amount::format(opened + 100 * USDC, 6));
    assert_eq!(row["take_profit"]["price"], "160");
    assert_eq!(row["stop_loss"]["size"], "200");
    assert_eq!(row["standby"], "15");
    assert_eq!(row["topup_rule"]["ratio_bps"], 15_000);
    // A rule below 1x is refused by the program with its named error.
    let (ok, _, err) =
        cli(&s, &path, &["position", "standby", "rule", "--market", m, "--id", "0", "--ratio", "0.5", "--step", "5"]);
    assert!(!ok && err.contains("InvalidTopUpRule"), "{err}");

    // A limit order: placed, listed, cancelled (refunded in full).
    let before = s.client.token_balance(&ringfence_client::ata(&trader.pubkey(), &s.mint, &trader.pubkey()).0).await;
    let v = json(&[
        "order",
        "place",
        "--market",
        m,
        "--side",
        "long",
        "--collateral",
        "100",
        "--leverage",
        "3",
        "--limit",
        "140",
        "--sl",
        "120",
    ]);
    let id = v["details"]["id"].as_u64().expect("order id");
    assert_eq!(id, 1, "the first id free of positions and orders");
    let orders = json(&["order", "list", "--market", m]);
    assert_eq!(orders[0]["limit_price"], "140");
    assert_eq!(orders[0]["stop_loss"]["price"], "120");
    assert_eq!(orders[0]["owner"], trader.pubkey().to_string());
    run(&["order", "cancel", "--market", m, "--id", &id.to_string()]);
    let after = s.client.token_balance(&ringfence_client::ata(&trader.pubkey(), &s.mint, &trader.pubkey()).0).await;
    assert_eq!(before.expect("balance"), after.expect("balance"));
    let out = run(&["order", "list", "--market", m]);
    assert!(out.contains("(none)"), "{out}");
    s.check_invariants().await.expect("invariants");
    // Closing returns standby and escrowed trigger fees beside the settlement.
    run(&["position", "close", "--market", m, "--id", "0"]);
    s.check_invariants().await.expect("invariants");
}

/// The frictions a newcomer met: leverage as traders read it (the market's maximum reachable),
/// exact decimals, listing without a keypair, and failures that say what is missing in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_as_a_newcomer_and_a_script_use_it() {
    let (s, trader, path) = trader_scenario().await;
    let market = s.keys().market.to_string();
    let m = market.as_str();
    s.post_price(150.0).await.expect("price");
    // 10x on a 10x market opens (the open fee no longer eats the margin).
    let (ok, out, err) = cli(
        &s,
        &path,
        &["--json", "position", "open", "--market", m, "--side", "long", "--collateral", "100.5", "--leverage", "10"],
    );
    assert!(ok, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let size = ringfence_sdk::math::size_for_leverage(100_500_000, 100_000, 10, 1_000).expect("size");
    assert_eq!(v["details"]["size"], ringfence_sdk::amount::format(size, 6));
    assert_eq!(v["details"]["collateral"], "100.5");
    // Exact decimals: more places than the mint has are refused before anything is sent.
    let (ok, _, err) = cli(&s, &path, &["position", "add-margin", "--market", m, "--id", "0", "--amount", "0.0000001"]);
    assert!(!ok && err.contains("more than 6 decimal places"), "{err}");
    // Listing signs nothing: no keypair, every owner's positions.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ringfence"))
        .args(["--url", &s.validator.rpc_url(), "--json", "position", "list", "--market", m, "--all"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(rows[0]["owner"], trader.pubkey().to_string());
    let net = 100_500_000 - ringfence_sdk::math::notional_fee(size, 10).expect("fee");
    assert_eq!(rows[0]["collateral"], ringfence_sdk::amount::format(net, 6));
    // Exactly 10x the collateral left after the open fee (to the unit the fee rounds).
    assert!(size.abs_diff(10 * net) <= 10, "{size} vs 10 x {net}");
    assert!(rows[0]["borrow_fee"].is_string() && rows[0]["close_fee"].is_string() && rows[0]["vault"].is_string());
    // Parameters as an object, amounts as exact decimal strings.
    let (ok, out, _) = cli(&s, &path, &["--json", "markets", "show", m]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v[0]["params"]["initial_margin_bps"], 1_000);
    assert_eq!(v[0]["params"]["min_position_size"], "10");
    // A position that does not exist, and an unfunded wallet, are said in words.
    let nobody = Keypair::new().pubkey().to_string();
    let (ok, _, err) = cli(&s, &path, &["position", "close", "--market", m, "--position", &nobody]);
    assert!(!ok && err.contains("no such position"), "{err}");
    let broke = Keypair::new();
    s.fund(&[&broke], 0).await.expect("fund SOL");
    let broke_path = s.validator.dir.join("broke.json");
    write_keypair(&broke, &broke_path).expect("keypair");
    let fresh = Keypair::new();
    let fresh_path = s.validator.dir.join("fresh.json");
    write_keypair(&fresh, &fresh_path).expect("keypair");
    let (ok, _, err) = cli(
        &s,
        &broke_path,
        &["position", "open", "--market", m, "--side", "long", "--collateral", "10", "--leverage", "2"],
    );
    assert!(!ok && err.contains("holds 0 of the 10 needed") && err.contains("faucet"), "{err}");
    let (ok, _, err) = cli(
        &s,
        &fresh_path,
        &["position", "open", "--market", m, "--side", "long", "--collateral", "10", "--leverage", "2"],
    );
    assert!(!ok && err.contains("has no token account"), "{err}");
}
