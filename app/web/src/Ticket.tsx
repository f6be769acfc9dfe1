// The trade ticket, centred on the liquidation price: before signing it shows the size, fees,
// reserve, entry, liquidation and bankruptcy prices computed by the program's own math (the TS port
// checked by the shared vectors), and the outcome of simulating the very transaction it will send.
import { useEffect, useRef, useState } from "react";
import { Connection, PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { limitWithSlippage, NO_TRIGGER, type MarketKeys, type RingfenceClient, type TriggerArgs } from "../../src/client";
import { positionPda, vaultPda } from "../../src/pda";
import {
  againstTrader, bankruptcyPrice, limitReached, liquidationPrice, notionalFee, reserveFor, sizeForLeverage, triggerCrossed, type Side,
} from "../../src/math";
import type { PriceUpdate } from "../../src/oracle";
import type { MarketAccount } from "./data";
import { describeError } from "./errors";
import { need, parseDecimal, parsePrice, parseSlippageBps, parseTokens, priceText, thresholdText, tokens } from "./format";

/** Builds, signs and sends a transaction, showing its status; true once confirmed. */
export type Send = (what: string, build: () => Promise<TransactionInstruction[]>) => Promise<boolean>;

/** What the ticket previews: the numbers the program will store for the new position. */
export interface Preview {
  size: bigint; fee: bigint; collateral: bigint; reserve: bigint; entry: bigint;
  liquidation: ReturnType<typeof liquidationPrice>; bankruptcy: ReturnType<typeof bankruptcyPrice>;
}

export function preview(m: MarketAccount, side: Side, deposit: bigint, leverageE4: bigint, entry: bigint): Preview {
  const p = m.params;
  const size = sizeForLeverage(deposit, leverageE4, BigInt(p.openFeeBps), BigInt(p.initialMarginBps));
  const fee = notionalFee(size, BigInt(p.openFeeBps));
  const collateral = deposit > fee ? deposit - fee : 0n;
  const reserve = reserveFor(side, size, BigInt(p.maxProfitBps));
  // A new position owes no borrow fee yet; its close fee counts, as in the program's view.
  const closeFee = notionalFee(size, BigInt(p.closeFeeBps));
  const mm = BigInt(p.maintenanceMarginBps);
  return {
    size, fee, collateral, reserve, entry,
    liquidation: size > 0n ? liquidationPrice(side, size, collateral, reserve, entry, closeFee, mm) : "never",
    bankruptcy: size > 0n ? bankruptcyPrice(side, size, collateral, reserve, entry, closeFee) : "never",
  };
}

const newId = () => BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));

