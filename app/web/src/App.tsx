// The Ringfence trader page: markets, a trade ticket centred on the liquidation price, the
// connected wallet's positions (live), and transaction status with the program's named errors.
import { useCallback, useEffect, useMemo, useState } from "react";
import { AnchorProvider, BN } from "@anchor-lang/core";
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import { PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { RingfenceClient, type MarketKeys } from "../../src/client";
import {
  bankruptcyPrice, liquidationPrice, notionalFee, PRICE_ONE, reserveFor, sizeForLeverage, type Side, type Threshold,
} from "../../src/math";
import { decodePriceUpdate, type PriceUpdate } from "../../src/oracle";
import { describeError } from "./errors";

export interface AppConfig {
  cluster: string;
  rpcUrl: string;
  markets: { name: string; market: string }[];
}

const DECIMALS = 6n;
const UNIT = 10n ** DECIMALS;
/** Exact decimal display of base units. */
export const tokens = (v: bigint): string => {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % UNIT).toString().padStart(Number(DECIMALS), "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${a / UNIT}${frac ? "." + frac : ""}`;
};
export const priceText = (p: bigint): string => {
  const frac = (p % PRICE_ONE).toString().padStart(10, "0").slice(0, 4);
  return `${p / PRICE_ONE}.${frac}`;
};
const thresholdText = (t: Threshold) => (typeof t === "bigint" ? priceText(t) : t);
const parseTokens = (s: string): bigint | null => {
  const m = s.trim().match(/^(\d*)(?:\.(\d{0,6}))?$/);
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) return null;
  return BigInt(m[1] || "0") * UNIT + BigInt((m[2] ?? "").padEnd(6, "0") || "0");
};
const big = (b: BN | number) => BigInt(b.toString());

type Status = { kind: "pending" | "confirmed" | "failed"; what: string; text: string } | null;

