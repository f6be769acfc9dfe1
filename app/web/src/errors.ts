// Every failure the page shows, in words: the program's named errors from its IDL, Anchor's own
// (their name and message as the program logs them), the token program's, and the runtime's common
// ones (no SOL for the fee, an expired blockhash, a rejected signature); never a raw log.
import idl from "../../../target/idl/ringfence.json";

const byCode = new Map<number, { name: string; msg: string }>(
  ((idl as { errors?: { code: number; name: string; msg?: string }[] }).errors ?? []).map((e) => [e.code, { name: e.name, msg: e.msg ?? "" }]),
);
const PROGRAM = (idl as { address: string }).address;
const TOKEN_PROGRAMS = ["TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"];

/** SPL Token's errors (spl_token::error::TokenError), in words. */
const TOKEN_ERRORS: Record<number, string> = {
  0: "NotRentExempt: the token account would not be rent exempt",
  1: "InsufficientFunds: the token account holds less than the amount (fund it: on localnet, Get localnet SOL + USDC)",
  2: "InvalidMint: not a token mint",
  3: "MintMismatch: the token account is for another mint",
  4: "OwnerMismatch: the token account belongs to someone else",
  9: "UninitializedState: the token account does not exist yet",
  17: "AccountFrozen: the token account is frozen",
};

/** The runtime's messages a wallet user meets, in words. */
const RUNTIME: [RegExp, string][] = [
  [/no record of a prior credit/i, "the wallet has no SOL to pay the fee (on localnet: Get localnet SOL + USDC)"],
  [/insufficient lamports|insufficient funds for (fee|rent)/i, "the wallet has too little SOL for the fee or the rent"],
  [/blockhash not found|block height exceeded|has expired/i, "the transaction expired before it landed: send it again"],
  [/user rejected|rejected the request|declined/i, "the signature was rejected in the wallet"],
  [/failed to fetch|network ?error|ECONNREFUSED/i, "the RPC node cannot be reached"],
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
  // The innermost program that failed, and its code.
  const failed = text.match(/Program (\w+) failed: custom program error: 0x([0-9a-fA-F]+)/);
  if (failed) {
    const code = parseInt(failed[2], 16);
    if (TOKEN_PROGRAMS.includes(failed[1])) return TOKEN_ERRORS[code] ?? `the token program refused the transfer (error ${code})`;
    if (failed[1] === PROGRAM) return programError(code) ?? `the program failed with error ${code}`;
  }
  const custom = text.match(/"Custom":\s*(\d+)|Custom\((\d+)\)|custom program error: 0x([0-9a-fA-F]+)/);
  if (custom) {
    const code = custom[3] ? parseInt(custom[3], 16) : Number(custom[1] ?? custom[2]);
    const named = programError(code);
    if (named) return named;
    if (code in TOKEN_ERRORS) return TOKEN_ERRORS[code];
  }
  for (const [re, words] of RUNTIME) if (re.test(text)) return words;
  if (/InsufficientFundsForFee/.test(text)) return RUNTIME[0][1];
  if (/AccountNotFound/.test(text)) return "an account the transaction needs does not exist (is the wallet funded?)";
  // Anything else: the first line of the message, without the simulation's log dump.
  const first = message.replace(/^Simulation failed\.\s*/i, "").replace(/^Message:\s*/i, "").split(/\n|Logs:/)[0].trim();
  return first.length > 0 && first.length < 200 ? first : "the transaction failed";
}