export function Ticket({ client, market: m, keys, price, owner, send, connection, now }: {
  client: RingfenceClient; market: MarketAccount; keys: MarketKeys; price: PriceUpdate; owner: PublicKey;
  send: Send; connection: Connection; now: bigint;
}) {
  const p = m.params;
  // The market's maximum (10,000 / initial margin), shown and defaulted to at most 2 decimals, down.
  const maxLeverage = Math.floor(1_000_000 / p.initialMarginBps) / 100;
  const [kind, setKind] = useState<"market" | "limit">("market");
  const [side, setSide] = useState<Side>("long");
  const [collateralText, setCollateralText] = useState("100");
  const [leverageText, setLeverageText] = useState(String(Math.min(5, maxLeverage)));
  const nowRef = useRef(now);
  nowRef.current = now;
  const [slippageText, setSlippageText] = useState("0.5");
  const [tpText, setTpText] = useState("");
  const [slText, setSlText] = useState("");
  const [feeText, setFeeText] = useState("0.1");
  const [limitText, setLimitText] = useState(priceText(price.price));
  const [expiryMinutes, setExpiryMinutes] = useState("60");
  const [id, setId] = useState(newId);
  const [simulation, setSimulation] = useState<{ ok: boolean; text: string } | null>(null);

  const deposit = parseTokens(collateralText);
  const leverageE4 = parseDecimal(leverageText, 4);
  const limitPrice = parsePrice(limitText);
  const slippageBps = parseSlippageBps(slippageText);
  const expiryOk = /^\d+$/.test(expiryMinutes.trim()) && Number(expiryMinutes) >= 1;
  const triggerFee = parseTokens(feeText);
  const tp = tpText.trim() === "" ? 0n : parsePrice(tpText);
  const sl = slText.trim() === "" ? 0n : parsePrice(slText);
  // A market open fills at the oracle price plus its confidence (long) or minus it (short); a
  // limit order fills at its limit price or better.
  const marketEntry = againstTrader(side, true, price.price, price.conf);
  const entry = kind === "market" ? marketEntry : limitPrice ?? 0n;
  // The exit price the triggers are judged against: now for a market open; for an order, where a
  // fill at its limit leaves it (entry = price ± conf, exit = price ∓ conf: two intervals away,
  // at today's confidence; a better fill moves it further).
  const exitRef = kind === "market"
    ? againstTrader(side, false, price.price, price.conf)
    : side === "long" ? entry - 2n * price.conf : entry + 2n * price.conf;
  const invalid =
    deposit === null || deposit === 0n ? "enter the collateral" :
    leverageE4 === null || leverageE4 < 10_000n ? "leverage is at least 1x" :
    kind === "market" && slippageBps === null ? "enter the slippage in % (below 100)" :
    triggerFee === null || tp === null || sl === null ? "enter take-profit / stop-loss prices (or leave them empty)" :
    kind === "limit" && (limitPrice === null || limitPrice === 0n) ? "enter the limit price" :
    kind === "limit" && !expiryOk ? "the expiry is a whole number of minutes, at least 1" :
    // A trigger already crossed would close the position at the first price after it is set.
    tp && triggerCrossed(side, true, exitRef, tp) ? `the take-profit ${priceText(tp)} is already reached (exit price ${priceText(exitRef)}): it would close at once` :
    sl && triggerCrossed(side, false, exitRef, sl) ? `the stop-loss ${priceText(sl)} is already reached (exit price ${priceText(exitRef)}): it would close at once` : null;
  const pv = invalid ? null : preview(m, side, deposit!, leverageE4!, entry);
  const warnings: string[] = [];
  if (pv && sl && typeof pv.liquidation === "bigint" && (side === "long" ? sl <= pv.liquidation : sl >= pv.liquidation)) {
    warnings.push(`the stop-loss ${priceText(sl)} is past the liquidation price ${priceText(pv.liquidation)}: the position is liquidated first`);
  }
  if ((tp || sl || kind === "limit") && triggerFee === 0n) warnings.push("a keeper fee of 0: keepers may never execute it");
  if (kind === "market" && slippageBps !== null && slippageBps > 500n) warnings.push("a wide slippage bound: you may be filled far from the price shown");
  if (kind === "limit" && limitPrice && limitReached(side, marketEntry, limitPrice)) {
    warnings.push(`the limit ${priceText(limitPrice)} is already reached (entry now ${priceText(marketEntry)}): it fills at the next keeper pass, like a market order`);
  }
  // Everything the transaction takes from the wallet: the deposit, the triggers' keeper fees
  // (escrowed in the vault), and a limit order's execution fee.
  const fees = (tp ? triggerFee ?? 0n : 0n) + (sl ? triggerFee ?? 0n : 0n) + (kind === "limit" ? triggerFee ?? 0n : 0n);
  const debit = (deposit ?? 0n) + fees;
  const overMax = leverageE4 !== null && leverageE4 * BigInt(p.initialMarginBps) > 10_000n * 10_000n;
  const token = getAssociatedTokenAddressSync(keys.collateralMint, owner);

  const trigger = (price: bigint): TriggerArgs => (price === 0n ? NO_TRIGGER : { price, size: 0n, fee: triggerFee ?? 0n });
  const build = async (): Promise<TransactionInstruction[]> => {
    if (!pv) return [];
    if (kind === "limit") {
      // Cluster time, as the program judges the expiry.
      const expiry = nowRef.current + BigInt(expiryMinutes.trim()) * 60n;
      return [await client.placeLimitOrder(owner, token, keys, {
        id, side, collateral: deposit!, size: pv.size, limitPrice: limitPrice!, expiry, execFee: triggerFee ?? 0n,
        takeProfit: trigger(tp!), stopLoss: trigger(sl!),
      })];
    }
    const ixs = [await client.openPosition(owner, token, keys, id, side, deposit!, pv.size, limitWithSlippage(side, true, marketEntry, need(slippageBps, "slippage"), null))];
    const [position] = positionPda(keys.market, owner, id);
    const fields = { owner, market: keys.market, vault: vaultPda(position)[0], side: side === "long" ? 0 : 1 };
    if (tp) ixs.push(await client.setTrigger(token, position, fields, "takeProfit", trigger(tp)));
    if (sl) ixs.push(await client.setTrigger(token, position, fields, "stopLoss", trigger(sl)));
    return ixs;
  };

  // Simulate exactly what "Open" sends, again whenever an input or the oracle price changes.
  const inputs = [kind, side, deposit, leverageE4, slippageBps, triggerFee, tp, sl, limitPrice, expiryMinutes, id, price.publishTime, price.price]
    .map(String).join("|");
  // ... and every 5 s, as time alone can change the outcome (a price going stale, an expiry).
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((x) => x + 1), 5_000);
    return () => clearInterval(t);
  }, []);
  const lastInputs = useRef("");
  useEffect(() => {
    let live = true;
    if (lastInputs.current !== inputs) setSimulation(null);
    lastInputs.current = inputs;
    if (!pv) return;
    void (async () => {
      try {
        const tx = new Transaction().add(...(await build()));
        tx.feePayer = owner;
        tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
        const sim = await connection.simulateTransaction(tx);
        if (!live) return;
        setSimulation(sim.value.err
          ? { ok: false, text: describeError({ message: JSON.stringify(sim.value.err), logs: sim.value.logs ?? [] }) }
          : { ok: true, text: `would succeed (${sim.value.unitsConsumed} compute units)` });
      } catch (e) {
        if (live) setSimulation({ ok: false, text: describeError(e) });
      }
    })();
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [inputs, tick]);

  const row = (label: string, testid: string, value: string, raw?: bigint | string) => (
    <><td>{label}</td><td data-testid={testid} data-raw={raw === undefined ? undefined : String(raw)}>{value}</td></>
  );
  return (
    <section data-testid="ticket" style={{ border: "1px solid #ccc", padding: 8, margin: "8px 0" }}>
      <h2 style={{ fontSize: "1.1rem" }}>Open a position</h2>
      <div>
        <button data-testid="kind-market" disabled={kind === "market"} onClick={() => setKind("market")}>Market</button>
        <button data-testid="kind-limit" disabled={kind === "limit"} onClick={() => setKind("limit")}>Limit order</button>{" "}
        <button data-testid="side-long" disabled={side === "long"} onClick={() => setSide("long")}>Long</button>
        <button data-testid="side-short" disabled={side === "short"} onClick={() => setSide("short")}>Short</button>
      </div>
      <div>
        Collateral <input data-testid="collateral" value={collateralText} onChange={(e) => setCollateralText(e.target.value)} size={10} />{" "}
        Leverage <input data-testid="leverage" type="range" min={1} max={maxLeverage} step={0.5}
          value={Math.min(Number(leverageText) || 1, maxLeverage)} onChange={(e) => setLeverageText(e.target.value)} />
        <input data-testid="leverage-value" value={leverageText} onChange={(e) => setLeverageText(e.target.value)} size={5} />x
        {" "}(max {maxLeverage}x){overMax && <b data-testid="leverage-warning" style={{ color: "#c00" }}> above the market's maximum</b>}
      </div>
      <div>
        {kind === "market" ? (
          <>Slippage <input data-testid="slippage" value={slippageText} onChange={(e) => setSlippageText(e.target.value)} size={4} /> %</>
        ) : (
          <>Limit price <input data-testid="limit-price" value={limitText} onChange={(e) => setLimitText(e.target.value)} size={10} />{" "}
            expires in <input data-testid="expiry" value={expiryMinutes} onChange={(e) => setExpiryMinutes(e.target.value)} size={4} /> min</>
        )}{" "}
        Take-profit <input data-testid="take-profit" value={tpText} onChange={(e) => setTpText(e.target.value)} size={8} placeholder="none" />{" "}
        Stop-loss <input data-testid="stop-loss" value={slText} onChange={(e) => setSlText(e.target.value)} size={8} placeholder="none" />{" "}
        keeper fee <input data-testid="keeper-fee" value={feeText} onChange={(e) => setFeeText(e.target.value)} size={5} />
      </div>
      {invalid && <div data-testid="ticket-invalid" style={{ color: "#c00" }}>{invalid}</div>}
      {warnings.map((w) => <div key={w} data-testid="ticket-warning" style={{ color: "#a60" }}>{w}</div>)}
      {pv && (
        <table><tbody>
          <tr><td><b>Liquidation price</b></td><td data-testid="preview-liquidation" data-raw={String(pv.liquidation)}><b>{thresholdText(pv.liquidation)}</b></td>
            {row("Bankruptcy price", "preview-bankruptcy", thresholdText(pv.bankruptcy), String(pv.bankruptcy))}</tr>
          <tr>{row("Size (notional)", "preview-size", tokens(pv.size), pv.size)}{row("Open fee", "preview-fee", tokens(pv.fee), pv.fee)}</tr>
          <tr>{row("Collateral after fee", "preview-collateral", tokens(pv.collateral), pv.collateral)}
            {row("Reserve (max profit)", "preview-reserve", tokens(pv.reserve), pv.reserve)}</tr>
          <tr>{row("From your wallet", "preview-debit", `${tokens(debit)}${fees > 0n ? ` (incl. ${tokens(fees)} keeper fees)` : ""}`, debit)}<td /><td /></tr>
          <tr>{row(kind === "market" ? "Entry price" : "Entry price (at the limit; a fill can be better)", "preview-entry", priceText(pv.entry), pv.entry)}
            <td>Simulation</td><td data-testid="preview-simulation" data-ok={simulation ? String(simulation.ok) : undefined}
              style={{ color: simulation && !simulation.ok ? "#c00" : undefined }}>{simulation ? simulation.text : "simulating ..."}</td></tr>
        </tbody></table>
      )}
      <button data-testid="open" disabled={!pv} onClick={async () => {
        if (await send(kind === "market" ? "open_position" : "place_limit_order", build)) setId(newId());
      }}>{kind === "market" ? `Open ${side} ${leverageText}x` : `Place ${side} limit order`}</button>
    </section>
  );
}
