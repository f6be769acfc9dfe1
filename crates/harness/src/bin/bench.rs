//! `make bench`: runs each instruction on the compiled ringfence.so in LiteSVM and prints
//! `cu <instruction> <units>` per instruction, then rent and state sizes. Exits non-zero if an
//! instruction exceeds its compute budget (the budgets), so CI enforces them.
//!
//! Each instruction is measured on its most expensive ordinary path: liquidation with all three
//! payouts (keeper, trader residual, pool) non-zero.
// LiteSVM's transaction results are large by design; they are test values, not hot paths.
#![allow(clippy::result_large_err)]
use ringfence_harness::*;
use ringfence_sdk::ringfence::state::{MARKET_SPACE, POSITION_SPACE};
use ringfence_sdk::Side;

const BUDGETS: &[(&str, u64)] = &[("open_position", 30_000), ("add_margin", 10_000), ("liquidate", 30_000)];

fn cu(name: &str, res: TxResult, out: &mut Vec<(String, u64)>) {
    match res {
        Ok(meta) => out.push((name.to_string(), meta.compute_units_consumed)),
        Err(_) => {
            eprintln!("{name} failed: {}", describe(&res));
            std::process::exit(1);
        }
    }
}

fn main() {
    let mut out = Vec::new();

    // initialize_market: measured from a fresh fixture's own initialization.
    let mut f = MarketFixture::new();
    let feed = [42u8; 32];
    let oracle = anchor_lang::prelude::Pubkey::new_unique();
    let fixture = PriceFixture::new(feed, pyth_price(100.0), f.env.now());
    f.env.write_price(&oracle, &fixture);
    let keys = ringfence_sdk::ix::MarketKeys::derive(&f.admin.pubkey(), &f.mint, &feed, &oracle);
    let ix = ringfence_sdk::ix::initialize_market(&f.admin.pubkey(), &keys, feed, f.params);
    let res = f.env.send(&[ix], &[&f.admin]);
    cu("initialize_market", res, &mut out);

    f.fund_pool(100_000 * USDC);
    let trader = f.wallet(10_000 * USDC);
    let keeper = f.wallet(0);
    let res = f.open(&trader, 1, Side::Long, 100 * USDC, 1_000 * USDC);
    cu("open_position", res, &mut out);
    let res = f.add_margin(&trader, 1, 10 * USDC);
    cu("add_margin", res, &mut out);
    f.set_price(pyth_price(93.5)); // equity 110 - 65 = 45 < 50: keeper 10, trader 35, pool 65
    let res = f.liquidate(&keeper, &trader, 1);
    cu("liquidate", res, &mut out);

    let mut over = false;
    for (name, units) in &out {
        println!("cu {name} {units}");
        if let Some((_, budget)) = BUDGETS.iter().find(|(n, _)| n == name) {
            if units > budget {
                eprintln!("OVER BUDGET: {name} {units} > {budget}");
                over = true;
            }
        }
    }
    let rent = |n: usize| f.env.svm.minimum_balance_for_rent_exemption(n);
    println!("rent position_and_vault {} lamports", rent(POSITION_SPACE) + rent(165));
    println!("rent market {} lamports", rent(MARKET_SPACE));
    println!("size position {POSITION_SPACE} bytes");
    println!("size market {MARKET_SPACE} bytes");
    println!("size vault 165 bytes");
    if over {
        std::process::exit(1);
    }
}
