// The connected wallet's positions (live) and limit orders: PnL, equity against maintenance as a
// health bar, liquidation and bankruptcy prices (the program's rule, fees owed now included, as its
// `position_health` view), the vault's balance with a link to the account; add / remove margin,
// decrease, close, claim; cancel an order.
import { useState } from "react";
import { PublicKey } from "@solana/web3.js";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { limitWithSlippage, type MarketKeys, type RingfenceClient } from "../../src/client";
import {
  accrueIndex, againstTrader, assessLiquidation, bankruptcyPrice, borrowFee, liquidationPrice, marginRequirement, notionalFee,
  unrealizedPnl, type Side,
} from "../../src/math";
import type { PriceUpdate } from "../../src/oracle";
import type { MarketAccount, OrderRow, PositionRow } from "./data";
import { big, need, parseSlippageBps, parseTokens, priceText, thresholdText, tokens } from "./format";
import type { Send } from "./Ticket";

/** The program's view of an open position now (`position_health`'s rule, in TS). */
export function positionView(m: MarketAccount, row: PositionRow, price: PriceUpdate, now: bigint) {
  const p = row.account;
  const side: Side = p.side === 0 ? "long" : "short";
  const size = big(p.size), collateral = big(p.collateral), reserve = big(p.reserve), entry = big(p.entryPrice);
  const index = accrueIndex(big(m.borrowIndex), big(m.borrowRate), now - big(m.lastAccrualTime));
  const positionIndex = big(p.borrowIndex);
  const at = index > positionIndex ? index : positionIndex;
  const fees = borrowFee(size, positionIndex, at) + notionalFee(size, BigInt(m.params.closeFeeBps));
  const mm = BigInt(m.params.maintenanceMarginBps);
  const report = assessLiquidation(side, size, collateral, reserve, entry, positionIndex, at, mm, BigInt(m.params.closeFeeBps),
    BigInt(m.params.liquidationFeeBps), price.price, price.conf, row.vaultBalance);
  // What closing now would realize before fees: at the exit side of the interval, capped at the reserve.
  const exit = againstTrader(side, false, price.price, price.conf);
  const raw = unrealizedPnl(side, size, entry, exit);
  return {
    side, size, collateral, reserve, entry, exit, fees,
    pnl: raw < reserve ? raw : reserve,
    equity: report.equity,
    maintenance: marginRequirement(size, mm),
    liquidatable: report.liquidatable,
    liquidation: liquidationPrice(side, size, collateral, reserve, entry, fees, mm),
    bankruptcy: bankruptcyPrice(side, size, collateral, reserve, entry, fees),
  };
}

/**
 * An explorer link for an address or a transaction: the public clusters by name, localnet with its
 * RPC URL (127.0.0.1); no link for any other cluster (its RPC URL, maybe keyed, never leaves the page).
 */
export function explorerUrl(kind: "address" | "tx", id: string, cluster: string, rpcUrl: string): string | null {
  const base = `https://explorer.solana.com/${kind}/${id}`;
  if (cluster === "mainnet-beta") return base;
  if (cluster === "devnet" || cluster === "testnet") return `${base}?cluster=${cluster}`;
  if (cluster === "localnet") return `${base}?cluster=custom&customUrl=${encodeURIComponent(rpcUrl)}`;
  return null;
}

