//! `make demo`: a scripted session on the compiled ringfence.so in an embedded SVM (LiteSVM).
//! A market is created, the pool is funded, two traders open leveraged longs, one adds margin,
//! the oracle price falls, and a keeper liquidates the weaker position. After every step it prints
//! every vault's balance, so you can watch isolation at work: the liquidation only ever touches
//! the liquidated position's own vault.
// LiteSVM's transaction results are large by design; they are test values, not hot paths.
#![allow(clippy::result_large_err)]
use anchor_lang::prelude::Pubkey;
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::math::PRICE_ONE;
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::Side;

fn usdc(amount: u64) -> String {
    format!("{}.{:02}", amount / USDC, (amount % USDC) / 10_000)
}

fn price(p: u64) -> String {
    format!("{}.{:02}", p / PRICE_ONE, (p % PRICE_ONE) / (PRICE_ONE / 100))
}

struct Demo {
    f: MarketFixture,
    rows: Vec<(&'static str, Pubkey)>,
    step: u32,
}

impl Demo {
    fn step(&mut self, title: &str) {
        self.step += 1;
        println!("\n\x1b[1m{}. {title}\x1b[0m", self.step);
    }

    fn balances(&self) {
        let mut total = 0u64;
        println!("   {:<28} {:>14}  address", "token account", "USDC");
        for (name, key) in &self.rows {
            match self.f.env.token_account(key) {
                Some(acc) => {
                    total += acc.amount;
                    println!("   {name:<28} {:>14}  {key}", usdc(acc.amount));
                }
                None => println!("   {name:<28} {:>14}  {key}", "(no account)"),
            }
        }
        let supply = self.f.env.mint_supply(&self.f.mint);
        println!(
            "   {:<28} {:>14}  (mint supply {}: {})",
            "total",
            usdc(total),
            usdc(supply),
            if total == supply { "conserved" } else { "NOT CONSERVED" }
        );
        assert_eq!(total, supply, "tokens not conserved");
    }