export function App({ config }: { config: AppConfig }) {
  const { connection } = useConnection();
  const wallet = useWallet();
  const client = useMemo(() => {
    const ro = { publicKey: PublicKey.default, signTransaction: async <T,>(t: T) => t, signAllTransactions: async <T,>(t: T) => t };
    return new RingfenceClient(new AnchorProvider(connection, ro as never, { commitment: "confirmed" }));
  }, [connection]);
  const [marketKey, setMarketKey] = useState<PublicKey | null>(config.markets[0] ? new PublicKey(config.markets[0].market) : null);
  const [market, setMarket] = useState<Awaited<ReturnType<RingfenceClient["fetchMarket"]>> | null>(null);
  const [price, setPrice] = useState<PriceUpdate | null>(null);
  const [positions, setPositions] = useState<Awaited<ReturnType<RingfenceClient["allPositions"]>>>([]);
  const [status, setStatus] = useState<Status>(null);
  const [now, setNow] = useState(Date.now());

  const keys: MarketKeys | null = useMemo(
    () => (market && marketKey ? { market: marketKey, collateralMint: market.collateralMint, oracle: market.oracle, poolVault: market.poolVault, lpMint: market.lpMint, lpEscrow: market.lpEscrow } : null),
    [market, marketKey],
  );

  // Live: the market and its oracle through account subscriptions; positions on every change.
  const refresh = useCallback(async () => {
    if (!marketKey) return;
    const m = await client.fetchMarket(marketKey);
    setMarket(m);
    const acc = await connection.getAccountInfo(m.oracle);
    if (acc) setPrice(decodePriceUpdate(acc.data));
    if (wallet.publicKey) {
      const mine = (await client.allPositions(marketKey)).filter((p) => p.account.owner.equals(wallet.publicKey!));
      setPositions(mine);
    } else setPositions([]);
  }, [client, connection, marketKey, wallet.publicKey]);
  useEffect(() => {
    void refresh();
    if (!market) return;
    const subs = [
      connection.onAccountChange(market.oracle, (a) => setPrice(decodePriceUpdate(a.data))),
      connection.onProgramAccountChange(client.program.programId, () => void refresh(), { commitment: "confirmed" }),
    ];
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      subs.forEach((s) => void connection.removeAccountChangeListener(s).catch(() => {}));
      clearInterval(tick);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [marketKey, market?.oracle.toBase58(), wallet.publicKey?.toBase58()]);

  const send = async (what: string, ixs: TransactionInstruction[]) => {
    if (!wallet.publicKey || !wallet.signTransaction) return;
    setStatus({ kind: "pending", what, text: "signing and sending ..." });
    try {
      const tx = new Transaction().add(...ixs);
      tx.feePayer = wallet.publicKey;
      tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
      const signed = await wallet.signTransaction(tx);
      const sig = await connection.sendRawTransaction(signed.serialize());
      setStatus({ kind: "pending", what, text: `sent ${sig}` });
      const res = await connection.confirmTransaction(sig, "confirmed");
      if (res.value.err) throw new Error(JSON.stringify(res.value.err));
      setStatus({ kind: "confirmed", what, text: sig });
      await refresh();
    } catch (e) {
      setStatus({ kind: "failed", what, text: describeError(e) });
    }
  };

  return (
    <div style={{ fontFamily: "system-ui, sans-serif", margin: "1rem auto", maxWidth: 1100 }}>
      <header style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <h1 style={{ fontSize: "1.4rem" }}>Ringfence <small style={{ color: "#888" }}>isolated-margin perpetuals · {config.cluster}</small></h1>
        <WalletBar keys={keys} />
      </header>
      {status && (
        <div data-testid="tx-status" data-kind={status.kind} style={{ padding: 8, background: status.kind === "failed" ? "#fdd" : status.kind === "confirmed" ? "#dfd" : "#ffd" }}>
          {status.what}: {status.kind} — <span data-testid="tx-text">{status.text}</span>
        </div>
      )}
      <section>
        <select data-testid="market-select" value={marketKey?.toBase58() ?? ""} onChange={(e) => setMarketKey(new PublicKey(e.target.value))}>
          {config.markets.map((m) => <option key={m.market} value={m.market}>{m.name}</option>)}
        </select>
        {market && <MarketPanel market={market} price={price} now={now} />}
      </section>
      {market && keys && price && wallet.publicKey && (
        <Ticket client={client} market={market} keys={keys} price={price} owner={wallet.publicKey} send={send} connection={connection} />
      )}
      {market && keys && (
        <Positions positions={positions} market={market} keys={keys} price={price} client={client} owner={wallet.publicKey} send={send} />
      )}
    </div>
  );
}

function WalletBar({ keys }: { keys: MarketKeys | null }) {
  const w = useWallet();
  const [funding, setFunding] = useState("");
  if (w.publicKey) {
    return (
      <div>
        <span data-testid="wallet-address">{w.publicKey.toBase58()}</span>{" "}
        {import.meta.env.RINGFENCE_CLUSTER === "localnet" && keys && (
          <button data-testid="faucet" onClick={async () => {
            const { fundFromFaucet } = await import("./testWallet");
            setFunding("funding ...");
            try { setFunding(await fundFromFaucet(w.publicKey!.toBase58(), keys.market.toBase58())); }
            catch (e) { setFunding(String(e)); }
          }}>Get localnet SOL + USDC</button>
        )}{" "}
        <span data-testid="faucet-status">{funding}</span>{" "}
        <button onClick={() => void w.disconnect()}>Disconnect</button>
      </div>
    );
  }
  return (
    <div>
      {w.wallets.length === 0 && <span>No wallet found (install one, or use localnet's test wallet)</span>}
      {w.wallets.map((x) => (
        <button key={x.adapter.name} data-testid={`connect-${x.adapter.name}`} onClick={async () => {
          w.select(x.adapter.name);
          await x.adapter.connect();
        }}>Connect {x.adapter.name}</button>
      ))}
    </div>
  );
}

type MarketAccount = Awaited<ReturnType<RingfenceClient["fetchMarket"]>>;

function MarketPanel({ market: m, price, now }: { market: MarketAccount; price: PriceUpdate | null; now: number }) {
  const free = big(m.freeLiquidity);
  const reserved = big(m.totalReserved);
  const util = free + reserved === 0n ? 0 : Number((reserved * 10_000n) / (free + reserved)) / 100;
  return (
    <table data-testid="market-panel"><tbody>
      <tr><td>Oracle price</td><td data-testid="oracle-price">{price ? priceText(price.price) : "–"}</td>
        <td>age</td><td>{price ? `${Math.max(0, Math.round(now / 1000 - Number(price.publishTime)))} s` : "–"}</td></tr>
      <tr><td>Free liquidity</td><td>{tokens(free)}</td><td>Reserved</td><td>{tokens(reserved)}</td></tr>
      <tr><td>Utilization</td><td>{util.toFixed(2)} %</td><td>Borrow rate</td><td>{(Number(big(m.borrowRate)) * 31_536_000 / 1e10).toFixed(2)} % / year</td></tr>
      <tr><td>Open interest long</td><td>{tokens(big(m.long.openInterest))}</td><td>short</td><td>{tokens(big(m.short.openInterest))}</td></tr>
    </tbody></table>
  );
}

function Ticket({ client, market: m, keys, price, owner, send, connection }: {
  client: RingfenceClient; market: MarketAccount; keys: MarketKeys; price: PriceUpdate; owner: PublicKey;
  send: (what: string, ixs: TransactionInstruction[]) => Promise<void>; connection: ReturnType<typeof useConnection>["connection"];
}) {
  const p = m.params;
  const maxLev = 10_000 / p.initialMarginBps;
  const [side, setSide] = useState<Side>("long");
  const [collateralText, setCollateralText] = useState("100");
  const [leverage, setLeverage] = useState(Math.min(5, maxLev));
  const [simulation, setSimulation] = useState("");
  const deposit = parseTokens(collateralText) ?? 0n;
  const levE4 = BigInt(Math.round(leverage * 10_000));
  const size = sizeForLeverage(deposit, levE4, BigInt(p.openFeeBps), BigInt(p.initialMarginBps));
  const fee = notionalFee(size, BigInt(p.openFeeBps));
  const net = deposit > fee ? deposit - fee : 0n;
  const reserve = reserveFor(side, size, BigInt(p.maxProfitBps));
  const entry = side === "long" ? price.price + price.conf : price.price - price.conf;
  const closeFee = notionalFee(size, BigInt(p.closeFeeBps));
  const liq = size > 0n ? liquidationPrice(side, size, net, reserve, entry, closeFee, BigInt(p.maintenanceMarginBps)) : "never";
  const bankrupt = size > 0n ? bankruptcyPrice(side, size, net, reserve, entry, closeFee) : "never";
  const id = BigInt(Date.now() % 1_000_000_000);
  const token = getAssociatedTokenAddressSync(keys.collateralMint, owner);
  const build = () => client.openPosition(owner, token, keys, id, side, deposit, size);
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const tx = new Transaction().add(await build());
        tx.feePayer = owner;
        tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
        const sim = await connection.simulateTransaction(tx);
        if (live) setSimulation(sim.value.err ? describeError({ message: JSON.stringify(sim.value.err), logs: sim.value.logs ?? [] }) : `would succeed (${sim.value.unitsConsumed} compute units)`);
      } catch (e) { if (live) setSimulation(describeError(e)); }
    })();
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [side, deposit, size, price.publishTime]);
  return (
    <section data-testid="ticket" style={{ border: "1px solid #ccc", padding: 8, margin: "8px 0" }}>
      <h2 style={{ fontSize: "1.1rem" }}>Open a position</h2>
      <button data-testid="side-long" disabled={side === "long"} onClick={() => setSide("long")}>Long</button>
      <button data-testid="side-short" disabled={side === "short"} onClick={() => setSide("short")}>Short</button>{" "}
      Collateral <input data-testid="collateral" value={collateralText} onChange={(e) => setCollateralText(e.target.value)} size={10} />{" "}
      Leverage <input data-testid="leverage" type="range" min={1} max={maxLev} step={0.5} value={leverage} onChange={(e) => setLeverage(Number(e.target.value))} />
      <span data-testid="leverage-value">{leverage}x</span> (max {maxLev}x)
      <table><tbody>
        <tr><td><b>Liquidation price</b></td><td data-testid="preview-liquidation"><b>{thresholdText(liq)}</b></td>
          <td>Bankruptcy price</td><td data-testid="preview-bankruptcy">{thresholdText(bankrupt)}</td></tr>
        <tr><td>Size</td><td data-testid="preview-size">{tokens(size)}</td><td>Open fee</td><td data-testid="preview-fee">{tokens(fee)}</td></tr>
        <tr><td>Collateral after fee</td><td data-testid="preview-collateral">{tokens(net)}</td><td>Reserve (max profit)</td><td data-testid="preview-reserve">{tokens(reserve)}</td></tr>
        <tr><td>Entry price</td><td data-testid="preview-entry">{priceText(entry)}</td><td>Simulation</td><td data-testid="preview-simulation">{simulation}</td></tr>
      </tbody></table>
      <button data-testid="open" onClick={async () => void send("open_position", [await build()])}>Open {side} {leverage}x</button>
    </section>
  );
}

