// Ringfence TypeScript client: instruction builders over the IDL (via @anchor-lang/core), account
// decoders, position discovery and event parsing. PDAs in ./pda, math in ./math.
import { AnchorProvider, BN, BorshCoder, EventParser, Program } from "@anchor-lang/core";
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import idl from "../../target/idl/ringfence.json";
import type { Ringfence } from "../../target/types/ringfence";
import { lpEscrowPda, lpMintPda, lpRequestPda, marketPda, orderEscrowPda, orderPda, poolVaultPda, positionPda, vaultPda } from "./pda";
import { buys, Side, type ValuedPosition } from "./math";

export interface MarketKeys {
  market: PublicKey;
  collateralMint: PublicKey;
  oracle: PublicKey;
  poolVault: PublicKey;
  lpMint: PublicKey;
  lpEscrow: PublicKey;
}



/** RiskParams as the program takes them (bps as numbers, amounts and rates as BN). */
export type RiskParams = Parameters<Program<Ringfence>["methods"]["setParams"]>[0];

/** The fields of a position account a transfer commits to (from `fetchPosition`). */
export interface TransferFields {
  size: BN; entryPrice: BN; collateral: BN; reserve: BN; borrowIndex: BN; residual: BN; standby: BN;
  topupRatioBps: number; topupStep: BN; topupFee: BN;
  takeProfit: { price: BN; size: BN; fee: BN; setAt: BN };
  stopLoss: { price: BN; size: BN; fee: BN; setAt: BN };
}

/** The fields of a position account that instructions on it read (from `fetchPosition`). */
export interface PositionFields {
  owner: PublicKey;
  market: PublicKey;
  vault: PublicKey;
  /** 0 long, 1 short. */
  side: number;
}

/**
 * The trader's bound on a trade at the oracle price (`TradeLimit`): the worst acceptable execution
 * price (`PRICE_DECIMALS`) and an optional deadline (unix seconds, cluster clock).
 */
export interface TradeLimit {
  acceptablePrice: bigint;
  deadline: bigint | null;
}

const U64_MAX = (1n << 64n) - 1n;
const sideOf = (p: PositionFields): Side => (p.side === 0 ? "long" : "short");

/** No bound (any price, no deadline). */
export const anyLimit = (side: Side, opening: boolean): TradeLimit => ({ acceptablePrice: buys(side, opening) ? U64_MAX : 0n, deadline: null });

/** As the SDK's `limit_with_slippage`: a buyer accepts up to preview * (1 + s), a seller down to preview * (1 - s), never looser. */
export function limitWithSlippage(side: Side, opening: boolean, preview: bigint, slippageBps: bigint, deadline: bigint | null): TradeLimit {
  const bps = 10_000n;
  if (buys(side, opening)) {
    const p = (preview * (bps + slippageBps)) / bps;
    return { acceptablePrice: p > U64_MAX ? U64_MAX : p, deadline };
  }
  const s = slippageBps > bps ? bps : slippageBps;
  const n = preview * (bps - s);
  return { acceptablePrice: (n + bps - 1n) / bps, deadline };
}

const limitArg = (l: TradeLimit) => ({
  acceptablePrice: new BN(l.acceptablePrice.toString()),
  deadline: l.deadline === null ? null : new BN(l.deadline.toString()),
});

/** The fields of a decoded position account its value to the pool depends on (`poolValue`). */
export const valuedPosition = (p: { side: number; size: BN; collateral: BN; reserve: BN; entryPrice: BN; borrowIndex: BN }): ValuedPosition => ({
  side: p.side === 0 ? "long" : "short",
  size: BigInt(p.size.toString()), collateral: BigInt(p.collateral.toString()), reserve: BigInt(p.reserve.toString()),
  entry: BigInt(p.entryPrice.toString()), borrowIndex: BigInt(p.borrowIndex.toString()),
});

/** `Position.status` values. */
export const POSITION_OPEN = 0;
export const POSITION_LIQUIDATED = 1;
/** Closed in full by a keeper's take-profit or stop-loss; the residual waits for `claimResidual`. */
export const POSITION_CLOSED = 2;

/** Take-profit or stop-loss. */
export type TriggerKind = "takeProfit" | "stopLoss";
const kindArg = (k: TriggerKind) => (k === "takeProfit" ? { takeProfit: {} } : { stopLoss: {} });

