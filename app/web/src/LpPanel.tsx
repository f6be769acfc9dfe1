// The LP panel: the exact pool value (every open position valued as a sweep values it), what a
// share is worth, costs to deposit and pays to withdraw (they differ by the LP fee), the wallet's
// shares; deposit and withdrawal requests (executed by a keeper's sweep at a price published after
// them) and their claim.
import { useState } from "react";
import { PublicKey } from "@solana/web3.js";
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token";
import type { MarketKeys, RingfenceClient } from "../../src/client";
import { quoteDeposit, quoteWithdraw, sharePrices } from "../../src/math";
import type { LpRequestAccount, MarketAccount } from "./data";
import { big, parseTokens, sharePriceText, tokens } from "./format";
import type { Send } from "./Ticket";

/** `cancel_lp_request` is possible this long after a request (LP_REQUEST_CANCEL_AFTER_SECS). */
const CANCEL_AFTER_SECS = 600n;

export function LpPanel({ market: m, keys, value, lpRequest, lpBalance, client, owner, send, now }: {
  market: MarketAccount; keys: MarketKeys; value: bigint | null; lpRequest: LpRequestAccount | null; lpBalance: bigint | null;
  client: RingfenceClient; owner: PublicKey | null; send: Send; now: bigint;
}) {
  const [depositText, setDepositText] = useState("1000");
  const [sharesText, setSharesText] = useState("");
  const supply = big(m.lpSupply), dead = big(m.deadShares), fee = BigInt(m.params.lpFeeBps);
  const prices = value === null ? null : sharePrices(value, supply, dead, fee);
  const depositAmount = parseTokens(depositText);
  const shares = parseTokens(sharesText);
  const depositQuote = value !== null && depositAmount ? quoteDeposit(depositAmount, value, supply, dead, fee) : null;
  const withdrawQuote = value !== null && shares && shares <= supply && supply + dead > 0n ? quoteWithdraw(shares, value, supply, dead, fee) : null;
  const free = big(m.freeLiquidity);
  // What execution would do at today's value (execute_lp_request): a deposit that mints no share
  // and a withdrawal paying nothing or more than the free liquidity are refunded less the LP fee.
  const depositProblem = depositAmount && value !== null && !depositQuote ? "too small to mint a share: it would be refunded less the LP fee" : null;
  const withdrawNet = withdrawQuote && withdrawQuote[0] - withdrawQuote[1];
  const withdrawProblem = !shares ? null
    : shares > (lpBalance ?? 0n) ? `more than your ${tokens(lpBalance ?? 0n)} shares`
    : withdrawNet !== null && withdrawNet > free ? `it would pay more than the free liquidity (${tokens(free)}): it would be refunded less the LP fee`
    : withdrawNet === 0n ? "it would pay nothing: it would be refunded less the LP fee" : null;
  const token = owner && getAssociatedTokenAddressSync(keys.collateralMint, owner);
  const lp = owner && getAssociatedTokenAddressSync(keys.lpMint, owner);
  const accounts = () => [
    createAssociatedTokenAccountIdempotentInstruction(owner!, token!, owner!, keys.collateralMint),
    createAssociatedTokenAccountIdempotentInstruction(owner!, lp!, owner!, keys.lpMint),
  ];
  const req = lpRequest;
  const reqKind = req ? (req.kind === 0 ? "deposit" : "withdrawal") : null;
  // What waits for the claim: shares for an executed deposit or a refunded withdrawal, else tokens.
  const claimsShares = req ? (req.kind === 0) !== Boolean(req.refunded) : false;
  return (
    <section data-testid="lp-panel" style={{ border: "1px solid #ccc", padding: 8, margin: "8px 0" }}>
      <h2 style={{ fontSize: "1.1rem" }}>Liquidity providers</h2>
      <table><tbody>
        <tr><td>Pool value (exact, at the oracle price now)</td><td data-testid="lp-pool-value" data-raw={value === null ? undefined : String(value)}>{value === null ? "–" : tokens(value)}</td>
          <td>LP shares</td><td data-testid="lp-supply">{tokens(supply)} (+ {tokens(dead)} owned by nobody)</td></tr>
        <tr><td>Share value</td><td data-testid="lp-share-value">{prices ? sharePriceText(prices.value) : "–"}</td>
          <td>Your shares</td><td data-testid="lp-balance" data-raw={lpBalance === null ? "0" : String(lpBalance)}>{lpBalance === null ? "0" : tokens(lpBalance)}</td></tr>
        <tr><td>A deposit costs per share</td><td data-testid="lp-deposit-cost">{prices ? sharePriceText(prices.depositCost) : "–"}</td>
          <td>A withdrawal pays per share</td><td data-testid="lp-withdrawal-value">{prices ? sharePriceText(prices.withdrawalValue) : "–"}</td></tr>
      </tbody></table>
      {prices && prices.depositCost !== prices.withdrawalValue && (
        <div style={{ fontSize: "0.85rem", color: "#555" }}>They differ by the LP fee ({m.params.lpFeeBps / 100} %), kept by the pool on both sides.</div>
      )}
      {owner && !req && (
        <div>
          Deposit <input data-testid="lp-deposit-amount" value={depositText} onChange={(e) => setDepositText(e.target.value)} size={10} />{" "}
          <span data-testid="lp-deposit-quote">{depositQuote ? `≈ ${tokens(depositQuote.shares)} shares now (fee ${tokens(depositQuote.fee)})` : ""}</span>{" "}
          <button data-testid="lp-deposit" disabled={!depositAmount} onClick={async () =>
            void send("request_deposit", async () => [...accounts(), await client.requestDeposit(owner, token!, lp!, keys, depositAmount!)])}>Request deposit</button>
          {depositProblem && <b data-testid="lp-deposit-warning" style={{ color: "#a60" }}> {depositProblem}</b>}
          <br />
          Withdraw <input data-testid="lp-withdraw-shares" value={sharesText} placeholder="shares" onChange={(e) => setSharesText(e.target.value)} size={10} />{" "}
          <span data-testid="lp-withdraw-quote">{withdrawQuote && withdrawNet !== null ? `≈ ${tokens(withdrawNet)} now (fee ${tokens(withdrawQuote[1])})` : ""}</span>{" "}
          <button data-testid="lp-withdraw" disabled={!shares || shares > (lpBalance ?? 0n)} onClick={async () =>
            void send("request_withdrawal", async () => [...accounts(), await client.requestWithdrawal(owner, token!, lp!, keys, shares!)])}>Request withdrawal</button>
          {withdrawProblem && <b data-testid="lp-withdraw-warning" style={{ color: "#a60" }}> {withdrawProblem}</b>}
          <div style={{ fontSize: "0.85rem", color: "#555" }}>
            A request executes at the exact pool value of a sweep at a price published after it (any keeper runs it); then you claim.
          </div>
        </div>
      )}
      {req && (
        <div data-testid="lp-request" data-state={req.executed ? "executed" : "pending"}>
          Your {reqKind} request of {tokens(big(req.amount))} {reqKind === "deposit" ? "tokens" : "shares"}:{" "}
          {req.executed ? (
            <>
              {req.refunded ? "refunded" : "executed"}; <span data-testid="lp-claimable">{tokens(big(req.claimable))}</span>{" "}
              {claimsShares ? "shares" : "tokens"} to claim{" "}
              <button data-testid="lp-claim" onClick={async () => void send("claim_lp_request", async () =>
                [...accounts(), await client.claimLpRequest(owner!, keys, claimsShares ? lp! : token!)])}>Claim</button>
            </>
          ) : (
            <>
              pending: waiting for a sweep at a newer price.{" "}
              {now >= big(req.requestedAt) + CANCEL_AFTER_SECS ? (
                <button data-testid="lp-cancel" onClick={async () => void send("cancel_lp_request", async () =>
                  [await client.cancelLpRequest(owner!, keys, req.tokenAccount, req.lpAccount)])}>Cancel (less the LP fee)</button>
              ) : <>It can be cancelled (less the LP fee) {String(big(req.requestedAt) + CANCEL_AFTER_SECS - now)} s from now.</>}
            </>
          )}
        </div>
      )}
    </section>
  );
}