export function Positions({ rows, orders, market: m, keys, price, now, client, owner, send, selected, select, cluster, rpcUrl }: {
  rows: PositionRow[]; orders: OrderRow[]; market: MarketAccount; keys: MarketKeys; price: PriceUpdate | null; now: bigint;
  client: RingfenceClient; owner: PublicKey; send: Send; selected: string | null; select: (k: string) => void; cluster: string; rpcUrl: string;
}) {
  const [amount, setAmount] = useState("10");
  const [slippage, setSlippage] = useState("0.5");
  const token = getAssociatedTokenAddressSync(keys.collateralMint, owner);
  const amountUnits = () => need(parseTokens(amount), "enter the amount as a decimal number of tokens");
  const slippageBps = parseSlippageBps(slippage);
  return (
    <section data-testid="positions">
      <h2 style={{ fontSize: "1.1rem" }}>Your positions</h2>
      <div>
        Amount <input data-testid="margin-amount" value={amount} onChange={(e) => setAmount(e.target.value)} size={8} /> (margin to add or remove, or notional to decrease){" "}
        slippage <input data-testid="exit-slippage" value={slippage} onChange={(e) => setSlippage(e.target.value)} size={4} /> %
        {slippageBps === null ? <b style={{ color: "#c00" }}> below 100 % please</b> : slippageBps > 500n ? <b style={{ color: "#a60" }}> a wide bound: you may be filled far from the price shown</b> : null}
      </div>
      {rows.length === 0 && <div data-testid="no-positions">none</div>}
      {rows.map((row) => {
        const { publicKey, account: p } = row;
        const status = p.status === 0 ? "open" : p.status === 1 ? "liquidated" : "closed";
        const residual = big(p.residual);
        const address = publicKey.toBase58();
        const v = status === "open" && price ? positionView(m, row, price, now) : null;
        const healthPct = v ? (v.maintenance === 0n ? 100 : Math.max(0, Math.min(100, Number((v.equity * 100n) / (v.maintenance * 3n))))) : 0;
        // The worst exit price accepted: the exit side of the interval now, less the slippage.
        const exitLimit = () => limitWithSlippage(v!.side, false, v!.exit, need(slippageBps, "the slippage must be a percentage below 100"), null);
        return (
          <div key={address} data-testid="position" data-status={status} data-address={address} onClick={() => select(address)}
            style={{ borderTop: "1px solid #ddd", padding: 6, background: selected === address ? "#f4f8ff" : undefined }}>
            <b>{p.side === 0 ? "long" : "short"}</b> {tokens(big(p.size))} @ {priceText(big(p.entryPrice))} · status{" "}
            <span data-testid="position-status">{status}</span>
            {v && (
              <>
                {" "}· PnL <span data-testid="position-pnl">{tokens(v.pnl)}</span> · equity {tokens(v.equity)} vs maintenance {tokens(v.maintenance)}
                {" "}· liquidation <span data-testid="position-liquidation">{thresholdText(v.liquidation)}</span>
                {" "}· bankruptcy <span data-testid="position-bankruptcy">{thresholdText(v.bankruptcy)}</span>
                <div title="equity vs maintenance (full bar: 3x maintenance)" data-testid="health-bar" data-pct={healthPct}
                  style={{ background: "#eee", width: 200, height: 6 }}>
                  <div style={{ background: v.liquidatable ? "#d33" : healthPct > 40 ? "#2b6" : "#e90", width: `${healthPct * 2}px`, height: 6 }} />
                </div>
                collateral <span data-testid="position-collateral">{tokens(v.collateral)}</span> · reserve {tokens(v.reserve)}
                {" "}· vault <Vault url={explorerUrl("address", p.vault.toBase58(), cluster, rpcUrl)} address={p.vault.toBase58()} />{" "}
                <span data-testid="position-vault-balance">{tokens(row.vaultBalance)}</span>
                {big(p.takeProfit.price) > 0n && <> · TP {priceText(big(p.takeProfit.price))}</>}
                {big(p.stopLoss.price) > 0n && <> · SL {priceText(big(p.stopLoss.price))}</>}
                <div>
                  <button data-testid="add-margin" onClick={() => void send("add_margin", async () => [await client.addMargin(token, publicKey, p, amountUnits())])}>Add margin</button>
                  <button data-testid="remove-margin" onClick={() => void send("remove_margin", async () => [await client.removeMargin(token, keys, publicKey, p, amountUnits())])}>Remove margin</button>
                  <button data-testid="decrease" onClick={() => void send("decrease_position", async () => [await client.decreasePosition(token, keys, publicKey, p, amountUnits(), exitLimit())])}>Decrease</button>
                  <button data-testid="close" onClick={() => void send("close_position", async () => [await client.closePosition(token, keys, publicKey, p, exitLimit())])}>Close</button>
                </div>
              </>
            )}
            {(status !== "open" || residual > 0n) && (
              <>
                {" "}· residual <span data-testid="position-residual">{tokens(residual)}</span>{" "}
                <button data-testid="claim" onClick={() => void send("claim_residual", async () => [await client.claimResidual(token, publicKey, p)])}>Claim</button>
              </>
            )}
          </div>
        );
      })}
      {orders.length > 0 && <h3 style={{ fontSize: "1rem" }}>Your limit orders</h3>}
      {orders.map(({ publicKey, account: o }) => (
        <div key={publicKey.toBase58()} data-testid="order">
          {o.side === 0 ? "long" : "short"} {tokens(big(o.size))} at {priceText(big(o.limitPrice))} or better · collateral {tokens(big(o.collateral))}
          {" "}· expires {new Date(Number(big(o.expiry)) * 1000).toLocaleTimeString()}{" "}
          <button data-testid="cancel-order" onClick={() => void send("cancel_limit_order", async () => [await client.cancelLimitOrder(token, publicKey, o)])}>Cancel</button>
        </div>
      ))}
    </section>
  );
}

function Vault({ url, address }: { url: string | null; address: string }) {
  const text = `${address.slice(0, 8)}…`;
  return url ? <a data-testid="position-vault" href={url} target="_blank" rel="noreferrer" title={address}>{text}</a>
    : <span data-testid="position-vault" title={address}>{text}</span>;
}
