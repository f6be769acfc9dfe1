// The Ringfence trader page: markets (price, pool, chart), a trade ticket centred on the liquidation
// price, the connected wallet's positions and orders (live), the LP panel, and every transaction's
// status (pending -> confirmed with its signature, or the program's named error in words).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AnchorProvider } from "@anchor-lang/core";
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
import { PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { getAssociatedTokenAddressSync, getMint } from "@solana/spl-token";
import { RingfenceClient, valuedPosition, type MarketKeys } from "../../src/client";
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
  /** Markets to offer by name (localnet, or RINGFENCE_MARKETS); otherwise every market of the program, marked unlisted. */
  markets: { name: string; market: string; unlisted?: boolean }[];
}

/** The same account, or both none. */
const sameKey = (a: PublicKey | null, b: PublicKey | null) => (a && b ? a.equals(b) : a === b);

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
  /** The market whose mint's decimals `format.ts` holds. */
  const [decimalsOf, setDecimalsOf] = useState<string | null>(null);
  const [points, setPoints] = useState<PricePoint[]>([]);
  const [activity, setActivity] = useState<Activity[]>([]);
  const [status, setStatus] = useState<Status>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [clock, setClock] = useState(Date.now());
  const owner = wallet.publicKey;
  // What the page shows now: reads started for another market or wallet are dropped.
  const current = useRef({ market: marketKey, owner });
  current.current = { market: marketKey, owner };
  const isCurrent = (market: PublicKey, who: PublicKey | null) => sameKey(current.current.market, market) && sameKey(current.current.owner, who);
  /** A price replaces the shown one only when it is newer (a read can return after an update). */
  const takePrice = (u: PriceUpdate | null) => {
    if (u) setPrice((p) => (!p || u.publishTime >= p.publishTime ? u : p));
  };

  // Other clusters: the markets the build lists (RINGFENCE_MARKETS), else every market of the
  // program, marked unlisted (anyone can create a market: check its feed, mint and admin).
  useEffect(() => {
    if (config.markets.length > 0) return;
    void client.program.account.market.all().then((all) => {
      setMarkets(all.map((a) => ({ name: `unlisted ${a.publicKey.toBase58().slice(0, 8)}`, market: a.publicKey.toBase58(), unlisted: true })));
      if (all[0]) setMarketKey(all[0].publicKey);
    });
  }, [client, config.markets.length]);

  // One read at a time; changes during a read trigger one more. Callers (a confirmed transaction)
  // wait until the page has read past their change.
  const running = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  const refresh = useCallback((): Promise<void> => {
    if (running.current) { again.current = true; return running.current; }
    const loop = (async () => {
      try {
        do {
          again.current = false;
          const { market, owner: who } = current.current;
          if (!market) break;
          try {
            const s = await readSnapshot(connection, client, market, who);
            if (!isCurrent(market, who)) { again.current = true; continue; }
            setSnap(s);
            takePrice(s.price);
            setReadError(null);
          } catch (e) {
            // A failed read of what is no longer shown is nobody's business; one of what is
            // shown is said, and retried shortly (subscriptions also trigger reads).
            if (!isCurrent(market, who)) { again.current = true; continue; }
            setReadError(describeError(e));
            if (!again.current) setTimeout(() => void refresh(), 2_000);
          }
        } while (again.current);
      } finally {
        running.current = null;
      }
    })();
    running.current = loop;
    return loop;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, connection]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Account changes come in bursts (a transaction touches several): one read after them. */
  const soon = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void refresh(), 200);
  }, [refresh]);

  /** Price points, one per (second, price), at most the last 2,000. */
  const addPoints = (more: PricePoint[]) =>
    setPoints((p) => {
      const seen = new Set(p.map((x) => `${x.time}:${x.price}`));
      return [...p, ...more.filter((x) => !seen.has(`${x.time}:${x.price}`))].slice(-2_000);
    });
  /** The market's event history, if it is still the one shown when it arrives. */
  const loadHistory = (market: PublicKey, who: PublicKey | null) =>
    void readHistory(connection, client, market).then((h) => {
      if (!isCurrent(market, who)) return;
      addPoints(h.points);
      setActivity(h.activity);
    }).catch(() => {});

  const oracle = snap && sameKey(snap.marketKey, marketKey) ? snap.market.oracle.toBase58() : undefined;
  useEffect(() => {
    void refresh();
  }, [refresh, marketKey, owner]);
  useEffect(() => {
    if (!marketKey || !snap || !oracle) return;
    const market = marketKey.toBase58();
    // The mint's decimals first (amounts are shown and typed with them), then the history.
    let live = true;
    const loadMint = () => void getMint(connection, snap.market.collateralMint).then((mint) => {
      if (!live || !isCurrent(marketKey, owner)) return;
      setDecimals(mint.decimals);
      setDecimalsOf(market);
      loadHistory(marketKey, owner);
    }).catch((e) => {
      if (!live) return;
      setReadError(`the collateral mint: ${describeError(e)}`);
      setTimeout(loadMint, 2_000);
    });
    loadMint();
    // Live: the oracle, this market's accounts of the program (positions, orders, LP requests:
    // the market at offset 8) and the market itself, and the wallet's token accounts.
    const subs = [
      connection.onAccountChange(snap.market.oracle, (a) => {
        const u = decodePriceUpdate(a.data);
        if (!u || !isCurrent(marketKey, owner)) return;
        takePrice(u);
        addPoints([{ time: Number(u.publishTime), price: u.price }]);
      }, { commitment: "confirmed" }),
      connection.onProgramAccountChange(client.program.programId, soon, { commitment: "confirmed", filters: [{ memcmp: { offset: 8, bytes: market } }] }),
      connection.onAccountChange(marketKey, soon, { commitment: "confirmed" }),
      ...(owner ? [snap.market.collateralMint, snap.market.lpMint].map((mint) =>
        connection.onAccountChange(getAssociatedTokenAddressSync(mint, owner), soon, { commitment: "confirmed" })) : []),
    ];
    const tick = setInterval(() => setClock(Date.now()), 1000);
    return () => {
      live = false;
      subs.forEach((s) => void connection.removeAccountChangeListener(s).catch(() => {}));
      clearInterval(tick);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [marketKey?.toBase58(), oracle, owner?.toBase58()]);

  /** Builds (errors shown too), signs with the wallet, sends, and follows the transaction; only
   * the newest send writes the status. */
  const sends = useRef(0);
  const send = async (what: string, build: () => Promise<TransactionInstruction[]>): Promise<boolean> => {
    if (!owner || !wallet.signTransaction || !marketKey) return false;
    const id = ++sends.current;
    const show = (st: NonNullable<Status>) => { if (id === sends.current) setStatus(st); };
    const at = { market: marketKey, who: owner };
    let signature: string | undefined;
    show({ kind: "pending", what, text: "waiting for the wallet's signature" });
    try {
      const ixs = await build();
      if (ixs.length === 0) throw new Error("nothing to send");
      const tx = new Transaction().add(...ixs);
      tx.feePayer = owner;
      const latest = await connection.getLatestBlockhash("confirmed");
      tx.recentBlockhash = latest.blockhash;
      const signed = await wallet.signTransaction(tx);
      signature = await connection.sendRawTransaction(signed.serialize());
      show({ kind: "pending", what, text: "sent, waiting for confirmation", signature });
      const res = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
      if (res.value.err) {
        const t = await connection.getTransaction(signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
        throw { message: JSON.stringify(res.value.err), logs: t?.meta?.logMessages ?? [] };
      }
      // Confirmed once the page has read past it (the list and balances show its effect).
      loadHistory(at.market, at.who);
      await refresh();
      show({ kind: "confirmed", what, text: "confirmed", signature });
      return true;
    } catch (e) {
      show({ kind: "failed", what, text: describeError(e), signature });
      return false;
    }
  };

  const shown = snap && sameKey(snap.marketKey, marketKey) && sameKey(snap.owner, owner) ? snap : null;
  const m = shown?.market ?? null;
  const keys: MarketKeys | null = useMemo(
    () => (m && marketKey ? { market: marketKey, collateralMint: m.collateralMint, oracle: m.oracle, poolVault: m.poolVault, lpMint: m.lpMint, lpEscrow: m.lpEscrow } : null),
    [m, marketKey],
  );
  const ready = !!shown && decimalsOf === shown.marketKey.toBase58();
  // The cluster's time now: the Clock sysvar at the last read plus the time since (not the host's clock).
  const now = shown ? shown.now + BigInt(Math.max(0, Math.floor((clock - shown.fetchedAt) / 1000))) : BigInt(Math.floor(clock / 1000));
  const value = m && price && shown ? poolValue(poolTerms(m), shown.open.map(({ account }) => valuedPosition(account)), price.price, now) : null;
  const chosen = shown?.mine.find((r) => r.publicKey.toBase58() === selected && r.account.status === 0) ?? shown?.mine.find((r) => r.account.status === 0);
  const lines: ChartLine[] = [];
  if (m && price && chosen) {
    const v = positionView(m, chosen, price, now);
    lines.push({ title: "entry", price: v.entry, color: "#555" });
    if (typeof v.liquidation === "bigint") lines.push({ title: "liquidation", price: v.liquidation, color: "#e90" });
    if (typeof v.bankruptcy === "bigint") lines.push({ title: "bankruptcy", price: v.bankruptcy, color: "#d33" });
  }
  const txUrl = (sig: string) => explorerUrl("tx", sig, config.cluster, config.rpcUrl);
  const listing = markets.find((x) => x.market === marketKey?.toBase58());
  const mk = marketKey?.toBase58() ?? "";

  return (
    <div style={{ fontFamily: "system-ui, sans-serif", margin: "1rem auto", maxWidth: 1100 }}>
      <header style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <h1 style={{ fontSize: "1.4rem" }}>Ringfence <small style={{ color: "#888" }}>isolated-margin perpetuals · {config.cluster}</small></h1>
        <WalletBar keys={keys} tokenBalance={ready ? shown!.tokenBalance : null} />
      </header>
      {status && (
        <div data-testid="tx-status" data-kind={status.kind} style={{ padding: 8, background: status.kind === "failed" ? "#fdd" : status.kind === "confirmed" ? "#dfd" : "#ffd" }}>
          {status.what}: {status.kind} — <span data-testid="tx-text">{status.text}</span>
          {status.signature && <> · <Link testid="tx-signature" url={txUrl(status.signature)} text={status.signature} /></>}
        </div>
      )}
      <section>
      {readError && <div data-testid="read-error" style={{ padding: 4, color: "#a00" }}>reading the chain: {readError}</div>}
        <select data-testid="market-select" value={mk} onChange={(e) => {
          setSnap(null); setPrice(null); setPoints([]); setActivity([]); setSelected(null); setMarketKey(new PublicKey(e.target.value));
        }}>
          {markets.map((x) => <option key={x.market} value={x.market}>{x.name}</option>)}
        </select>
        {ready && m && <MarketPanel market={m} price={price} now={now} value={value} unlisted={!!listing?.unlisted} />}
        <PriceChart points={points} lines={lines} />
      </section>
      {ready && m && keys && price && owner && <Ticket key={`ticket-${mk}`} client={client} market={m} keys={keys} price={price} owner={owner} send={send} connection={connection} now={now} />}
      {ready && m && keys && owner && shown && (
        <Positions key={`positions-${mk}`} rows={shown.mine} orders={shown.orders} market={m} keys={keys} price={price} now={now} client={client} owner={owner} send={send}
          selected={selected} select={setSelected} cluster={config.cluster} rpcUrl={config.rpcUrl} />
      )}
      {ready && m && keys && shown && (
        <LpPanel key={`lp-${mk}`} market={m} keys={keys} value={value} lpRequest={shown.lpRequest} lpBalance={shown.lpBalance} client={client} owner={owner} send={send} now={now} />
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

/** A link to an explorer when there is one for this cluster, else the text alone. */
function Link({ testid, url, text }: { testid: string; url: string | null; text: string }) {
  return url ? <a data-testid={testid} href={url} target="_blank" rel="noreferrer">{text}</a> : <span data-testid={testid}>{text}</span>;
}

const hex = (b: number[] | Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function MarketPanel({ market: m, price, now, value, unlisted }: { market: MarketAccount; price: PriceUpdate | null; now: bigint; value: bigint | null; unlisted: boolean }) {
  const free = big(m.freeLiquidity);
  const reserved = big(m.totalReserved);
  const util = free + reserved === 0n ? 0 : Number((reserved * 10_000n) / (free + reserved)) / 100;
  const age = price ? Number(now - price.publishTime) : null;
  const stale = age !== null && age > m.params.maxPriceAgeTradeSecs;
  const pendingAt = Number(big(m.pending.effectiveAt));
  return (
    <table data-testid="market-panel"><tbody>
      {unlisted && <tr><td colSpan={4} data-testid="market-unlisted" style={{ color: "#a60" }}>
        This market is not in this page's list (anyone can create one): check its feed, collateral mint and admin below.</td></tr>}
      <tr><td>Oracle price</td><td data-testid="oracle-price">{price ? `${priceText(price.price)} ± ${priceText(price.conf)}` : "–"}</td>
        <td>age (cluster clock)</td><td data-testid="oracle-age" style={{ color: stale ? "#c00" : undefined }}>
          {age === null ? "–" : `${Math.max(0, age)} s${stale ? " (stale for trading)" : ""}`}</td></tr>
      <tr><td>Pool value</td><td data-testid="pool-value">{value === null ? "–" : tokens(value)}</td>
        <td>Free liquidity</td><td>{tokens(free)} (reserved {tokens(reserved)})</td></tr>
      <tr><td>Utilization</td><td>{util.toFixed(2)} %</td><td>Borrow rate</td><td>{(Number(big(m.borrowRate)) * 31_536_000 / 1e10).toFixed(2)} % / year</td></tr>
      <tr><td>Open interest long</td><td>{tokens(big(m.long.openInterest))}</td><td>short</td><td>{tokens(big(m.short.openInterest))}</td></tr>
      <tr><td>Feed</td><td data-testid="market-feed" title={hex(m.feedId)}>{hex(m.feedId).slice(0, 16)}…</td>
        <td>Collateral mint</td><td data-testid="market-mint">{m.collateralMint.toBase58()}</td></tr>
      <tr><td>Admin</td><td>{m.admin.toBase58()}</td>
        <td>Fees (open / close / liquidation / LP)</td><td>{m.params.openFeeBps / 100} / {m.params.closeFeeBps / 100} / {m.params.liquidationFeeBps / 100} / {m.params.lpFeeBps / 100} %</td></tr>
      {(m.pending.fields !== 0 || m.paused !== 0) && (
        <tr><td colSpan={4} data-testid="market-notice" style={{ color: "#a60" }}>
          {m.pending.fields !== 0 && `A timelocked ${m.pending.fields & (1 << 16) ? "oracle " : ""}change is scheduled to apply from ${new Date(pendingAt * 1000).toLocaleString()}. `}
          {m.paused & 1 ? "Opening is paused. " : ""}{m.paused & 4 ? "LP deposits are paused." : ""}
        </td></tr>
      )}
    </tbody></table>
  );
}
