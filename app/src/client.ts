// Ringfence TypeScript client: instruction builders over the IDL (via @anchor-lang/core), account
// decoders, position discovery and event parsing. PDAs in ./pda, math in ./math.
import { AnchorProvider, BN, BorshCoder, EventParser, Program } from "@anchor-lang/core";
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import idl from "../../target/idl/ringfence.json";
import type { Ringfence } from "../../target/types/ringfence";
import { lpEscrowPda, lpMintPda, lpRequestPda, marketPda, poolVaultPda, positionPda, vaultPda } from "./pda";
import { Side } from "./math";

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
const buys = (side: Side, opening: boolean) => (side === "long") === opening;
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

/** `Position.status` values. */
export const POSITION_OPEN = 0;
export const POSITION_LIQUIDATED = 1;

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

  /** Hands an open position and its vault to `newOwner`; both the owner and `newOwner` sign. */
  transferPosition(position: PublicKey, p: PositionFields, newOwner: PublicKey) {
    return this.program.methods
      .transferPosition()
      .accountsStrict({ owner: p.owner, newOwner, position })
      .instruction();
  }

  /** The owner of a liquidated position claims its residual into `destination` (any token account of the mint). */
  claimResidual(destination: PublicKey, position: PublicKey, p: PositionFields) {
    return this.program.methods
      .claimResidual()
      .accountsStrict({ owner: p.owner, market: p.market, position, vault: p.vault, destination, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
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
