// What the page reads from the chain: a market, its oracle, its positions and orders, the connected
// wallet's balances and LP request, and the market's event history (for the chart and the activity
// list). Reads only; every transaction goes through `send` in App.tsx.
import { Connection, PublicKey, SYSVAR_CLOCK_PUBKEY } from "@solana/web3.js";
import { getAssociatedTokenAddressSync, unpackAccount } from "@solana/spl-token";
import type { RingfenceClient } from "../../src/client";
import { lpRequestPda } from "../../src/pda";
import { decodePriceUpdate, type PriceUpdate } from "../../src/oracle";
import { BN } from "@anchor-lang/core";
import { big, tokens } from "./format";

export type MarketAccount = Awaited<ReturnType<RingfenceClient["fetchMarket"]>>;
export type PositionAccount = NonNullable<Awaited<ReturnType<RingfenceClient["fetchPosition"]>>>;
export type OrderAccount = NonNullable<Awaited<ReturnType<RingfenceClient["fetchOrder"]>>>;
export type LpRequestAccount = NonNullable<Awaited<ReturnType<RingfenceClient["fetchLpRequest"]>>>;

export interface PositionRow { publicKey: PublicKey; account: PositionAccount; vaultBalance: bigint }
export interface OrderRow { publicKey: PublicKey; account: OrderAccount }

export interface Snapshot {
  /** The market and the wallet read, and when (host milliseconds; `now` is the cluster's time then). */
  marketKey: PublicKey;
  owner: PublicKey | null;
  fetchedAt: number;
  market: MarketAccount;
  price: PriceUpdate | null;
  /** Every open position of the market (the pool's value is computed from all of them). */
  open: { publicKey: PublicKey; account: PositionAccount }[];
  /** The connected wallet's positions, open or waiting for a claim, with their vault balances. */
  mine: PositionRow[];
  orders: OrderRow[];
  lpRequest: LpRequestAccount | null;
  tokenBalance: bigint | null;
  lpBalance: bigint | null;
  /** Cluster time of the read (the slot's block time), for accrual. */
  now: bigint;
}

async function tokenBalances(connection: Connection, accounts: PublicKey[]): Promise<(bigint | null)[]> {
  const infos = await connection.getMultipleAccountsInfo(accounts);
  return infos.map((info, i) => {
    if (!info) return null;
    try {
      return unpackAccount(accounts[i], info).amount;
    } catch {
      return null;
    }
  });
}

export async function readSnapshot(connection: Connection, client: RingfenceClient, marketKey: PublicKey, owner: PublicKey | null): Promise<Snapshot> {
  // Everything that depends only on the market's and the wallet's addresses, at once.
  const [market, all, clock, orders, lpRequest] = await Promise.all([
    client.fetchMarket(marketKey),
    client.allPositions(marketKey),
    // The cluster's time as the program sees it (`Clock::get`): the Clock sysvar's unix_timestamp.
    connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY, "confirmed"),
    owner ? client.orders(marketKey).then((all) => all.filter((o) => o.account.owner.equals(owner))) : Promise.resolve([]),
    owner ? client.fetchLpRequest(lpRequestPda(marketKey, owner)) : Promise.resolve(null),
  ]);
  if (!clock || clock.data.length < 40) throw new Error("the cluster's clock cannot be read");
  const now = new DataView(clock.data.buffer, clock.data.byteOffset, clock.data.byteLength).getBigInt64(32, true);
  const mineRaw = owner ? all.filter((p) => p.account.owner.equals(owner)) : [];
  // Then what the market and the positions name: the oracle, the vaults and the wallet's accounts.
  const wallet = owner ? [getAssociatedTokenAddressSync(market.collateralMint, owner), getAssociatedTokenAddressSync(market.lpMint, owner)] : [];
  const [oracle, balances] = await Promise.all([
    connection.getAccountInfo(market.oracle),
    tokenBalances(connection, [...mineRaw.map((p) => p.account.vault), ...wallet]),
  ]);
  const mine = mineRaw.map((p, i) => ({ ...p, vaultBalance: balances[i] ?? 0n }));
  const [tokenBalance, lpBalance] = owner ? balances.slice(mineRaw.length) : [null, null];
  return {
    marketKey, owner, fetchedAt: Date.now(), market, price: oracle ? decodePriceUpdate(oracle.data) : null,
    open: all.filter((p) => p.account.status === 0), mine, orders, lpRequest, tokenBalance, lpBalance, now,
  };
}

/** A point of the price chart: oracle mid at a publish time (unix seconds). */
export interface PricePoint { time: number; price: bigint }
/** One of the market's events, as the activity list shows it. */
export interface Activity { name: string; time: number; signature: string; text: string }

/**
 * The market's event history from its transactions' logs (the program's events; no external
 * API): price points from every event that carries the oracle price it used, and the activity.
 */
export async function readHistory(connection: Connection, client: RingfenceClient, marketKey: PublicKey, limit = 200) {
  const sigs = await connection.getSignaturesForAddress(marketKey, { limit }, "confirmed");
  const txs = await connection.getTransactions(sigs.map((s) => s.signature), { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
  const points: PricePoint[] = [];
  const activity: Activity[] = [];
  txs.forEach((tx, i) => {
    if (!tx?.meta?.logMessages || tx.meta.err) return;
    for (const ev of client.events(tx.meta.logMessages)) {
      const d = ev.data as Record<string, unknown>;
      const time = Number(big((d.timestamp as { toString(): string }) ?? 0));
      const oraclePrice = (d.oraclePrice ?? d.price) as { toString(): string } | undefined;
      const at = d.pricePublishTime as { toString(): string } | undefined;
      if (oraclePrice !== undefined && at !== undefined) points.push({ time: Number(big(at)), price: big(oraclePrice) });
      activity.push({ name: ev.name, time, signature: sigs[i].signature, text: summary(ev.name, d) });
    }
  });
  activity.sort((a, b) => b.time - a.time);
  return { points, activity };
}

/** A one-line description of an event: its side and amounts (whole tokens). */
function summary(name: string, d: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k of ["side", "size", "collateral", "amount", "shares", "residual", "keeperReward"]) {
    const v = d[k];
    if (v === undefined || v === null) continue;
    parts.push(v instanceof BN ? `${k} ${tokens(big(v))}` : typeof v === "object" ? String(Object.keys(v)[0]) : `${k} ${String(v)}`);
  }
  return parts.join(" · ") || name;
}
