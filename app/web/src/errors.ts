// The program's errors in words, from its IDL (names and messages the program declares), for
// every failure the page shows; never a raw log.
import idl from "../../../target/idl/ringfence.json";

const byCode = new Map<number, { name: string; msg: string }>(
  ((idl as { errors?: { code: number; name: string; msg?: string }[] }).errors ?? []).map((e) => [e.code, { name: e.name, msg: e.msg ?? "" }]),
);

/** "Name: message" for a failed transaction or simulation, from any error form it carries. */
export function describeError(e: unknown): string {
  const o = (typeof e === "object" && e !== null ? e : {}) as { message?: unknown; logs?: string[] };
  const text = `${typeof o.message === "string" ? o.message : String(e)} ${JSON.stringify(o.logs ?? [])}`;
  const named = text.match(/Error Code: (\w+)/);
  if (named) {
    const hit = [...byCode.values()].find((v) => v.name === named[1]);
    return hit ? `${hit.name}: ${hit.msg}` : named[1];
  }
  const hex = text.match(/custom program error: 0x([0-9a-fA-F]+)/);
  const dec = text.match(/"Custom":\s*(\d+)|Custom\((\d+)\)/);
  const code = hex ? parseInt(hex[1], 16) : dec ? Number(dec[1] ?? dec[2]) : null;
  if (code !== null && byCode.has(code)) {
    const { name, msg } = byCode.get(code)!;
    return `${name}: ${msg}`;
  }
  return typeof o.message === "string" ? o.message : text;
}