/** A trigger as set on a position or carried by an order: price (`PRICE_DECIMALS`, 0: none), notional to close (0: all), keeper fee. */
export interface TriggerArgs {
  price: bigint;
  size: bigint;
  fee: bigint;
}
export const NO_TRIGGER: TriggerArgs = { price: 0n, size: 0n, fee: 0n };
const triggerArg = (t: TriggerArgs) => ({ price: new BN(t.price.toString()), size: new BN(t.size.toString()), fee: new BN(t.fee.toString()) });

/** A limit order (`place_limit_order`): its id is also the id of the position it opens. */
export interface OrderSpec {
  id: bigint;
  side: Side;
  collateral: bigint;
  size: bigint;
  limitPrice: bigint;
  /** Unix seconds (cluster clock). */
  expiry: bigint;
  execFee: bigint;
  takeProfit: TriggerArgs;
  stopLoss: TriggerArgs;
}

/** The fields of an order account that instructions on it read (from `fetchOrder`). */
export interface OrderFields {
  market: PublicKey;
  owner: PublicKey;
  escrow: PublicKey;
  refundTo: PublicKey;
  position: PublicKey;
  vault: PublicKey;
}

export class RingfenceClient {
  readonly program: Program<Ringfence>;

  constructor(provider: AnchorProvider) {
    this.program = new Program(idl as Ringfence, provider);
  }

  static marketKeys(creator: PublicKey, collateralMint: PublicKey, feedId: Uint8Array, oracle: PublicKey): MarketKeys {
    const market = marketPda(creator, collateralMint, feedId);
    return { market, collateralMint, oracle, poolVault: poolVaultPda(market), lpMint: lpMintPda(market), lpEscrow: lpEscrowPda(market) };
  }

  initializeMarket(admin: PublicKey, k: MarketKeys, feedId: Uint8Array, params: RiskParams): Promise<TransactionInstruction> {
    return this.program.methods
      .initializeMarket({ feedId: Array.from(feedId), params })
      .accountsStrict({
        admin, market: k.market, collateralMint: k.collateralMint, oracle: k.oracle, poolVault: k.poolVault,
        lpMint: k.lpMint, lpEscrow: k.lpEscrow, tokenProgram: TOKEN_PROGRAM_ID, systemProgram: SystemProgram.programId,
      })
      .instruction();
  }

  /** Requests an LP deposit; it is executed at a pool sweep started after it (`executeLpRequest`). */
  requestDeposit(provider: PublicKey, providerToken: PublicKey, providerLp: PublicKey, k: MarketKeys, amount: bigint) {
    return this.program.methods
      .requestDeposit(new BN(amount.toString()))
      .accountsStrict({ provider, market: k.market, oracle: k.oracle, poolVault: k.poolVault, providerToken, providerLp,
        request: lpRequestPda(k.market, provider), tokenProgram: TOKEN_PROGRAM_ID, systemProgram: SystemProgram.programId })
      .instruction();
  }

  /** Requests an LP withdrawal of `shares`; executed like a deposit request. */
  requestWithdrawal(provider: PublicKey, providerToken: PublicKey, providerLp: PublicKey, k: MarketKeys, shares: bigint) {
    return this.program.methods
      .requestWithdrawal(new BN(shares.toString()))
      .accountsStrict({ provider, market: k.market, oracle: k.oracle, lpEscrow: k.lpEscrow, providerLp, providerToken,
        request: lpRequestPda(k.market, provider), tokenProgram: TOKEN_PROGRAM_ID, systemProgram: SystemProgram.programId })
      .instruction();
  }

