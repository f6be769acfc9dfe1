// Anchor's deploy hook (`anchor migrate`): runs Ringfence's idempotent market migration, which is
// implemented once, in Rust (crates/localnet/src/migrate.rs), behind `ringfence-localnet create-markets`.
import { execFileSync } from "child_process";
import { join } from "path";

module.exports = async function (provider: { connection: { rpcEndpoint: string } }) {
  const root = join(__dirname, "..");
  const keypair = process.env.ANCHOR_WALLET ?? join(process.env.HOME ?? "", ".config/solana/id.json");
  execFileSync(
    "cargo",
    ["run", "-q", "--locked", "-p", "ringfence-localnet", "--", "--url", provider.connection.rpcEndpoint, "--admin", keypair,
      "create-markets", "--config", join(root, "migrations/localnet.toml")],
    { cwd: root, stdio: "inherit" },
  );
};
