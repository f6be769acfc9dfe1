// What the TypeScript tests on a local chain share: where the repo, its caches and built binaries
// are, free local ports, and waiting.
import { createServer } from "net";
import { join } from "path";

export const ROOT = join(__dirname, "..");
export const CACHE = process.env.RINGFENCE_CACHE ?? join(process.env.HOME ?? "", ".cache", "ringfence");
/** solana-test-validator and the solana CLI (`scripts/setup.sh validator`). */
export const TOOLS = join(CACHE, "solana-tools", "bin");
/** The workspace's debug binaries (`make test` builds the keeper, the CLI and the localnet tool first). */
export const BIN = join(process.env.CARGO_TARGET_DIR ?? join(CACHE, "target"), "debug");

/** A port nobody listens on now, on 127.0.0.1. */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A gate a test holds something at: whoever reaches it calls `reach()` and waits for `opened`;
 * the test waits for `reached`, does what it must meanwhile, then calls `open()`.
 */
export function gate() {
  let reach!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((r) => { reach = r; });
  const opened = new Promise<void>((r) => { open = r; });
  return { reach, reached, open, opened };
}
