// Exact decimal text for base units and prices (no floating point anywhere money is shown or typed).
import { PRICE_DECIMALS, PRICE_ONE, SHARE_PRICE_SCALE, type Threshold } from "../../src/math";

let decimals = 6;
/** The collateral mint's decimals (set once the market's mint is read). */
export const setDecimals = (d: number) => { decimals = d; };

/** Base units as an exact decimal of whole tokens. */
export const tokens = (v: bigint): string => exact(v, decimals);

/** An exact decimal: `v / 10^places`, trailing zeros dropped. */
export function exact(v: bigint, places: number): string {
  const unit = 10n ** BigInt(places);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = places === 0 ? "" : (a % unit).toString().padStart(places, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${a / unit}${frac ? "." + frac : ""}`;
}

/** A price (PRICE_DECIMALS) with 4 decimals, truncated (the page's and its test's convention). */
export const priceText = (p: bigint): string =>
  `${p / PRICE_ONE}.${(p % PRICE_ONE).toString().padStart(PRICE_DECIMALS, "0").slice(0, 4)}`;

export const thresholdText = (t: Threshold) => (typeof t === "bigint" ? priceText(t) : t);

/** Tokens per share (× SHARE_PRICE_SCALE) as an exact decimal. */
export const sharePriceText = (v: bigint) => exact(v, Number(SHARE_PRICE_SCALE.toString().length - 1));

/** Parses an exact decimal with at most `places` decimals; null when it is not one. */
export function parseDecimal(s: string, places: number): bigint | null {
  const m = s.trim().match(new RegExp(`^(\\d*)(?:\\.(\\d{0,${places}}))?$`));
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) return null;
  return BigInt(m[1] || "0") * 10n ** BigInt(places) + BigInt((m[2] ?? "").padEnd(places, "0") || "0");
}
export const parseTokens = (s: string) => parseDecimal(s, decimals);
export const parsePrice = (s: string) => parseDecimal(s, PRICE_DECIMALS);

/** The BN / number fields of decoded accounts as bigint. */
export const big = (b: { toString(): string } | number): bigint => BigInt(b.toString());

/** A slippage typed in percent (at most 2 decimals) as basis points; null unless below 100 %. */
export function parseSlippageBps(s: string): bigint | null {
  const bps = parseDecimal(s, 2);
  return bps !== null && bps < 10_000n ? bps : null;
}

/** The value, or an error in words (caught and shown by `send`). */
export function need<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) throw new Error(what);
  return v;
}
