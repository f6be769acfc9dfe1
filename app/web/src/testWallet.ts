// LOCALNET ONLY: a wallet registered through the Wallet Standard, so the page can be used (and
// tested) with no browser extension. It signs with a keypair generated in this browser (never a
// file of yours), kept in this tab's session storage, and refuses to sign unless the cluster's
// genesis hash is the one `ringfence-localnet up` reported for the local validator. `main.tsx`
// imports it only in localnet builds: other builds do not contain it.
import { Connection, Keypair, VersionedTransaction, Transaction } from "@solana/web3.js";
import { registerWallet } from "@wallet-standard/wallet";
import type { IdentifierArray, Wallet, WalletAccount } from "@wallet-standard/base";
import { StandardConnect, StandardDisconnect, StandardEvents } from "@wallet-standard/features";
import { SolanaSignTransaction } from "@solana/wallet-standard-features";

export const TEST_WALLET_NAME = "Ringfence Test Wallet (localnet)";
const ICON =
  "data:image/svg+xml;base64," +
  btoa('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" rx="6" fill="#2b6"/><text x="16" y="22" font-size="16" text-anchor="middle" fill="#fff">R</text></svg>');
const CHAINS: IdentifierArray = ["solana:localnet"];

export interface LocalnetInfo {
  rpcUrl: string;
  genesisHash: string;
  programId: string;
  markets: { name: string; market: string }[];
}

function sessionKeypair(): Keypair {
  const saved = sessionStorage.getItem("ringfence-test-wallet");
  if (saved) return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(saved)));
  const kp = Keypair.generate();
  sessionStorage.setItem("ringfence-test-wallet", JSON.stringify(Array.from(kp.secretKey)));
  return kp;
}

class TestWallet implements Wallet {
  readonly version = "1.0.0" as const;
  readonly name = TEST_WALLET_NAME;
  readonly icon = ICON as `data:image/svg+xml;base64,${string}`;
  readonly chains = CHAINS;
  #keypair = sessionKeypair();
  #connected = false;
  #listeners: ((props: { accounts?: readonly WalletAccount[] }) => void)[] = [];

  constructor(private readonly connection: Connection, private readonly info: LocalnetInfo) {}

  get accounts(): readonly WalletAccount[] {
    if (!this.#connected) return [];
    const publicKey = this.#keypair.publicKey;
    return [{ address: publicKey.toBase58(), publicKey: publicKey.toBytes(), chains: CHAINS, features: [SolanaSignTransaction] }];
  }

  get features() {
    return {
      [StandardConnect]: { version: "1.0.0", connect: async () => {
        this.#connected = true;
        this.#emit();
        return { accounts: this.accounts };
      } },
      [StandardDisconnect]: { version: "1.0.0", disconnect: async () => {
        this.#connected = false;
        this.#emit();
      } },
      [StandardEvents]: { version: "1.0.0", on: (_event: "change", listener: (props: { accounts?: readonly WalletAccount[] }) => void) => {
        this.#listeners.push(listener);
        return () => { this.#listeners = this.#listeners.filter((l) => l !== listener); };
      } },
      [SolanaSignTransaction]: {
        version: "1.0.0",
        supportedTransactionVersions: ["legacy", 0],
        signTransaction: async (...inputs: { transaction: Uint8Array }[]) => {
          await this.#requireLocalnet();
          return inputs.map(({ transaction }) => {
            // Legacy or versioned: sign with this wallet's key.
            try {
              const tx = VersionedTransaction.deserialize(transaction);
              tx.sign([this.#keypair]);
              return { signedTransaction: tx.serialize() };
            } catch {
              const tx = Transaction.from(transaction);
              tx.partialSign(this.#keypair);
              return { signedTransaction: tx.serialize({ requireAllSignatures: false }) };
            }
          });
        },
      },
    };
  }

  /** Refuses any cluster but the local validator `ringfence-localnet up` started. */
  async #requireLocalnet() {
    const genesis = await this.connection.getGenesisHash();
    if (genesis !== this.info.genesisHash) {
      throw new Error(`the test wallet signs only on the local validator (genesis ${this.info.genesisHash}), not on ${genesis}`);
    }
  }

  #emit() {
    for (const l of this.#listeners) l({ accounts: this.accounts });
  }
}

/** Registers the test wallet with every Wallet Standard app on the page. */
export function registerTestWallet(connection: Connection, info: LocalnetInfo) {
  registerWallet(new TestWallet(connection, info));
}

/** Localnet SOL and collateral for `wallet` (the dev server's faucet route). */
export async function fundFromFaucet(wallet: string, market: string): Promise<string> {
  const res = await fetch(`/faucet?to=${encodeURIComponent(wallet)}&market=${encodeURIComponent(market)}`, { method: "POST" });
  const text = await res.text();
  if (!res.ok) throw new Error(text);
  return text;
}
