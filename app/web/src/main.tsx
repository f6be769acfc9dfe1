// web3.js, Anchor and the client's PDA helpers use Node's Buffer: the browser gets the package.
import { Buffer } from "buffer";
(globalThis as { Buffer?: typeof Buffer }).Buffer ??= Buffer;
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Connection } from "@solana/web3.js";
import { ConnectionProvider, WalletProvider } from "@solana/wallet-adapter-react";
import { App, type AppConfig } from "./App";

async function start() {
  const cluster = import.meta.env.RINGFENCE_CLUSTER as string;
  // RINGFENCE_MARKETS (build time): "NAME=ADDRESS,..." the markets this page offers on its cluster.
  const listed = ((import.meta.env.RINGFENCE_MARKETS as string) || "").split(",").filter((x) => x.includes("="))
    .map((x) => ({ name: x.split("=")[0].trim(), market: x.split("=")[1].trim() }));
  let config: AppConfig = { cluster, rpcUrl: (import.meta.env.RINGFENCE_RPC_URL as string) || "http://127.0.0.1:8899", markets: listed };
  if (cluster === "localnet") {
    // LOCALNET ONLY: the local validator's details, and the test wallet (absent from other builds).
    const info = await fetch("/localnet.json").then((r) => (r.ok ? r.json() : null)).catch(() => null);
    if (!info) {
      document.getElementById("root")!.textContent =
        "No local chain is running: start it with `make localnet` (it writes target/localnet.json), then reload this page.";
      return;
    }
    config = { ...config, rpcUrl: info.rpcUrl, markets: info.markets };
    const { registerTestWallet } = await import("./testWallet");
    registerTestWallet(new Connection(info.rpcUrl, "confirmed"), info);
  }
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <ConnectionProvider endpoint={config.rpcUrl} config={{ commitment: "confirmed" }}>
        {/* No adapters listed: wallets are discovered through the Wallet Standard. */}
        <WalletProvider wallets={[]} autoConnect={false}>
          <App config={config} />
        </WalletProvider>
      </ConnectionProvider>
    </StrictMode>,
  );
}

void start();
