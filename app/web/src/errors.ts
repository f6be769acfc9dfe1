// Every failure the page shows, in words: the program's named errors from its IDL, Anchor's own
// (their name and message as the program logs them), the token program's, and the runtime's common
// ones (no SOL for the fee, an expired blockhash, a rejected signature); never a raw log.
import idl from "../../../target/idl/ringfence.json";

const byCode = new Map<number, { name: string; msg: string }>(
  ((idl as { errors?: { code: number; name: string; msg?: string }[] }).errors ?? []).map((e) => [e.code, { name: e.name, msg: e.msg ?? "" }]),
);
const PROGRAM = (idl as { address: string }).address;
const TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
const ATA = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";
const SYSTEM = "11111111111111111111111111111111";

/** The errors of the programs a Ringfence transaction calls, by program, in words. */
const PROGRAM_ERRORS: Record<string, Record<number, string>> = {
  // spl_token::error::TokenError
  [TOKEN]: {
    0: "NotRentExempt: the token account would not be rent exempt",
    1: "InsufficientFunds: the token account holds less than the amount (fund it: on localnet, Get localnet SOL + USDC)",
    2: "InvalidMint: not a token mint",
    3: "MintMismatch: the token account is for another mint",
    4: "OwnerMismatch: the token account belongs to someone else",
    9: "UninitializedState: the token account does not exist yet",
    17: "AccountFrozen: the token account is frozen",
  },
  // spl_associated_token_account::error::AssociatedTokenAccountError
  [ATA]: { 0: "InvalidOwner: the token account's owner does not match its address" },
  // solana_program::system_instruction::SystemError
  [SYSTEM]: {
    0: "AccountAlreadyInUse: the account already exists (try again: a new position id is chosen)",
    1: "the wallet has too little SOL for the rent of the new accounts (on localnet: Get localnet SOL + USDC)",
  },
};

/** The runtime's messages a wallet user meets, in words. */
const RUNTIME: [RegExp, string][] = [
  [/no record of a prior credit|InsufficientFundsForFee/i, "the wallet has no SOL to pay the fee (on localnet: Get localnet SOL + USDC)"],
  [/insufficient lamports|InsufficientFundsForRent|insufficient funds for rent/i, "the wallet has too little SOL for the fee or the rent"],
  [/blockhash not found|block height exceeded|has expired|BlockhashNotFound/i, "the transaction expired before it landed: send it again"],
  [/user rejected|rejected the request|declined/i, "the signature was rejected in the wallet"],
  [/failed to fetch|network ?error|ECONNREFUSED/i, "the RPC node cannot be reached"],
  [/AccountNotFound/, "an account the transaction needs does not exist (is the wallet funded?)"],
];

function programError(code: number): string | null {
  const e = byCode.get(code);
  return e ? `${e.name}: ${e.msg}` : null;
}

/** "Name: message" for a failed transaction or simulation, from any form its error takes. */
export function describeError(e: unknown): string {
  const o = (typeof e === "object" && e !== null ? e : {}) as { message?: unknown; logs?: string[]; transactionLogs?: string[] };
  const message = typeof o.message === "string" ? o.message : String(e);
  const logs = o.logs ?? o.transactionLogs ?? [];
  const text = `${message}\n${logs.join("\n")}`;
  // Anchor logs the error it returned: our own (named in the IDL) or one of Anchor's.
  const anchor = text.match(/Error Code: (\w+)\. Error Number: (\d+)\. Error Message: ([^\n"]*?)\.?(?:\n|"|$)/);
  if (anchor) return programError(Number(anchor[2])) ?? `${anchor[1]}: ${anchor[3]}`;
  // The innermost program that failed (the first "failed" line), and its own error.
  const failed = text.match(/Program (\w+) failed: custom program error: 0x([0-9a-fA-F]+)/);
  if (failed) {
    const code = parseInt(failed[2], 16);
    if (failed[1] === PROGRAM) return programError(code) ?? `the Ringfence program failed with error ${code}`;
    const table = PROGRAM_ERRORS[failed[1]];
    if (table) return table[code] ?? `program ${failed[1]} failed with error ${code}`;
  }
  for (const [re, words] of RUNTIME) if (re.test(text)) return words;
  // A bare code, without logs: only Ringfence's own codes can be told apart (others overlap).
  const custom = text.match(/"Custom":\s*(\d+)|Custom\((\d+)\)|custom program error: 0x([0-9a-fA-F]+)/);
  if (custom) {
    const code = custom[3] ? parseInt(custom[3], 16) : Number(custom[1] ?? custom[2]);
    return programError(code) ?? `an instruction failed with error ${code} (its program's, not Ringfence's)`;
  }
  // A transaction-level error object: its name.
  const named = message.match(/^\{"(\w+)"/);
  if (named) return `the transaction failed: ${named[1]}`;
  // Anything else: the first line of the message, without the simulation's log dump.
  const first = message.replace(/^Simulation failed\.\s*/i, "").replace(/^Message:\s*/i, "").split(/\n|Logs:/)[0].trim();
  return first.length > 0 && first.length < 200 ? first : "the transaction failed";
}
