// The TypeScript math must give exactly what the Rust crate gives (app/test/vectors.json is
// generated and checked by crates/math/tests/vectors.rs).
import { strict as assert } from "assert";
import vectors from "./vectors.json";
import {
  accrueIndex, assessLiquidation, limitReached, liquidationReward, normalizeConf, triggerCrossed, bankruptcyPrice, borrowFee, health, liquidationPrice, normalizePrice, poolClaim, quoteDeposit,
  quoteWithdraw, reserveFor, sharePrices, sizeForLeverage, Side, Threshold,
} from "../src/math";

const big = (v: string | null) => (v === null ? null : BigInt(v));
const threshold = (v: string): Threshold => (v === "never" || v === "any" ? v : BigInt(v));

describe("math shared with the Rust crate", () => {
  it("health, liquidation and bankruptcy prices", () => {
    assert.ok(vectors.health.length >= 200);
    for (const c of vectors.health) {
      const side = c.side as Side;
      const args = [BigInt(c.size), BigInt(c.collateral), BigInt(c.reserve), BigInt(c.entry)] as const;
      const h = health(side, ...args, BigInt(c.mark), BigInt(c.fees), BigInt(c.mm_bps));
      assert.equal(h.pnl, BigInt(c.pnl));
      assert.equal(h.equity, BigInt(c.equity));
      assert.equal(h.maintenanceRequirement, BigInt(c.maintenance));
      assert.equal(h.liquidatable, c.liquidatable);
      assert.equal(liquidationPrice(side, ...args, BigInt(c.fees), BigInt(c.mm_bps)), threshold(c.liquidation_price));
      assert.equal(bankruptcyPrice(side, ...args, BigInt(c.fees)), threshold(c.bankruptcy_price));
      assert.equal(
        poolClaim(side, ...args, BigInt(c.mark), BigInt(c.borrow_fee), BigInt(c.fees) - BigInt(c.borrow_fee), BigInt(c.reward), BigInt(c.mm_bps)),
        BigInt(c.pool_claim),
      );
      assert.equal(reserveFor(side, BigInt(c.size), BigInt(c.max_profit_bps)), BigInt(c.reserve_for));
      assert.equal(liquidationReward(BigInt(c.size), BigInt(c.mm_bps) / 2n), BigInt(c.reward));
    }
  });

  it("price normalization", () => {
    for (const c of vectors.normalize_price) {
      assert.equal(normalizePrice(BigInt(c.mantissa), c.exponent), big(c.normalized));
      assert.equal(normalizeConf(BigInt(c.conf), c.exponent), big(c.conf_normalized));
    }
  });

  it("the liquidation rule: judged at the trader's side of the interval, settled at the mid", () => {
    assert.ok(vectors.liquidation.length >= 100);
    for (const c of vectors.liquidation) {
      const r = assessLiquidation(c.side as Side, BigInt(c.size), BigInt(c.collateral), BigInt(c.reserve), BigInt(c.entry),
        BigInt(c.position_index), BigInt(c.market_index), BigInt(c.mm_bps), BigInt(c.close_fee_bps), BigInt(c.liquidation_fee_bps),
        BigInt(c.price), BigInt(c.conf), BigInt(c.vault));
      assert.equal(r.mark, BigInt(c.mark));
      assert.equal(r.equity, BigInt(c.equity));
      assert.equal(r.liquidatable, c.liquidatable);
      assert.equal(r.settlePnl, BigInt(c.settle_pnl));
      assert.deepEqual([r.keeper, r.trader, r.pool], [BigInt(c.keeper), BigInt(c.trader), BigInt(c.pool)]);
    }
  });

  it("sizing an open from a deposit and a leverage", () => {
    assert.ok(vectors.size_for_leverage.length >= 100);
    for (const c of vectors.size_for_leverage) {
      assert.equal(sizeForLeverage(BigInt(c.deposit), BigInt(c.leverage_e4), BigInt(c.open_fee_bps), BigInt(c.im_bps)), BigInt(c.size));
    }
  });

  it("LP quotes, share prices and index accrual", () => {
    assert.ok(vectors.lp.length >= 100);
    for (const c of vectors.lp) {
      const [v, s, d, f] = [BigInt(c.value), BigInt(c.supply), BigInt(c.dead), BigInt(c.lp_fee_bps)];
      const q = quoteDeposit(BigInt(c.amount), v, s, d, f);
      assert.deepEqual(q, c.deposit && { fee: BigInt(c.deposit.fee), shares: BigInt(c.deposit.shares), deadShares: BigInt(c.deposit.dead_shares) });
      if (s + d > 0n) assert.deepEqual(quoteWithdraw(BigInt(c.shares), v, s, d, f), [BigInt(c.withdraw_gross), BigInt(c.withdraw_fee)]);
      assert.deepEqual(sharePrices(v, s, d, f), { value: BigInt(c.share_value), depositCost: BigInt(c.deposit_cost), withdrawalValue: BigInt(c.withdrawal_value) });
      assert.equal(accrueIndex(BigInt(c.index), BigInt(c.rate), BigInt(c.elapsed)), BigInt(c.accrued_index));
    }
  });

  it("trigger and limit rules", () => {
    assert.ok(vectors.automation.length >= 64);
    for (const c of vectors.automation) {
      const side = c.side as Side;
      assert.equal(triggerCrossed(side, true, BigInt(c.a), BigInt(c.b)), c.take_profit_crossed);
      assert.equal(triggerCrossed(side, false, BigInt(c.a), BigInt(c.b)), c.stop_loss_crossed);
      assert.equal(limitReached(side, BigInt(c.a), BigInt(c.b)), c.limit_reached);
    }
  });

  it("borrow fees", () => {
    for (const c of vectors.borrow_fee) {
      assert.equal(borrowFee(BigInt(c.size), BigInt(c.entry_index), BigInt(c.index)), BigInt(c.fee));
    }
  });
});
