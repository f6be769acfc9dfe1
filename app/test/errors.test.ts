// The page's failures in words (app/web/src/errors.ts): the program's named errors, the token
// program's and the runtime's, from every form a failure takes; never a raw log.
import { strict as assert } from "assert";
import { describeError } from "../web/src/errors";
import { decodePriceUpdate } from "../src/oracle";

const PROGRAM = "6jYnnzdibL96wy8em8Gv5qFFdUd4e3uxcAbvDuVi9VmY";
const TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";

describe("failures in words", () => {
  const tokenLogs = [
    `Program ${PROGRAM} invoke [1]`, "Program log: Instruction: OpenPosition", `Program ${TOKEN} invoke [2]`,
    "Program log: Instruction: Transfer", "Program log: Error: insufficient funds",
    `Program ${TOKEN} failed: custom program error: 0x1`, `Program ${PROGRAM} failed: custom program error: 0x1`,
  ];
  it("a collateral above the wallet's balance (a simulation's error and logs)", () => {
    const t = describeError({ message: JSON.stringify({ InstructionError: [0, { Custom: 1 }] }), logs: tokenLogs });
    assert.match(t, /^InsufficientFunds: /);
  });
  it("the same failure at preflight (the message embeds the logs)", () => {
    const message = `Simulation failed. \nMessage: Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1. \nLogs: \n${JSON.stringify(tokenLogs, null, 2)}.`;
    assert.match(describeError({ message, logs: tokenLogs }), /^InsufficientFunds: /);
  });
  it("the program's own errors by name, from Anchor's log or the bare code", () => {
    const logs = [`Program ${PROGRAM} invoke [1]`,
      "Program log: AnchorError occurred. Error Code: LeverageTooHigh. Error Number: 6029. Error Message: position leverage exceeds the market's maximum.",
      `Program ${PROGRAM} failed: custom program error: 0x178d`];
    assert.match(describeError({ message: "x", logs }), /^LeverageTooHigh: /);
    assert.match(describeError({ message: JSON.stringify({ InstructionError: [0, { Custom: 6029 }] }) }), /^LeverageTooHigh: /);
  });
  it("Anchor's own errors with their message", () => {
    const logs = ["Program log: AnchorError caused by account: position. Error Code: AccountNotInitialized. Error Number: 3012. Error Message: The program expected this account to be already initialized."];
    assert.equal(describeError({ message: "x", logs }), "AccountNotInitialized: The program expected this account to be already initialized");
  });
  it("no SOL for the fee, an expired blockhash", () => {
    assert.match(describeError(new Error("Simulation failed. \nMessage: Transaction simulation failed: Attempt to debit an account but found no record of a prior credit.. \nLogs: \n[].")), /no SOL/);
    assert.match(describeError(new Error("Blockhash not found")), /expired/);
  });
  it("anything else: one line, never the log dump", () => {
    const t = describeError(new Error("Simulation failed. \nMessage: something odd. \nLogs: \n[\"Program log: x\"]."));
    assert.doesNotMatch(t, /Logs|Program log|Simulation failed/);
  });
});

describe("the page's oracle decoding is the program's", () => {
  it("rounds the confidence up for exponents finer than 1e-10 (ringfence_math::normalize_conf)", () => {
    const b = new Uint8Array(8 + 32 + 1 + 32 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 8);
    const v = new DataView(b.buffer);
    b[40] = 1; // fully verified
    v.setBigInt64(41 + 32, 123_456_789n, true);
    v.setBigUint64(41 + 40, 123_456_789n, true);
    v.setInt32(41 + 48, -12, true);
    v.setBigInt64(41 + 52, 1_700_000_000n, true);
    const u = decodePriceUpdate(b)!;
    assert.equal(u.price, 1_234_567n);
    assert.equal(u.conf, 1_234_568n);
  });
});
