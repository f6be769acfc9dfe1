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

  openPosition(owner: PublicKey, ownerToken: PublicKey, k: MarketKeys, id: bigint, side: Side, collateral: bigint, size: bigint) {
    const [position, positionBump] = positionPda(k.market, owner, id);
    const [vault, vaultBump] = vaultPda(position);
    return this.program.methods
      .openPosition(new BN(id.toString()), side === "long" ? { long: {} } : { short: {} }, new BN(collateral.toString()),
        new BN(size.toString()), positionBump, vaultBump)
      .accountsStrict({ owner, market: k.market, oracle: k.oracle, collateralMint: k.collateralMint, ownerToken,
        poolVault: k.poolVault, position, vault, tokenProgram: TOKEN_PROGRAM_ID, systemProgram: SystemProgram.programId })
      .instruction();
  }

  addMargin(owner: PublicKey, ownerToken: PublicKey, k: MarketKeys, position: PublicKey, amount: bigint) {
    return this.program.methods
      .addMargin(new BN(amount.toString()))
      .accountsStrict({ owner, market: k.market, position, vault: vaultPda(position)[0], ownerToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  removeMargin(owner: PublicKey, ownerToken: PublicKey, k: MarketKeys, position: PublicKey, amount: bigint) {
    return this.program.methods
      .removeMargin(new BN(amount.toString()))
      .accountsStrict({ owner, market: k.market, oracle: k.oracle, position, vault: vaultPda(position)[0], ownerToken,
        tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  decreasePosition(owner: PublicKey, ownerToken: PublicKey, k: MarketKeys, position: PublicKey, sizeDelta: bigint) {
    return this.program.methods
      .decreasePosition(new BN(sizeDelta.toString()))
      .accountsStrict({ owner, market: k.market, oracle: k.oracle, position, vault: vaultPda(position)[0],
        poolVault: k.poolVault, ownerToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  closePosition(owner: PublicKey, ownerToken: PublicKey, k: MarketKeys, position: PublicKey) {
    return this.program.methods
      .closePosition()
      .accountsStrict({ owner, market: k.market, oracle: k.oracle, position, vault: vaultPda(position)[0],
        poolVault: k.poolVault, ownerToken, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  fetchMarket(market: PublicKey) {
    return this.program.account.market.fetch(market);
  }

  fetchPosition(position: PublicKey) {
    return this.program.account.position.fetchNullable(position);
  }

  /** Every open position of a market (dataSize + memcmp on the market field at offset 8). */
  positions(market: PublicKey) {
    return this.program.account.position.all([{ memcmp: { offset: 8, bytes: market.toBase58() } }]);
  }

  /** Ringfence events in a transaction's logs. */
  events(logs: string[]) {
    const parser = new EventParser(this.program.programId, new BorshCoder(this.program.idl));
    return Array.from(parser.parseLogs(logs));
  }
}
