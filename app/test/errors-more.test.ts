// Failures of the System Program and the Associated Token program are not named as SPL Token
// errors, and a simulation's transaction-level error is not shown as raw JSON (second review).
import { strict as assert } from "assert";
import { describeError } from "../web/src/errors";

const PROGRAM = "6jYnnzdibL96wy8em8Gv5qFFdUd4e3uxcAbvDuVi9VmY";
const SYSTEM = "11111111111111111111111111111111";
const ATA = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";

describe("failures of other programs in words", () => {
  it("too little SOL for the position's rent (System Program error 1 inside open_position) is not a token shortfall", () => {
    // What the runtime logs when create_account's transfer cannot be paid.
    const logs = [
      `Program ${PROGRAM} invoke [1]`, "Program log: Instruction: OpenPosition",
      `Program ${SYSTEM} invoke [2]`, "Transfer: insufficient lamports 1000000, need 2491680",
      `Program ${SYSTEM} failed: custom program error: 0x1`,
      `Program ${PROGRAM} consumed 21000 of 200000 compute units`,
      `Program ${PROGRAM} failed: custom program error: 0x1`,
    ];
    const simulated = describeError({ message: JSON.stringify({ InstructionError: [0, { Custom: 1 }] }), logs });
    assert.doesNotMatch(simulated, /^InsufficientFunds: the token account/, simulated);
    assert.match(simulated, /SOL|lamports/, simulated);
    const preflight = `Simulation failed. \nMessage: Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1. \nLogs: \n${JSON.stringify(logs, null, 2)}.`;
    assert.doesNotMatch(describeError({ message: preflight, logs }), /^InsufficientFunds: the token account/);
  });

  it("the ATA program's InvalidOwner (its code 0) is not SPL Token's NotRentExempt", () => {
    const logs = [
      `Program ${ATA} invoke [1]`, "Program log: CreateIdempotent",
      "Program log: Associated token account owner does not match address derivation",
      `Program ${ATA} consumed 3000 of 400000 compute units`,
      `Program ${ATA} failed: custom program error: 0x0`,
    ];
    const t = describeError({ message: JSON.stringify({ InstructionError: [0, { Custom: 0 }] }), logs });
    assert.doesNotMatch(t, /NotRentExempt/, t);
  });

  it("a simulation's InsufficientFundsForRent (no logs) is in words, not raw JSON", () => {
    const t = describeError({ message: JSON.stringify({ InsufficientFundsForRent: { account_index: 0 } }), logs: [] });
    assert.doesNotMatch(t, /^[{"]/, t);
    assert.match(t, /SOL|rent/i, t);
  });
});
