// The Ringfence trader page: markets (price, pool, chart), a trade ticket centred on the liquidation
// price, the connected wallet's positions and orders (live), the LP panel, and every transaction's
// status (pending -> confirmed with its signature, or the program's named error in words).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AnchorProvider } from "@anchor-lang/core";
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import { PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { getAssociatedTokenAddressSync, getMint } from "@solana/spl-token";
import { RingfenceClient, type MarketKeys } from "../../src/client";
import { poolValue, type PoolTerms } from "../../src/math";
import { decodePriceUpdate, type PriceUpdate } from "../../src/oracle";
import { readHistory, readSnapshot, type Activity, type MarketAccount, type PricePoint, type Snapshot } from "./data";
import { describeError } from "./errors";
import { big, priceText, setDecimals, tokens } from "./format";
import { LpPanel } from "./LpPanel";
import { explorerUrl, positionView, Positions } from "./Positions";
import { PriceChart, type ChartLine } from "./PriceChart";
import { Ticket } from "./Ticket";

export interface AppConfig {
  cluster: string;
  rpcUrl: string;
  /** Markets to offer by name (localnet); otherwise every market of the program is listed. */
  markets: { name: string; market: string }[];
}

type Status = { kind: "pending" | "confirmed" | "failed"; what: string; text: string; signature?: string } | null;

/** The market's pool terms as `poolValue` takes them. */
const poolTerms = (m: MarketAccount): PoolTerms => ({
  freeLiquidity: big(m.freeLiquidity), borrowIndex: big(m.borrowIndex), borrowRate: big(m.borrowRate),
  lastAccrualTime: big(m.lastAccrualTime), maintenanceMarginBps: BigInt(m.params.maintenanceMarginBps),
  closeFeeBps: BigInt(m.params.closeFeeBps), liquidationFeeBps: BigInt(m.params.liquidationFeeBps),
});

export function App({ config }: { config: AppConfig }) {
  const { connection } = useConnection();
  const wallet = useWallet();
  const client = useMemo(() => {
    // Reads and instruction building only: signing goes through the connected wallet.
    const readOnly = { publicKey: PublicKey.default, signTransaction: async <T,>(t: T) => t, signAllTransactions: async <T,>(t: T) => t };
    return new RingfenceClient(new AnchorProvider(connection, readOnly as never, { commitment: "confirmed" }));
  }, [connection]);
  const [markets, setMarkets] = useState(config.markets);
  const [marketKey, setMarketKey] = useState<PublicKey | null>(config.markets[0] ? new PublicKey(config.markets[0].market) : null);
  const [snap, setSnap] = useState<Snapshot | null>(null);
  const [price, setPrice] = useState<PriceUpdate | null>(null);
  const [points, setPoints] = useState<PricePoint[]>([]);
  const [activity, setActivity] = useState<Activity[]>([]);
  const [status, setStatus] = useState<Status>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [clock, setClock] = useState(Date.now());
  const owner = wallet.publicKey;

  // Other clusters: every market the program has.
  useEffect(() => {
    if (config.markets.length > 0) return;
    void client.program.account.market.all().then((all) => {
      setMarkets(all.map((a) => ({ name: a.publicKey.toBase58().slice(0, 8), market: a.publicKey.toBase58() })));
      if (all[0]) setMarketKey(all[0].publicKey);
    });
  }, [client, config.markets.length]);

  const reading = useRef(false);
  const again = useRef(false);
  const refresh = useCallback(async () => {
    if (!marketKey) return;
    // One read at a time; changes during a read trigger one more.
    if (reading.current) { again.current = true; return; }
    reading.current = true;
    try {
      do {
        again.current = false;
        const s = await readSnapshot(connection, client, marketKey, owner);
        setSnap(s);
        if (s.price) setPrice(s.price);
      } while (again.current);
    } catch (e) {
      setStatus({ kind: "failed", what: "reading the market", text: describeError(e) });
    } finally {
      reading.current = false;
    }
  }, [client, connection, marketKey, owner]);

  const oracle = snap?.market.oracle.toBase58();
  useEffect(() => {
    void refresh();
  }, [refresh]);
  useEffect(() => {
    if (!marketKey || !snap) return;
    void getMint(connection, snap.market.collateralMint).then((mint) => setDecimals(mint.decimals));
    void readHistory(connection, client, marketKey).then((h) => {
      setPoints((p) => [...h.points, ...p]);
      setActivity(h.activity);
    }).catch(() => {});
    // Live: the oracle account, and every account of the program.
    const subs = [
      connection.onAccountChange(snap.market.oracle, (a) => {
        const u = decodePriceUpdate(a.data);
        if (!u) return;
        setPrice(u);
        setPoints((p) => [...p, { time: Number(u.publishTime), price: u.price }]);
      }, { commitment: "confirmed" }),
      connection.onProgramAccountChange(client.program.programId, () => void refresh(), { commitment: "confirmed" }),
      // The wallet's collateral and LP share accounts (the token program's, not ours).
      ...(owner ? [snap.market.collateralMint, snap.market.lpMint].map((mint) =>
        connection.onAccountChange(getAssociatedTokenAddressSync(mint, owner), () => void refresh(), { commitment: "confirmed" })) : []),
    ];
    const tick = setInterval(() => setClock(Date.now()), 1000);
    return () => {
      subs.forEach((s) => void connection.removeAccountChangeListener(s).catch(() => {}));
      clearInterval(tick);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [marketKey?.toBase58(), oracle, owner?.toBase58()]);

  const send = async (what: string, ixs: TransactionInstruction[]): Promise<boolean> => {
    if (!owner || !wallet.signTransaction || ixs.length === 0) return false;
    setStatus({ kind: "pending", what, text: "waiting for the wallet's signature" });
    try {
      const tx = new Transaction().add(...ixs);
      tx.feePayer = owner;
      const latest = await connection.getLatestBlockhash("confirmed");
      tx.recentBlockhash = latest.blockhash;
      const signed = await wallet.signTransaction(tx);
      const signature = await connection.sendRawTransaction(signed.serialize());
      setStatus({ kind: "pending", what, text: "sent, waiting for confirmation", signature });
      const res = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
      if (res.value.err) {
        const t = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
        throw { message: JSON.stringify(res.value.err), logs: t?.meta?.logMessages ?? [] };
      }
      setStatus({ kind: "confirmed", what, text: "confirmed", signature });
      void readHistory(connection, client, marketKey!).then((h) => {
        setActivity(h.activity);
        setPoints((p) => [...p, ...h.points]);
      }).catch(() => {});
      await refresh();
      return true;
    } catch (e) {
      setStatus((s) => ({ kind: "failed", what, text: describeError(e), signature: s?.signature }));
      return false;
    }
  };

  const m = snap?.market ?? null;
  const keys: MarketKeys | null = useMemo(
    () => (m && marketKey ? { market: marketKey, collateralMint: m.collateralMint, oracle: m.oracle, poolVault: m.poolVault, lpMint: m.lpMint, lpEscrow: m.lpEscrow } : null),
    [m, marketKey],
  );
  const now = BigInt(Math.floor(clock / 1000)) > (snap?.now ?? 0n) ? BigInt(Math.floor(clock / 1000)) : snap?.now ?? 0n;
  const value = m && price && snap ? poolValue(poolTerms(m), snap.open.map(({ account: p }) => ({
    side: p.side === 0 ? "long" as const : "short" as const, size: big(p.size), collateral: big(p.collateral), reserve: big(p.reserve),
    entry: big(p.entryPrice), borrowIndex: big(p.borrowIndex),
  })), price.price, now) : null;
  const chosen = snap?.mine.find((r) => r.publicKey.toBase58() === selected && r.account.status === 0) ?? snap?.mine.find((r) => r.account.status === 0);
  const lines: ChartLine[] = [];
  if (m && price && chosen) {
    const v = positionView(m, chosen, price, now);
    lines.push({ title: "entry", price: v.entry, color: "#555" });
    if (typeof v.liquidation === "bigint") lines.push({ title: "liquidation", price: v.liquidation, color: "#e90" });
    if (typeof v.bankruptcy === "bigint") lines.push({ title: "bankruptcy", price: v.bankruptcy, color: "#d33" });
  }
  const link = (sig: string) => `https://explorer.solana.com/tx/${sig}${explorerUrl(PublicKey.default, config.cluster, config.rpcUrl).split(PublicKey.default.toBase58())[1]}`;

  return (
    <div style={{ fontFamily: "system-ui, sans-serif", margin: "1rem auto", maxWidth: 1100 }}>
      <header style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <h1 style={{ fontSize: "1.4rem" }}>Ringfence <small style={{ color: "#888" }}>isolated-margin perpetuals · {config.cluster}</small></h1>
        <WalletBar keys={keys} tokenBalance={snap?.tokenBalance ?? null} />
      </header>
      {status && (
        <div data-testid="tx-status" data-kind={status.kind} style={{ padding: 8, background: status.kind === "failed" ? "#fdd" : status.kind === "confirmed" ? "#dfd" : "#ffd" }}>
          {status.what}: {status.kind} — <span data-testid="tx-text">{status.text}</span>
          {status.signature && <> · <a data-testid="tx-signature" href={link(status.signature)} target="_blank" rel="noreferrer">{status.signature}</a></>}
        </div>
      )}
      <section>
        <select data-testid="market-select" value={marketKey?.toBase58() ?? ""} onChange={(e) => { setSnap(null); setPoints([]); setMarketKey(new PublicKey(e.target.value)); }}>
          {markets.map((x) => <option key={x.market} value={x.market}>{x.name}</option>)}
        </select>
        {m && <MarketPanel market={m} price={price} clock={clock} value={value} />}
        <PriceChart points={points} lines={lines} />
      </section>
      {m && keys && price && owner && <Ticket client={client} market={m} keys={keys} price={price} owner={owner} send={send} connection={connection} />}
      {m && keys && owner && snap && (
        <Positions rows={snap.mine} orders={snap.orders} market={m} keys={keys} price={price} now={now} client={client} owner={owner} send={send}
          selected={selected} select={setSelected} cluster={config.cluster} rpcUrl={config.rpcUrl} />
      )}
      {m && keys && (
        <LpPanel market={m} keys={keys} value={value} lpRequest={snap?.lpRequest ?? null} lpBalance={snap?.lpBalance ?? null} client={client} owner={owner} send={send} />
      )}
      <section data-testid="activity">
        <h2 style={{ fontSize: "1.1rem" }}>Market activity (the program's events)</h2>
        {activity.slice(0, 15).map((a) => (
          <div key={`${a.signature}-${a.name}`} style={{ fontSize: "0.85rem" }}>
            {new Date(a.time * 1000).toLocaleTimeString()} <b>{a.name}</b> {a.text}
          </div>
        ))}
      </section>
    </div>
  );
}

function WalletBar({ keys, tokenBalance }: { keys: MarketKeys | null; tokenBalance: bigint | null }) {
  const w = useWallet();
  const [funding, setFunding] = useState("");
  if (w.publicKey) {
    return (
      <div>
        <span data-testid="wallet-address">{w.publicKey.toBase58()}</span>{" "}
        <span data-testid="wallet-balance">{tokenBalance === null ? "no collateral account" : `${tokens(tokenBalance)} collateral`}</span>{" "}
        {import.meta.env.RINGFENCE_CLUSTER === "localnet" && keys && (
          <button data-testid="faucet" onClick={async () => {
            const { fundFromFaucet } = await import("./testWallet");
            setFunding("funding ...");
            try { setFunding((await fundFromFaucet(w.publicKey!.toBase58(), keys.market.toBase58())).includes("funded") ? "funded" : "faucet failed"); }
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

function MarketPanel({ market: m, price, clock, value }: { market: MarketAccount; price: PriceUpdate | null; clock: number; value: bigint | null }) {
  const free = big(m.freeLiquidity);
  const reserved = big(m.totalReserved);
  const util = free + reserved === 0n ? 0 : Number((reserved * 10_000n) / (free + reserved)) / 100;
  const age = price ? Math.max(0, Math.round(clock / 1000 - Number(price.publishTime))) : null;
  return (
    <table data-testid="market-panel"><tbody>
      <tr><td>Oracle price</td><td data-testid="oracle-price">{price ? `${priceText(price.price)} ± ${priceText(price.conf)}` : "–"}</td>
        <td>age</td><td data-testid="oracle-age" style={{ color: age !== null && age > m.params.maxPriceAgeTradeSecs ? "#c00" : undefined }}>
          {age === null ? "–" : `${age} s${age > m.params.maxPriceAgeTradeSecs ? " (stale for trading)" : ""}`}</td></tr>
      <tr><td>Pool value</td><td data-testid="pool-value">{value === null ? "–" : tokens(value)}</td>
        <td>Free liquidity</td><td>{tokens(free)} (reserved {tokens(reserved)})</td></tr>
      <tr><td>Utilization</td><td>{util.toFixed(2)} %</td><td>Borrow rate</td><td>{(Number(big(m.borrowRate)) * 31_536_000 / 1e10).toFixed(2)} % / year</td></tr>
      <tr><td>Open interest long</td><td>{tokens(big(m.long.openInterest))}</td><td>short</td><td>{tokens(big(m.short.openInterest))}</td></tr>
    </tbody></table>
  );
}
