// The trader web app. `make web` builds it and serves it; against `make localnet` the server also
// answers two LOCALNET ONLY routes (absent from builds for other clusters): `/localnet.json`
// (what `ringfence-localnet up` wrote: RPC URL, genesis hash, markets) and `/faucet?to=WALLET`
// (localnet SOL and collateral through `ringfence-localnet faucet`).
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import { execFile } from "child_process";
import { existsSync, readFileSync } from "fs";
import { dirname, join } from "path";
import { fileURLToPath } from "url";

// An ES module (Vite loads it natively): its own folder from its URL.
const __dirname = dirname(fileURLToPath(import.meta.url));

const cluster = process.env.RINGFENCE_CLUSTER ?? "localnet";
// The program id is the IDL's (the program checks its own declared id): a deployment elsewhere is
// built with its own IDL; a RINGFENCE_PROGRAM_ID that differs from it is refused, not ignored.
const idlAddress: string = JSON.parse(readFileSync(join(__dirname, "../../target/idl/ringfence.json"), "utf8")).address;
if (process.env.RINGFENCE_PROGRAM_ID && process.env.RINGFENCE_PROGRAM_ID !== idlAddress) {
  throw new Error(`RINGFENCE_PROGRAM_ID ${process.env.RINGFENCE_PROGRAM_ID} is not the IDL's program id ${idlAddress}: build the IDL of that deployment (scripts/build-idl.sh)`);
}
if (cluster !== "localnet" && !process.env.RINGFENCE_RPC_URL) {
  throw new Error(`RINGFENCE_CLUSTER=${cluster} needs RINGFENCE_RPC_URL`);
}
const localnetFile = process.env.RINGFENCE_LOCALNET_FILE ?? join(__dirname, "../../target/localnet.json");

function localnet(): Plugin {
  const routes = (server: { middlewares: { use: (f: (req: any, res: any, next: () => void) => void) => void } }) => {
    server.middlewares.use((req, res, next) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/localnet.json") {
        if (!existsSync(localnetFile)) return res.writeHead(404).end("no localnet running (make localnet)");
        res.setHeader("content-type", "application/json");
        return res.end(readFileSync(localnetFile));
      }
      if (url.pathname === "/faucet") {
        // A POST from this page only (no other site can spend the localnet admin's mint through
        // a visitor's browser), for a base58 wallet and market, at most 100,000 tokens.
        const host = req.headers.host ?? "";
        const origin = req.headers.origin ?? "";
        const key = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
        const info = JSON.parse(readFileSync(localnetFile, "utf8"));
        const to = url.searchParams.get("to") ?? "";
        const market = url.searchParams.get("market") ?? info.markets[0].market;
        const amount = url.searchParams.get("amount") ?? "10000";
        const refuse = (why: string) => res.writeHead(400, { "content-type": "text/plain" }).end(why);
        if (req.method !== "POST") return refuse("POST only");
        if (origin !== `http://${host}`) return refuse("only this page may use the faucet");
        if (!key.test(to) || !key.test(market)) return refuse("to and market are base58 public keys");
        if (!/^\d{1,6}(\.\d{1,6})?$/.test(amount) || Number(amount) > 100_000) return refuse("amount: at most 100000 tokens");
        execFile(info.localnetBinary, ["--url", info.rpcUrl, "--admin", info.admin, "faucet", "--market", market, "--to", to,
          "--amount", amount], (err, stdout, stderr) => {
          res.writeHead(err ? 400 : 200, { "content-type": "text/plain" });
          res.end(err ? stderr : stdout);
        });
        return;
      }
      next();
    });
  };
  return { name: "ringfence-localnet", configureServer: routes, configurePreviewServer: routes };
}

export default defineConfig({
  root: __dirname,
  plugins: [react(), ...(cluster === "localnet" ? [localnet()] : [])],
  define: {
    // A literal at build time: the localnet-only test wallet is dropped from other builds.
    "import.meta.env.RINGFENCE_CLUSTER": JSON.stringify(cluster),
    "import.meta.env.RINGFENCE_RPC_URL": JSON.stringify(process.env.RINGFENCE_RPC_URL ?? ""),
    "import.meta.env.RINGFENCE_PROGRAM_ID": JSON.stringify(idlAddress),
    "import.meta.env.RINGFENCE_MARKETS": JSON.stringify(process.env.RINGFENCE_MARKETS ?? ""),
    global: "globalThis",
  },
  build: { outDir: join(__dirname, "../../target/web"), emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: { host: "127.0.0.1", port: 5173 },
  preview: { host: "127.0.0.1", port: 5173 },
});
