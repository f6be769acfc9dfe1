// Ringfence TypeScript client: instruction builders over the IDL (via @anchor-lang/core), account
// decoders, position discovery and event parsing. PDAs in ./pda, math in ./math.
import { AnchorProvider, BN, BorshCoder, EventParser, Program } from "@anchor-lang/core";
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import idl from "../../target/idl/ringfence.json";
import type { Ringfence } from "../../target/types/ringfence";
import { lpMintPda, marketPda, poolVaultPda, positionPda, vaultPda } from "./pda";
import { Side } from "./math";

export interface MarketKeys {
  market: PublicKey;
  collateralMint: PublicKey;
  oracle: PublicKey;
  poolVault: PublicKey;
  lpMint: PublicKey;
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
    return { market, collateralMint, oracle, poolVault: poolVaultPda(market), lpMint: lpMintPda(market) };
  }

  initializeMarket(admin: PublicKey, k: MarketKeys, feedId: Uint8Array, params: RiskParams): Promise<TransactionInstruction> {
    return this.program.methods
      .initializeMarket({ feedId: Array.from(feedId), params })
      .accountsStrict({
        admin, market: k.market, collateralMint: k.collateralMint, oracle: k.oracle, poolVault: k.poolVault,
        lpMint: k.lpMint, tokenProgram: TOKEN_PROGRAM_ID, systemProgram: SystemProgram.programId,
      })
      .instruction();
  }

  depositLiquidity(provider: PublicKey, providerToken: PublicKey, providerLp: PublicKey, k: MarketKeys, amount: bigint) {
    return this.program.methods
      .depositLiquidity(new BN(amount.toString()))
      .accountsStrict({ provider, market: k.market, oracle: k.oracle, poolVault: k.poolVault, lpMint: k.lpMint,
        providerToken, providerLp, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
  }

  withdrawLiquidity(provider: PublicKey, providerToken: PublicKey, providerLp: PublicKey, k: MarketKeys, shares: bigint) {
    return this.program.methods
      .withdrawLiquidity(new BN(shares.toString()))
      .accountsStrict({ provider, market: k.market, oracle: k.oracle, poolVault: k.poolVault, lpMint: k.lpMint,
        providerToken, providerLp, tokenProgram: TOKEN_PROGRAM_ID })
      .instruction();
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