  /**
   * The provider cancels its pending request (`LP_REQUEST_CANCEL_AFTER_SECS` = 600 s after it):
   * the escrow comes back less the LP fee, to the accounts the request named.
   */
  cancelLpRequest(provider: PublicKey, k: MarketKeys, tokenAccount: PublicKey, lpAccount: PublicKey) {
    return this.program.methods
      .cancelLpRequest()
      .accountsStrict({ provider, market: k.market, request: lpRequestPda(k.market, provider), poolVault: k.poolVault,
        lpEscrow: k.lpEscrow, lpMint: k.lpMint, tokenAccount, lpAccount, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** Starts a pool sweep at the oracle price (anyone). */
  startSweep(caller: PublicKey, k: MarketKeys) {
    return this.program.methods.startSweep().accountsStrict({ caller, market: k.market, oracle: k.oracle }).instruction();
  }

  /** Values `positions` in the current sweep (anyone). */
  sweepPositions(k: MarketKeys, positions: PublicKey[]) {
    return this.program.methods
      .sweepPositions()
      .accountsStrict({ market: k.market })
      .remainingAccounts(positions.map((pubkey) => ({ pubkey, isSigner: false, isWritable: true })))
      .instruction();
  }

  /** Executes a pending request (anyone); the shares or tokens wait in escrow for the claim. */
  executeLpRequest(k: MarketKeys, request: PublicKey) {
    return this.program.methods
      .executeLpRequest()
      .accountsStrict({ market: k.market, request, poolVault: k.poolVault, lpMint: k.lpMint, lpEscrow: k.lpEscrow,
        tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** The provider claims its executed request into `destination` (its LP account for a deposit, its token account for a withdrawal). */
  claimLpRequest(provider: PublicKey, k: MarketKeys, destination: PublicKey) {
    return this.program.methods
      .claimLpRequest()
      .accountsStrict({ provider, market: k.market, request: lpRequestPda(k.market, provider), poolVault: k.poolVault,
        lpEscrow: k.lpEscrow, destination, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /**
   * The transactions that run a pool sweep to completion and execute `requests` (all
   * permissionless), in order: start the sweep (after `before`, e.g. a price post), value every open
   * position in batches of 10, then each execution. Send them once the cluster clock has passed
   * every request's time (a sweep must start after the requests it serves).
   */
  async sweepAndExecute(caller: PublicKey, k: MarketKeys, requests: PublicKey[], before: TransactionInstruction[] = []) {
    const txs: TransactionInstruction[][] = [[...before, await this.startSweep(caller, k)]];
    const positions = (await this.positions(k.market)).map((p) => p.publicKey);
    for (let i = 0; i < positions.length; i += 10) txs.push([await this.sweepPositions(k, positions.slice(i, i + 10))]);
    for (const request of requests) txs.push([await this.executeLpRequest(k, request)]);
    return txs;
  }

  fetchLpRequest(request: PublicKey) {
    return this.program.account.lpRequest.fetchNullable(request);
  }

  /** Opens a position and its vault at their canonical addresses, within the trader's `limit`. */
  openPosition(owner: PublicKey, ownerToken: PublicKey, k: MarketKeys, id: bigint, side: Side, collateral: bigint, size: bigint,
    limit: TradeLimit = anyLimit(side, true)) {
    const [position, positionBump] = positionPda(k.market, owner, id);
    const [vault, vaultBump] = vaultPda(position);
    return this.program.methods
      .openPosition(new BN(id.toString()), side === "long" ? { long: {} } : { short: {} }, new BN(collateral.toString()),
        new BN(size.toString()), positionBump, vaultBump, limitArg(limit))
      .accountsStrict({ owner, market: k.market, oracle: k.oracle, collateralMint: k.collateralMint, ownerToken,
        poolVault: k.poolVault, position, vault, tokenProgram: TOKEN_PROGRAM_ID, systemProgram: SystemProgram.programId })
      .instruction();
  }

  // Instructions on an existing position take it by its own address and read the owner, market
  // and vault from its account (`fetchPosition`), never from a re-derivation.

  addMargin(ownerToken: PublicKey, position: PublicKey, p: PositionFields, amount: bigint) {
    return this.program.methods
      .addMargin(new BN(amount.toString()))
      .accountsStrict({ owner: p.owner, market: p.market, position, vault: p.vault, ownerToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  removeMargin(ownerToken: PublicKey, k: MarketKeys, position: PublicKey, p: PositionFields, amount: bigint) {
    return this.program.methods
      .removeMargin(new BN(amount.toString()))
      .accountsStrict({ owner: p.owner, market: p.market, oracle: k.oracle, position, vault: p.vault, ownerToken,
        tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** Adds `sizeDelta` of notional at the oracle price, depositing `deposit` (priced as an open, within `limit`). */
  increasePosition(ownerToken: PublicKey, k: MarketKeys, position: PublicKey, p: PositionFields, sizeDelta: bigint, deposit: bigint,
    limit: TradeLimit = anyLimit(sideOf(p), true)) {
    return this.program.methods
      .increasePosition(new BN(sizeDelta.toString()), new BN(deposit.toString()), limitArg(limit))
      .accountsStrict({ owner: p.owner, market: p.market, oracle: k.oracle, position, vault: p.vault,
        poolVault: k.poolVault, ownerToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  decreasePosition(ownerToken: PublicKey, k: MarketKeys, position: PublicKey, p: PositionFields, sizeDelta: bigint,
    limit: TradeLimit = anyLimit(sideOf(p), false)) {
    return this.program.methods
      .decreasePosition(new BN(sizeDelta.toString()), limitArg(limit))
      .accountsStrict({ owner: p.owner, market: p.market, oracle: k.oracle, position, vault: p.vault,
        poolVault: k.poolVault, ownerToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  closePosition(ownerToken: PublicKey, k: MarketKeys, position: PublicKey, p: PositionFields,
    limit: TradeLimit = anyLimit(sideOf(p), false)) {
    return this.program.methods
      .closePosition(limitArg(limit))
      .accountsStrict({ owner: p.owner, market: p.market, oracle: k.oracle, position, vault: p.vault,
        poolVault: k.poolVault, ownerToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** Liquidates a position: no account of its owner is needed (the residual stays in the vault). */
  liquidate(keeper: PublicKey, keeperToken: PublicKey, k: MarketKeys, position: PublicKey, p: PositionFields) {
    return this.program.methods
      .liquidate()
      .accountsStrict({ keeper, market: p.market, oracle: k.oracle, position, vault: p.vault, poolVault: k.poolVault,
        keeperToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /**
   * Hands an open position and its vault to `newOwner`; both the owner and `newOwner` sign. It lands
   * only while the position is exactly `p` as fetched (`TransferTerms`): size, entry, collateral,
   * reserve, borrow index, residual, standby, top-up rule and triggers (with their setting times).
   */
  transferPosition(position: PublicKey, p: PositionFields & TransferFields, newOwner: PublicKey) {
    const t = (x: { price: BN; size: BN; fee: BN; setAt: BN }) => ({ price: x.price, size: x.size, fee: x.fee, setAt: x.setAt });
    return this.program.methods
      .transferPosition({
        size: p.size, entryPrice: p.entryPrice, collateral: p.collateral, reserve: p.reserve, borrowIndex: p.borrowIndex,
        residual: p.residual, standby: p.standby, topupRatioBps: p.topupRatioBps, topupStep: p.topupStep, topupFee: p.topupFee,
        takeProfit: t(p.takeProfit), stopLoss: t(p.stopLoss),
      })
      .accountsStrict({ owner: p.owner, newOwner, position })
      .instruction();
  }

  /** The owner claims a position's residual into `destination` (any token account of the mint): the whole vault of a liquidated or keeper-closed position (closing it), or an open one's keeper-run partial-close proceeds. */
  claimResidual(destination: PublicKey, position: PublicKey, p: PositionFields) {
    return this.program.methods
      .claimResidual()
      .accountsStrict({ owner: p.owner, market: p.market, position, vault: p.vault, destination, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** Sets (price > 0) or clears (all zero) a take-profit or stop-loss; the owner signs, `ownerToken` pays the fee difference. */
  setTrigger(ownerToken: PublicKey, position: PublicKey, p: PositionFields, kind: TriggerKind, t: TriggerArgs) {
    return this.program.methods
      .setTrigger(kindArg(kind), new BN(t.price.toString()), new BN(t.size.toString()), new BN(t.fee.toString()))
      .accountsStrict({ owner: p.owner, market: p.market, position, vault: p.vault, ownerToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** A keeper executes a crossed trigger; the owner's part stays in the vault as residual. */
  executeTrigger(keeper: PublicKey, keeperToken: PublicKey, k: MarketKeys, position: PublicKey, p: PositionFields, kind: TriggerKind) {
    return this.program.methods
      .executeTrigger(kindArg(kind))
      .accountsStrict({ keeper, market: p.market, oracle: k.oracle, position, vault: p.vault, poolVault: k.poolVault,
        keeperToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** Parks standby margin (not collateral) in the position's vault. */
  addStandby(ownerToken: PublicKey, position: PublicKey, p: PositionFields, amount: bigint) {
    return this.program.methods
      .addStandby(new BN(amount.toString()))
      .accountsStrict({ owner: p.owner, market: p.market, position, vault: p.vault, ownerToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** Pays standby margin back to `destination` (any token account of the mint). */
  withdrawStandby(destination: PublicKey, position: PublicKey, p: PositionFields, amount: bigint) {
    return this.program.methods
      .withdrawStandby(new BN(amount.toString()))
      .accountsStrict({ owner: p.owner, market: p.market, position, vault: p.vault, destination, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** Sets (or, all zero, clears) the top-up rule: below `ratioBps` of maintenance, `step` per keeper call for `fee`. */
  setTopUpRule(position: PublicKey, p: PositionFields, ratioBps: number, step: bigint, fee: bigint) {
    return this.program.methods
      .setTopupRule(ratioBps, new BN(step.toString()), new BN(fee.toString()))
      .accountsStrict({ owner: p.owner, position })
      .instruction();
  }

  /** A keeper runs one top-up step. */
  topUp(keeper: PublicKey, keeperToken: PublicKey, k: MarketKeys, position: PublicKey, p: PositionFields) {
    return this.program.methods
      .topUp()
      .accountsStrict({ keeper, market: p.market, oracle: k.oracle, position, vault: p.vault, keeperToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** Places a limit order funded from `ownerToken`; its position and vault addresses are fixed now. */
  placeLimitOrder(owner: PublicKey, ownerToken: PublicKey, k: MarketKeys, o: OrderSpec) {
    const [order, orderBump] = orderPda(k.market, owner, o.id);
    const [escrow, escrowBump] = orderEscrowPda(order);
    const [position, positionBump] = positionPda(k.market, owner, o.id);
    const [, vaultBump] = vaultPda(position);
    return this.program.methods
      .placeLimitOrder({
        id: new BN(o.id.toString()), side: o.side === "long" ? { long: {} } : { short: {} },
        collateral: new BN(o.collateral.toString()), size: new BN(o.size.toString()), limitPrice: new BN(o.limitPrice.toString()),
        expiry: new BN(o.expiry.toString()), execFee: new BN(o.execFee.toString()),
        takeProfit: triggerArg(o.takeProfit), stopLoss: triggerArg(o.stopLoss),
        positionBump, vaultBump, orderBump, escrowBump,
      })
      .accountsStrict({ owner, market: k.market, collateralMint: k.collateralMint, ownerToken, order, escrow, position,
        tokenProgram: TOKEN_PROGRAM_ID, systemProgram: SystemProgram.programId })
      .instruction();
  }

  /** A keeper fills an order (it fronts the position's rent and is repaid from the order). */
  executeLimitOrder(keeper: PublicKey, keeperToken: PublicKey, k: MarketKeys, order: PublicKey, o: OrderFields) {
    return this.program.methods
      .executeLimitOrder()
      .accountsStrict({ keeper, market: o.market, oracle: k.oracle, collateralMint: k.collateralMint, poolVault: k.poolVault,
        order, escrow: o.escrow, owner: o.owner, position: o.position, vault: o.vault, keeperToken,
        tokenProgram: TOKEN_PROGRAM_ID, systemProgram: SystemProgram.programId })
      .instruction();
  }

  /** The owner cancels an order, refunded in full to `destination`. */
  cancelLimitOrder(destination: PublicKey, order: PublicKey, o: OrderFields) {
    return this.program.methods
      .cancelLimitOrder()
      .accountsStrict({ owner: o.owner, market: o.market, order, escrow: o.escrow, destination, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  /** Anyone closes an expired order, refunding its owner in full. */
  closeExpiredOrder(order: PublicKey, o: OrderFields) {
    return this.program.methods
      .closeExpiredOrder()
      .accountsStrict({ order, escrow: o.escrow, refundTo: o.refundTo, owner: o.owner, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  fetchOrder(order: PublicKey) {
    return this.program.account.limitOrder.fetchNullable(order);
  }

  /** Every open limit order of a market (memcmp on the market field at offset 8). */
  orders(market: PublicKey) {
    return this.program.account.limitOrder.all([{ memcmp: { offset: 8, bytes: market.toBase58() } }]);
  }

  fetchMarket(market: PublicKey) {
    return this.program.account.market.fetch(market);
  }

  fetchPosition(position: PublicKey) {
    return this.program.account.position.fetchNullable(position);
  }

  /** Every position account of a market, open or liquidated (memcmp on the market field at offset 8). */
  allPositions(market: PublicKey) {
    return this.program.account.position.all([{ memcmp: { offset: 8, bytes: market.toBase58() } }]);
  }

  /** Every open position of a market (`status` 0; liquidated ones wait for their owner's claim). */
  async positions(market: PublicKey) {
    return (await this.allPositions(market)).filter((p) => p.account.status === POSITION_OPEN);
  }

  /** Ringfence events in a transaction's logs. */
  events(logs: string[]) {
    const parser = new EventParser(this.program.programId, new BorshCoder(this.program.idl));
    return Array.from(parser.parseLogs(logs));
  }
}
