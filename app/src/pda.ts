// Program-derived addresses, exactly as the program derives them (see programs/ringfence/src/state).
import { PublicKey } from "@solana/web3.js";

export const PROGRAM_ID = new PublicKey("6jYnnzdibL96wy8em8Gv5qFFdUd4e3uxcAbvDuVi9VmY");
/** The Pyth receiver program: owner of every PriceUpdateV2 account (on localnet: the publisher). */
export const PYTH_RECEIVER_ID = new PublicKey("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");

const u64le = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};

export const marketPda = (creator: PublicKey, mint: PublicKey, feedId: Uint8Array): PublicKey =>
  PublicKey.findProgramAddressSync([Buffer.from("market"), creator.toBuffer(), mint.toBuffer(), Buffer.from(feedId)], PROGRAM_ID)[0];

export const poolVaultPda = (market: PublicKey): PublicKey =>
  PublicKey.findProgramAddressSync([Buffer.from("pool_vault"), market.toBuffer()], PROGRAM_ID)[0];

export const lpMintPda = (market: PublicKey): PublicKey =>
  PublicKey.findProgramAddressSync([Buffer.from("lp_mint"), market.toBuffer()], PROGRAM_ID)[0];

export const lpEscrowPda = (market: PublicKey): PublicKey =>
  PublicKey.findProgramAddressSync([Buffer.from("lp_escrow"), market.toBuffer()], PROGRAM_ID)[0];

/** The pending LP request of a provider on a market. */
export const lpRequestPda = (market: PublicKey, provider: PublicKey): PublicKey =>
  PublicKey.findProgramAddressSync([Buffer.from("lp_request"), market.toBuffer(), provider.toBuffer()], PROGRAM_ID)[0];

/** The position PDA and its canonical bump (passed to open_position). */
export const positionPda = (market: PublicKey, owner: PublicKey, id: bigint): [PublicKey, number] =>
  PublicKey.findProgramAddressSync([Buffer.from("position"), market.toBuffer(), owner.toBuffer(), u64le(id)], PROGRAM_ID);

/** The vault PDA and its canonical bump (passed to open_position). */
export const vaultPda = (position: PublicKey): [PublicKey, number] =>
  PublicKey.findProgramAddressSync([Buffer.from("vault"), position.toBuffer()], PROGRAM_ID);

/** The localnet oracle's price account of a feed (what localnet markets pin). */
export const localnetPricePda = (feedId: Uint8Array): PublicKey =>
  PublicKey.findProgramAddressSync([Buffer.from("price_feed"), Buffer.from(feedId)], PYTH_RECEIVER_ID)[0];

/** The limit order `id` of `owner` (its position gets the same id) and its bump. */
export const orderPda = (market: PublicKey, owner: PublicKey, id: bigint): [PublicKey, number] =>
  PublicKey.findProgramAddressSync([Buffer.from("order"), market.toBuffer(), owner.toBuffer(), u64le(id)], PROGRAM_ID);

/** The token escrow of a new order and its bump (read an existing order's from `LimitOrder.escrow`). */
export const orderEscrowPda = (order: PublicKey): [PublicKey, number] =>
  PublicKey.findProgramAddressSync([Buffer.from("order_escrow"), order.toBuffer()], PROGRAM_ID);
