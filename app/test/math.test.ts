// The TypeScript math must give exactly what the Rust crate gives (app/test/vectors.json is
// generated and checked by crates/math/tests/vectors.rs).
import { strict as assert } from "assert";
import vectors from "./vectors.json";
import { bankruptcyPrice, borrowFee, health, liquidationPrice, normalizePrice, Side } from "../src/math";

const big = (v: string | null) => (v === null ? null : BigInt(v));

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
      assert.equal(liquidationPrice(side, BigInt(c.size), BigInt(c.collateral), BigInt(c.entry), BigInt(c.fees), BigInt(c.mm_bps)), big(c.liquidation_price));
      assert.equal(bankruptcyPrice(side, BigInt(c.size), BigInt(c.collateral), BigInt(c.entry), BigInt(c.fees)), big(c.bankruptcy_price));
    }
  });

  it("price normalization", () => {
    for (const c of vectors.normalize_price) {
      assert.equal(normalizePrice(BigInt(c.mantissa), c.exponent), big(c.normalized));
    }
  });

  it("borrow fees", () => {
    for (const c of vectors.borrow_fee) {
      assert.equal(borrowFee(BigInt(c.size), BigInt(c.entry_index), BigInt(c.index)), BigInt(c.fee));
    }
  });
});
