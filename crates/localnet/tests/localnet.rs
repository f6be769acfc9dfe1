//! Ringfence on a real `solana-test-validator`: upgradeable deploy, idempotent migration, and a
//! trade over RPC against the localnet oracle.
use ringfence_client::ata;
use ringfence_localnet::migrate::{self, now_unix};
use ringfence_localnet::oracle;
use ringfence_localnet::{repo_root, Validator};
use ringfence_sdk::{ix, Side};
use solana_keypair::Keypair;
use solana_signer::Signer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_migrate_and_trade_on_a_real_validator() {
    let v = Validator::start().await.expect("validator");
    v.deploy_ringfence().expect("deploy");
    let client = v.client();
    let program = client.rpc.get_account(&ringfence_sdk::PROGRAM_ID).await.expect("program account");
    assert!(program.executable);
    assert_eq!(program.owner.to_string(), "BPFLoaderUpgradeab1e11111111111111111111111");

    let config = migrate::load(&repo_root().join("migrations/localnet.toml")).expect("config");
    let (mint, markets) = migrate::migrate(&client, &v.payer, &config).await.expect("migrate");
    assert!(markets.iter().all(|m| m.created));
    let (mint2, again) = migrate::migrate(&client, &v.payer, &config).await.expect("migrate again");
    assert_eq!(mint, mint2);
    assert!(again.iter().all(|m| !m.created), "the migration is idempotent");
    let sol = &markets[0];
    let market = client.market(&sol.keys.market).await.expect("market");
    assert_eq!(market.params.max_profit_bps, 5_000);

    // An LP and a trader, funded by the payer (mint authority on localnet).
    let lp = Keypair::new();
    let trader = Keypair::new();
    let mint_authority = &v.payer;
    let mut setup = Vec::new();
    for w in [&lp, &trader] {
        setup.push(anchor_lang::solana_program::system_instruction::transfer(
            &v.payer.pubkey(),
            &w.pubkey(),
            1_000_000_000,
        ));
        let (token, create) = ata(&w.pubkey(), &mint, &v.payer.pubkey());
        setup.push(create);
        setup.push(
            anchor_spl::token::spl_token::instruction::mint_to(
                &anchor_spl::token::ID,
                &mint,
                &token,
                &mint_authority.pubkey(),
                &[],
                1_000_000 * 1_000_000,
            )
            .expect("mint_to"),
        );
        let (_, create_lp) = ata(&w.pubkey(), &sol.keys.lp_mint, &v.payer.pubkey());
        setup.push(create_lp);
    }
    client.send(&setup, &v.payer, &[], 3).await.expect("fund wallets");
    let (lp_token, _) = ata(&lp.pubkey(), &mint, &v.payer.pubkey());
    let (lp_shares, _) = ata(&lp.pubkey(), &sol.keys.lp_mint, &v.payer.pubkey());
    let (trader_token, _) = ata(&trader.pubkey(), &mint, &v.payer.pubkey());

    let at = client.cluster_time().await.unwrap_or_else(|_| now_unix());
    let price = oracle::post_price(&v.payer.pubkey(), sol.feed_id, 150 * 100_000_000, 0, -8, at);
    let deposit = ix::request_deposit(&lp.pubkey(), &lp_token, &lp_shares, &sol.keys, 100_000 * 1_000_000);
    client.send(&[deposit], &v.payer, &[&lp], 3).await.expect("deposit request");
    let request = ringfence_sdk::pda::lp_request(&sol.keys.market, &lp.pubkey());
    for (_, res) in client.sweep_and_execute(&sol.keys.market, &v.payer, &[price], &[request]).await.expect("sweep") {
        res.expect("deposit");
    }
    let claim = ix::claim_lp_request(&sol.keys, &request, &lp.pubkey(), &lp_shares);
    client.send(&[claim], &v.payer, &[&lp], 3).await.expect("claim");
    let open = ix::open_position(
        &trader.pubkey(),
        &trader_token,
        &sol.keys,
        1,
        Side::Long,
        101 * 1_000_000,
        1_000 * 1_000_000,
        ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
    );
    client.send(&[open], &v.payer, &[&trader], 3).await.expect("open");
    let positions = client.positions(&sol.keys.market).await.expect("positions");
    assert_eq!(positions.len(), 1);
    assert_eq!(positions[0].1.collateral, 100 * 1_000_000);
    let vault = client.token_balance(&positions[0].1.vault).await.expect("vault");
    assert_eq!(vault, 100 * 1_000_000 + 500 * 1_000_000);

    // A rejection names its error.
    let bad = ix::open_position(
        &trader.pubkey(),
        &trader_token,
        &sol.keys,
        2,
        Side::Long,
        10 * 1_000_000,
        1_000 * 1_000_000,
        ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
    );
    let err = client.send(&[bad], &v.payer, &[&trader], 0).await.expect_err("over-leveraged");
    assert!(err.to_string().contains("LeverageTooHigh"), "{err}");
}

/// The LOCALNET ONLY binary as a newcomer uses it: `faucet` funds a fresh wallet with SOL and
/// collateral; `price` publishes with the admin's key and is refused with anyone else's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_faucet_and_the_price_publisher_from_the_command_line() {
    let s = ringfence_localnet::scenario::Scenario::start(1_000 * 1_000_000).await.expect("scenario");
    let market = s.keys().market.to_string();
    let run = |admin: &std::path::Path, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ringfence-localnet"))
            .args(["--url", &s.validator.rpc_url(), "--admin", &admin.to_string_lossy()])
            .args(args)
            .output()
            .expect("run ringfence-localnet");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let wallet = Keypair::new();
    let to = wallet.pubkey().to_string();
    let (ok, out, err) =
        run(&s.validator.payer_path, &["faucet", "--market", &market, "--to", &to, "--amount", "1234.5"]);
    assert!(ok, "{out}{err}");
    let (token, _) = ata(&wallet.pubkey(), &s.mint, &wallet.pubkey());
    assert_eq!(s.client.token_balance(&token).await.expect("balance"), 1_234_500_000, "exact decimals");
    assert_eq!(s.client.rpc.get_balance(&wallet.pubkey()).await.expect("sol"), 2_000_000_000);
    let (ok, _, err) =
        run(&s.validator.payer_path, &["faucet", "--market", &market, "--to", &to, "--amount", "0.0000001"]);
    assert!(!ok && err.contains("more than 6 decimal places"), "{err}");

    let (ok, out, err) = run(&s.validator.payer_path, &["price", "--market", &market, "--price", "151.25"]);
    assert!(ok, "{out}{err}");
    let u = s.client.price_update(&s.keys().oracle).await.expect("price");
    assert_eq!(u.price_message.price, 15_125_000_000);
    // Anyone else's key is refused by the publisher.
    let stranger = s.validator.dir.join("stranger.json");
    let kp = Keypair::new();
    ringfence_client::write_keypair(&kp, &stranger).expect("keypair");
    s.fund(&[&kp], 0).await.expect("fund");
    let (ok, _, err) = run(&stranger, &["price", "--market", &market, "--price", "1"]);
    assert!(!ok && err.contains("NotWriteAuthority"), "{err}");
}