    fn health(&self, name: &str, owner: &Pubkey, id: u64) {
        let key = self.f.position_key(owner, id);
        if self.f.env.account(&key).is_none() {
            println!("   {name}: position closed");
            return;
        }
        // The program's own read-only view, through simulation.
        let h = self.f.health(owner, id).expect("position_health");
        let signed = |v: i128| {
            format!("{}{}", if v < 0 { "-" } else { "" }, usdc(u64::try_from(v.unsigned_abs()).unwrap_or(u64::MAX)))
        };
        println!(
            "   {name}: {:?} {} notional @ {} | collateral {} + reserve {} | PnL {} | fees {} | equity {} vs maintenance {} | liq. price {} | bankruptcy {} | {}",
            h.side,
            usdc(h.size),
            price(h.entry_price),
            usdc(h.collateral),
            usdc(h.reserve),
            signed(h.pnl),
            usdc(h.borrow_fee + h.close_fee),
            signed(h.equity),
            usdc(h.maintenance_requirement),
            h.liquidation_price.describe(price),
            h.bankruptcy_price.describe(price),
            if h.liquidatable { "\x1b[31mLIQUIDATABLE\x1b[0m" } else { "healthy" },
        );
    }
}

fn must(res: TxResult, what: &str) -> litesvm::types::TransactionMetadata {
    match res {
        Ok(m) => {
            println!("   ✓ {what} ({} compute units)", m.compute_units_consumed);
            m
        }
        Err(_) => panic!("{what} failed: {}", describe(&res)),
    }
}

fn main() {
    println!("Ringfence demo: isolated-margin perpetuals on the compiled program ({})", program_so_path().display());
    let f = MarketFixture::with_liquidity(default_params(), 0);
    let mut d = Demo { f, rows: Vec::new(), step: 0 };

    d.step("Market created: SOL-PERP style, collateral USDC (6 decimals), Pyth price 100.00");
    let p = d.f.params;
    println!(
        "   max leverage {}x (initial margin {} bps), maintenance {} bps, keeper reward {} bps, max profit {} bps of notional (reserved in each vault), oracle max age {} s",
        10_000 / p.initial_margin_bps, p.initial_margin_bps, p.maintenance_margin_bps, p.liquidation_fee_bps,
        p.max_profit_bps, p.max_price_age_trade_secs
    );
    println!("   market {}  pinned oracle {}", d.f.keys.market, d.f.oracle);

    d.step("An LP requests a 10,000 USDC deposit into the pool (the traders' counterparty); a second later a keeper sweeps the pool (values every position at a price published after the request) and executes it");
    let lp = d.f.fund_pool(10_000 * USDC);
    println!(
        "   LP received {} shares ({} dead shares belong to nobody, so the share price cannot be inflated)",
        usdc(d.f.lp_balance(&lp)),
        d.f.market().dead_shares
    );
    let alice = d.f.wallet(1_000 * USDC);
    let bob = d.f.wallet(1_000 * USDC);
    let keeper = d.f.wallet(0);
    d.rows = vec![
        ("pool vault", d.f.keys.pool_vault),
        ("Alice's position vault", d.f.vault_of(&alice.key(), 1)),
        ("Bob's position vault", d.f.vault_of(&bob.key(), 1)),
        ("Alice's wallet", alice.token),
        ("Bob's wallet", bob.token),
        ("keeper's wallet", keeper.token),
    ];
    d.balances();

    d.step("Alice opens a 10x long: 100 USDC collateral, 1,000 USDC notional; the pool moves her max profit (500) into her vault");
    must(d.f.open(&alice, 1, Side::Long, 100 * USDC, 1_000 * USDC), "open_position (Alice)");
    d.step("Bob opens a 4x long: 250 USDC collateral, 1,000 USDC notional");
    must(d.f.open(&bob, 1, Side::Long, 250 * USDC, 1_000 * USDC), "open_position (Bob)");
    d.balances();

    d.step("Bob adds 50 USDC of margin: it goes into Bob's vault and nowhere else");
    must(d.f.add_margin(&bob, 1, 50 * USDC), "add_margin (Bob)");
    d.balances();
    d.health("Alice", &alice.key(), 1);
    d.health("Bob", &bob.key(), 1);

    d.step("The oracle price falls 7% to 93.00");
    d.f.env.advance(30);
    d.f.set_price(pyth_price(93.0));
    d.health("Alice", &alice.key(), 1);
    d.health("Bob", &bob.key(), 1);

    d.step("A keeper tries Bob first: rejected, Bob is healthy");
    let res = d.f.liquidate(&keeper, &bob, 1);
    assert_ringfence_err(&res, RingfenceError::PositionHealthy);
    println!("   ✗ liquidate (Bob) rejected: PositionHealthy; nothing moved");

    d.step("The keeper liquidates Alice: paid only from Alice's vault");
    let bob_vault = d.f.env.account(&d.f.vault_of(&bob.key(), 1));
    let res = d.f.liquidate(&keeper, &alice, 1);
    let meta = must(res.clone(), "liquidate (Alice)");
    for ev in ringfence_sdk::events::parse_logs(&meta.logs) {
        if let Event::PositionLiquidated(e) = ev {
            println!(
                "   event PositionLiquidated: judged at {} | PnL -{} | equity {} | keeper reward {} | residual for Alice {} | to pool {} | bad debt {}",
                price(e.mark_price), usdc(e.pnl.unsigned_abs() as u64), usdc(e.equity.max(0) as u64),
                usdc(e.keeper_reward), usdc(e.residual), usdc(e.to_pool), e.bad_debt
            );
        }
    }
    d.balances();
    let unchanged = d.f.env.account(&d.f.vault_of(&bob.key(), 1)) == bob_vault;
    println!("   Bob's vault byte-for-byte unchanged by Alice's liquidation: {unchanged}");
    assert!(unchanged);
    d.health("Bob", &bob.key(), 1);

    d.step("Alice claims her residual: only she signs; the liquidation never needed an account of hers");
    let alice_position = d.f.position_key(&alice.key(), 1);
    must(d.f.claim_residual(&alice, &alice_position, &alice.token), "claim_residual (Alice)");
    d.balances();

    d.step("The price recovers to 104.00 and Bob closes: paid from his own vault, the rest back to the pool");
    d.f.env.advance(30);
    d.f.set_price(pyth_price(104.0));
    d.health("Bob", &bob.key(), 1);
    must(d.f.close(&bob, 1), "close_position (Bob)");
    d.balances();
    d.f.assert_invariants();
    println!("\nDone: Alice's loss went to the pool, the keeper was paid from Alice's vault, Bob was never touched,");
    println!("and Bob's profit came out of the reserve in his own vault. Every invariant holds.");
}
