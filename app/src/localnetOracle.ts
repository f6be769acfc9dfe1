// LOCALNET ONLY: the instruction of programs/localnet-oracle (loaded at the Pyth receiver id) that
// publishes a PriceUpdateV2. Encoded by hand: discriminator sha256("global:post_price")[..8] +
// Borsh(feed_id [32], price i64, conf u64, exponent i32, publish_time i64).
import { createHash } from "crypto";
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { localnetPricePda, PYTH_RECEIVER_ID } from "./pda";

export function postPriceIx(authority: PublicKey, feedId: Uint8Array, price: bigint, conf: bigint, exponent: number, publishTime: bigint) {
  const data = Buffer.alloc(8 + 32 + 8 + 8 + 4 + 8);
  createHash("sha256").update("global:post_price").digest().copy(data, 0, 0, 8);
  Buffer.from(feedId).copy(data, 8);
  data.writeBigInt64LE(price, 40);
  data.writeBigUInt64LE(conf, 48);
  data.writeInt32LE(exponent, 56);
  data.writeBigInt64LE(publishTime, 60);
  return new TransactionInstruction({
    programId: PYTH_RECEIVER_ID,
    keys: [
      { pubkey: authority, isSigner: true, isWritable: true },
      { pubkey: localnetPricePda(feedId), isSigner: false, isWritable: true },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
    ],
    data,
  });
}