function Positions({ positions, market: m, keys, price, client, owner, send }: {
  positions: Awaited<ReturnType<RingfenceClient["allPositions"]>>; market: MarketAccount; keys: MarketKeys; price: PriceUpdate | null;
  client: RingfenceClient; owner: PublicKey | null; send: (what: string, ixs: TransactionInstruction[]) => Promise<void>;
}) {
  const [amount, setAmount] = useState("10");
  if (!owner) return null;
  const token = getAssociatedTokenAddressSync(keys.collateralMint, owner);
  return (
    <section data-testid="positions">
      <h2 style={{ fontSize: "1.1rem" }}>Your positions</h2>
      {positions.length === 0 && <div data-testid="no-positions">none</div>}
      {positions.map(({ publicKey, account: p }) => {
        const side: Side = p.side === 0 ? "long" : "short";
        const size = big(p.size), coll = big(p.collateral), res = big(p.reserve), entry = big(p.entryPrice);
        const closeFee = notionalFee(size, BigInt(m.params.closeFeeBps));
        const liq = liquidationPrice(side, size, coll, res, entry, closeFee, BigInt(m.params.maintenanceMarginBps));
        const bankrupt = bankruptcyPrice(side, size, coll, res, entry, closeFee);
        const status = p.status === 0 ? "open" : p.status === 1 ? "liquidated" : "closed";
        const mark = price ? (side === "long" ? price.price - price.conf : price.price + price.conf) : entry;
        const pnl = side === "long" ? (size * (mark - entry)) / entry : (size * (entry - mark)) / entry;
        const equity = coll + (pnl < res ? pnl : res) - closeFee;
        const mm = (size * BigInt(m.params.maintenanceMarginBps) + 9_999n) / 10_000n;
        const healthPct = mm === 0n ? 100 : Math.max(0, Math.min(100, Number((equity * 100n) / (mm * 3n))));
        return (
          <div key={publicKey.toBase58()} data-testid="position" data-status={status} data-address={publicKey.toBase58()} style={{ borderTop: "1px solid #ddd", padding: 6 }}>
            <b>{side}</b> {tokens(size)} @ {priceText(entry)} · status <span data-testid="position-status">{status}</span>
            {status === "open" ? (
              <>
                {" "}· PnL {tokens(pnl)} · liquidation <span data-testid="position-liquidation">{thresholdText(liq)}</span> · bankruptcy {thresholdText(bankrupt)}
                <div title="equity vs maintenance" style={{ background: "#eee", width: 200, height: 6 }}><div style={{ background: healthPct > 40 ? "#2b6" : "#d33", width: `${healthPct * 2}px`, height: 6 }} /></div>
                vault <a href={`https://explorer.solana.com/address/${p.vault.toBase58()}?cluster=custom`} data-testid="position-vault">{p.vault.toBase58().slice(0, 8)}…</a>{" "}
                collateral <span data-testid="position-collateral">{tokens(coll)}</span>{" "}
                <input data-testid="margin-amount" value={amount} onChange={(e) => setAmount(e.target.value)} size={6} />
                <button data-testid="add-margin" onClick={async () => void send("add_margin", [await client.addMargin(token, publicKey, p, parseTokens(amount) ?? 0n)])}>Add margin</button>
                <button data-testid="close" onClick={async () => void send("close_position", [await client.closePosition(token, keys, publicKey, p)])}>Close</button>
              </>
            ) : (
              <>
                {" "}· residual <span data-testid="position-residual">{tokens(big(p.residual))}</span>{" "}
                <button data-testid="claim" onClick={async () => void send("claim_residual", [await client.claimResidual(token, publicKey, p)])}>Claim</button>
              </>
            )}
          </div>
        );
      })}
    </section>
  );
}
