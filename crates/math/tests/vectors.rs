//! Shared test vectors: the TypeScript client's math (app/src/math.ts) must reproduce these
//! outputs of this crate exactly (app/test/math.test.ts). This test regenerates them from the
//! crate and fails if the committed file differs; `RINGFENCE_WRITE_VECTORS=1` rewrites it.
use ringfence_math::*;
use serde_json::{json, Value};

fn s<T: ToString>(v: T) -> Value {
    Value::String(v.to_string())
}

fn opt(v: Option<u64>) -> Value {
    v.map_or(Value::Null, s)
}

fn thr(t: Threshold) -> Value {
    match t {
        Threshold::Never => s("never"),
        Threshold::Always => s("any"),
        Threshold::At(p) => s(p),
    }
}

fn vectors() -> Value {
    // A fixed pseudo-random walk over realistic and edge inputs (SplitMix64, seed 7).
    let mut x: u64 = 7;
    let mut next = move || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut health_cases = Vec::new();
    for i in 0..200u64 {
        let side = if i % 2 == 0 { Side::Long } else { Side::Short };
        let size = 1 + next() % 10_000_000_000_000;
        let collateral = next() % (size / 2 + 1);
        let reserve = next() % (size + 1);
        let entry = PRICE_ONE / 1_000 + next() % (PRICE_ONE * 200_000);
        let mark = (entry / 2 + next() % (entry + 1)).max(1);
        let fees = next() % (collateral / 10 + 1);
        let mm = 10 + next() % 4_990;
        let h = health(side, size, collateral, reserve, entry, mark, fees, mm).expect("health");
        let borrow = fees / 3;
        let reward = liquidation_reward(size, mm / 2).expect("reward");
        let max_profit_bps = 1_000 + next() % 20_000;
        health_cases.push(json!({
            "side": if side == Side::Long { "long" } else { "short" },
            "size": s(size), "collateral": s(collateral), "reserve": s(reserve), "entry": s(entry),
            "mark": s(mark), "fees": s(fees), "mm_bps": s(mm),
            "pnl": s(h.pnl), "equity": s(h.equity), "maintenance": s(h.maintenance_requirement),
            "liquidatable": h.liquidatable,
            "liquidation_price": thr(liquidation_price(side, size, collateral, reserve, entry, fees, mm).expect("liq")),
            "bankruptcy_price": thr(bankruptcy_price(side, size, collateral, reserve, entry, fees).expect("bk")),
            "borrow_fee": s(borrow), "reward": s(reward),
            "pool_claim": s(pool_claim(side, size, collateral, reserve, entry, mark, borrow, fees - borrow, reward, mm).expect("claim")),
            "max_profit_bps": s(max_profit_bps),
            "reserve_for": s(reserve_for(side, size, max_profit_bps).expect("reserve")),
        }));
    }
    let mut prices = Vec::new();
    for (m, e) in
        [(15_012_345_678i64, -8), (123_456, -10), (123_456_789, -12), (7, 2), (0, -8), (-5, -8), (9, -11), (1, 0)]
    {
        let conf = m.unsigned_abs();
        prices.push(json!({ "mantissa": s(m), "exponent": e, "normalized": opt(normalize_price(m, e).ok()),
            "conf": s(conf), "conf_normalized": opt(normalize_conf(conf, e).ok()) }));
    }
    let mut fees = Vec::new();
    for _ in 0..50 {
        let size = next() % 10_000_000_000_000;
        let entry_index = next() % 1_000_000_000_000;
        let index = entry_index + next() % 100_000_000_000;
        fees.push(json!({ "size": s(size), "entry_index": s(entry_index), "index": s(index),
            "fee": s(borrow_fee(size, entry_index, index).expect("fee")) }));
    }
    // The liquidation rule: judged at the trader's side of the interval, settled at the mid.
    let mut liquidation = Vec::new();
    for i in 0..100u64 {
        let side = if i % 2 == 0 { Side::Long } else { Side::Short };
        let size = 1 + next() % 10_000_000_000_000;
        let collateral = next() % (size / 5 + 1);
        let reserve = next() % (size + 1);
        let entry = PRICE_ONE / 1_000 + next() % (PRICE_ONE * 200_000);
        let price = (entry - entry / 10 + next() % (entry / 5 + 1)).max(1);
        let conf = next() % (price / 20 + 1);
        let borrow_index = next() % 1_000_000_000_000;
        let market_index = borrow_index + next() % 10_000_000_000;
        let vault = collateral + reserve + next() % 3;
        let pos = PositionTerms { side, size, collateral, reserve, entry, borrow_index };
        let m = MarketTerms {
            borrow_index: market_index,
            maintenance_margin_bps: 10 + next() % 1_000,
            close_fee_bps: next() % 101,
            liquidation_fee_bps: 1 + next() % 9,
        };
        let r = assess_liquidation(&pos, &m, price, conf, vault).expect("assess");
        liquidation.push(json!({
            "side": if side == Side::Long { "long" } else { "short" },
            "size": s(size), "collateral": s(collateral), "reserve": s(reserve), "entry": s(entry),
            "position_index": s(borrow_index), "market_index": s(market_index),
            "mm_bps": s(m.maintenance_margin_bps), "close_fee_bps": s(m.close_fee_bps),
            "liquidation_fee_bps": s(m.liquidation_fee_bps), "price": s(price), "conf": s(conf), "vault": s(vault),
            "mark": s(r.mark), "equity": s(r.health.equity), "liquidatable": r.health.liquidatable,
            "settle_pnl": s(r.settle_pnl), "keeper": s(r.settlement.keeper), "trader": s(r.settlement.trader),
            "pool": s(r.settlement.pool),
        }));
    }
    // Client-side sizing and LP quotes (the web page's ticket and LP panel).
    let mut sizing = Vec::new();
    for i in 0..100u64 {
        let deposit = next() % 1_000_000_000_000;
        let im = [500, 1_000, 250, 2_000][(i % 4) as usize] + next() % 3;
        let open_fee = [0, 10, 7, 100][((i / 4) % 4) as usize];
        let max_e4 = 10_000 * 10_000 / im;
        // Around the maximum (where the fee's rounding matters), and below and above it.
        let leverage = match i % 3 {
            0 => max_e4,
            1 => 10_000 + next() % max_e4,
            _ => max_e4 + 1 + next() % 10_000,
        };
        sizing.push(json!({ "deposit": s(deposit), "leverage_e4": s(leverage), "open_fee_bps": s(open_fee),
            "im_bps": s(im), "size": s(size_for_leverage(deposit, leverage, open_fee, im).expect("size")) }));
    }
    let mut lp = Vec::new();
    for i in 0..100u64 {
        let value = if i % 10 == 0 { 0 } else { next() % 1_000_000_000_000_000 };
        let supply = if i % 7 == 0 { 0 } else { next() % 1_000_000_000_000_000 };
        let dead = if supply == 0 && i % 2 == 0 { 0 } else { DEAD_SHARES };
        let fee = next() % 300;
        let amount = next() % 10_000_000_000_000;
        let shares = if supply == 0 { 0 } else { next() % (supply + 1) };
        let d = quote_deposit(amount, value, supply, dead, fee).expect("deposit");
        let (gross, wfee) = if supply + dead == 0 {
            (0, 0)
        } else {
            quote_withdraw(shares, value, supply, dead, fee).expect("withdraw")
        };
        let p = share_prices(value, supply, dead, fee).expect("prices");
        lp.push(json!({ "value": s(value), "supply": s(supply), "dead": s(dead), "lp_fee_bps": s(fee),
            "amount": s(amount), "shares": s(shares),
            "deposit": d.map_or(Value::Null, |d| json!({ "fee": s(d.fee), "shares": s(d.shares), "dead_shares": s(d.dead_shares) })),
            "withdraw_gross": s(gross), "withdraw_fee": s(wfee),
            "share_value": s(p.value), "deposit_cost": s(p.deposit_cost), "withdrawal_value": s(p.withdrawal_value),
            "index": s(i * 1_000_003), "rate": s(next() % 10_000), "elapsed": s(next() % 100_000_000),
        }));
    }
    for c in lp.iter_mut() {
        let g = |k: &str| c[k].as_str().and_then(|v| v.parse::<u64>().ok()).expect("u64");
        let accrued = accrue_index(g("index"), g("rate"), g("elapsed")).expect("accrue");
        c["accrued_index"] = s(accrued);
    }
    let mut automation = Vec::new();
    for i in 0..64u64 {
        let side = if i % 2 == 0 { Side::Long } else { Side::Short };
        let a = PRICE_ONE + next() % 3;
        let b = PRICE_ONE + next() % 3;
        automation.push(json!({ "side": if side == Side::Long { "long" } else { "short" }, "a": s(a), "b": s(b),
            "take_profit_crossed": trigger_crossed(side, true, a, b), "stop_loss_crossed": trigger_crossed(side, false, a, b),
            "limit_reached": limit_reached(side, a, b) }));
    }
    json!({ "automation": automation, "health": health_cases, "normalize_price": prices, "borrow_fee": fees, "liquidation": liquidation,
        "size_for_leverage": sizing, "lp": lp })
}

#[test]
fn shared_vectors_match_the_crate() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../app/test/vectors.json");
    let fresh = serde_json::to_string_pretty(&vectors()).expect("json") + "\n";
    if std::env::var("RINGFENCE_WRITE_VECTORS").is_ok() {
        std::fs::write(path, &fresh).expect("write vectors");
    }
    let committed = std::fs::read_to_string(path).expect("app/test/vectors.json (RINGFENCE_WRITE_VECTORS=1 writes it)");
    assert!(committed == fresh, "app/test/vectors.json is stale: rerun with RINGFENCE_WRITE_VECTORS=1");
}
