// Reading a Pyth `PriceUpdateV2` account (the layout the program's `Account<PriceUpdateV2>` reads):
// discriminator (8), write authority (32), verification level (1 byte for `Full`; 2 for
// `Partial { num_signatures }`), then the price message: feed id (32), price (i64), conf (u64),
// exponent (i32), publish time (i64), ...
import { normalizeConf, normalizePrice } from "./math";

export interface PriceUpdate {
  feedId: Uint8Array;
  /** Normalized to PRICE_DECIMALS. */
  price: bigint;
  conf: bigint;
  publishTime: bigint;
  fullyVerified: boolean;
}

export function decodePriceUpdate(data: Uint8Array): PriceUpdate | null {
  if (data.length < 8 + 32 + 1 + 32 + 8 + 8 + 4 + 8) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const level = data[40];
  const at = 41 + (level === 1 ? 0 : 1);
  const feedId = data.slice(at, at + 32);
  const mantissa = view.getBigInt64(at + 32, true);
  const confRaw = view.getBigUint64(at + 40, true);
  const exponent = view.getInt32(at + 48, true);
  const publishTime = view.getBigInt64(at + 52, true);
  const price = normalizePrice(mantissa, exponent);
  if (price === null) return null;
  const conf = normalizeConf(confRaw, exponent);
  return { feedId, price, conf, publishTime, fullyVerified: level === 1 };
}
