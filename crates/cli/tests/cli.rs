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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trader_and_lp_commands_on_a_real_validator() {
    let s = Scenario::start(100_000 * USDC).await.expect("scenario");
    let trader = Keypair::new();
    s.fund(&[&trader], 1_000 * USDC).await.expect("fund");
    let path = s.validator.dir.join("trader.json");
    write_keypair(&trader, &path).expect("keypair");
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
    assert!(row["liquidation_price"].as_f64().expect("liquidation price") > 150.0);
    assert!(
        row["bankruptcy_price"].as_f64().expect("bankruptcy price") > row["liquidation_price"].as_f64().unwrap_or(0.0)
    );
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
    assert!(v[0]["pool_value"].as_u64().expect("pool value") > 0);
    // An LP deposit and withdrawal from the CLI: the request, the sweep and execution it runs
    // itself (permissionless), the claim into the signer's associated token accounts.
    // The request executes at a price published after it: request only, publish, then claim.
    let publish = |price: f64| {
        std::thread::sleep(std::time::Duration::from_millis(1_100));
        let ix = s.price_ix(price);
        let rt = tokio::runtime::Handle::current();
        tokio::task::block_in_place(|| rt.block_on(s.client.send(&[ix], s.payer(), &[], 3))).expect("publish");
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
    assert!(
        v[0]["deposit_cost_per_share"].as_f64().expect("deposit cost")
            >= v[0]["withdrawal_value_per_share"].as_f64().expect("withdrawal value")
    );

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
    let s = Scenario::start(100_000 * USDC).await.expect("scenario");
    let trader = Keypair::new();
    s.fund(&[&trader], 1_000 * USDC).await.expect("fund");
    let path = s.validator.dir.join("trader.json");
    write_keypair(&trader, &path).expect("keypair");
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
    assert_eq!(row["size"], 605 * USDC);
    assert_eq!(row["take_profit"]["price"], 160.0);
    assert_eq!(row["stop_loss"]["size"], 200 * USDC);
    assert_eq!(row["standby"], 15 * USDC);
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
    assert_eq!(orders[0]["limit_price"], 140.0);
    assert_eq!(orders[0]["stop_loss"]["price"], 120.0);
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
