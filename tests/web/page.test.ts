// The trader web app in a real browser: Debian's Chromium driven by playwright-core, against
// solana-test-validator with Ringfence, the localnet price publisher and the keeper
// (`ringfence-localnet up`), the page built and served by Vite as `make web` does. Screenshots go
// to target/web-test/ for a reviewer.
import { strict as assert } from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { AnchorProvider, Wallet } from "@anchor-lang/core";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { chromium, type Browser, type Page } from "playwright-core";
import { PRICE_ONE, RingfenceClient } from "../../app/src";

const ROOT = join(__dirname, "..", "..");
const CACHE = process.env.RINGFENCE_CACHE ?? join(process.env.HOME ?? "", ".cache", "ringfence");
const BIN = join(process.env.CARGO_TARGET_DIR ?? join(CACHE, "target"), "debug");
const CHROMIUM = process.env.RINGFENCE_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = join(ROOT, "target", "web-test");
const TOOLS = join(CACHE, "solana-tools", "bin");

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The page's price text: quote units with 4 decimals, truncated. */
const priceText = (p: bigint) => `${p / PRICE_ONE}.${(p % PRICE_ONE).toString().padStart(10, "0").slice(0, 4)}`;

describe("the trader web app in Chromium", function () {
  this.timeout(300_000);
  let localnet: ChildProcess;
  let web: ChildProcess;
  let browser: Browser;
  let page: Page;
  let info: { rpcUrl: string; admin: string; localnetBinary: string; markets: { market: string }[] };
  let client: RingfenceClient;
  const dir = mkdtempSync(join(tmpdir(), "ringfence-web-"));
  const infoFile = join(dir, "localnet.json");
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const publish = (price: string) =>
    execFileSync(info.localnetBinary, ["--url", info.rpcUrl, "--admin", info.admin, "price", "--market", info.markets[0].market, "--price", price]);

  before(async function () {
    mkdirSync(SHOTS, { recursive: true });
    const env = { ...process.env, RINGFENCE_LOCALNET_FILE: infoFile, PATH: `${TOOLS}:${process.env.PATH}` };
    localnet = spawn(join(BIN, "ringfence-localnet"), ["up"], { env, stdio: "ignore" });
    for (let i = 0; !existsSync(infoFile); i++) {
      if (i > 600) throw new Error("ringfence-localnet up did not come up");
      await sleep(200);
    }
    info = JSON.parse(readFileSync(infoFile, "utf8"));
    // Vite itself (not through npx), so that stopping it stops the server.
    const vite = join(ROOT, "node_modules", "vite", "bin", "vite.js");
    execFileSync(process.execPath, [vite, "build", "--config", "app/web/vite.config.ts", "--logLevel", "error"], { cwd: ROOT, env, stdio: "ignore" });
    const port = await freePort();
    web = spawn(process.execPath, [vite, "preview", "--config", "app/web/vite.config.ts", "--port", String(port), "--strictPort"], { cwd: ROOT, env, stdio: "ignore" });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (let i = 0; ; i++) {
      try {
        await page.goto(`http://127.0.0.1:${port}/`);
        break;
      } catch (e) {
        if (i > 100) throw e;
        await sleep(200);
      }
    }
    // Simulations (the program's health view) need a funded fee payer: the localnet admin.
    const admin = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(info.admin, "utf8"))));
    client = new RingfenceClient(new AnchorProvider(new Connection(info.rpcUrl, "confirmed"), new Wallet(admin), { commitment: "confirmed" }));
  });

  after(async () => {
    await browser?.close();
    web?.kill("SIGTERM");
    localnet?.kill("SIGINT");
  });

  it("connects the test wallet, funds it and opens a 5x long at the previewed liquidation price", async () => {
    await page.click('[data-testid^="connect-"]');
    const address = new PublicKey(await page.textContent('[data-testid="wallet-address"]') ?? "");
    await page.click('[data-testid="faucet"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="faucet-status"]')?.textContent?.includes("funded"));
    await page.waitForFunction(() => document.querySelector('[data-testid="preview-simulation"]')?.textContent?.includes("would succeed"), null, { timeout: 30_000 });
    const previewLiq = await page.textContent('[data-testid="preview-liquidation"]');
    await shot("1-ticket");
    await page.click('[data-testid="open"]');
    await page.waitForSelector('[data-testid="tx-status"][data-kind="confirmed"]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="position"]');
    await shot("2-opened");
    // The page's liquidation price is the program's own view of the position.
    const key = new PublicKey(await page.getAttribute('[data-testid="position"]', "data-address") ?? "");
    const p = (await client.fetchPosition(key))!;
    assert.ok(p.owner.equals(address));
    const market = await client.fetchMarket(p.market);
    const view = await client.program.methods.positionHealth()
      .accountsStrict({ market: p.market, oracle: market.oracle, position: key, vault: p.vault }).view();
    const liq = BigInt((view.liquidationPrice as { at: { 0: { toString(): string } } }).at[0].toString());
    assert.equal(await page.textContent('[data-testid="position-liquidation"]'), priceText(liq));
    assert.equal(previewLiq, priceText(liq), "the ticket previewed the position's liquidation price");
  });

  it("adds margin, then the keeper liquidates it after a crash and the owner claims the residual", async () => {
    const before = await page.textContent('[data-testid="position-collateral"]');
    await page.fill('[data-testid="margin-amount"]', "10");
    await page.click('[data-testid="add-margin"]');
    await page.waitForFunction((b) => document.querySelector('[data-testid="position-collateral"]')?.textContent !== b, before, { timeout: 30_000 });
    // Far past the liquidation price (about 127 for 5x at 150): the view's confidence convention
    // cannot make this step flaky.
    publish("100");
    await page.waitForSelector('[data-testid="position"][data-status="liquidated"]', { timeout: 60_000 });
    const residual = await page.textContent('[data-testid="position-residual"]');
    assert.ok(residual !== null);
    await shot("3-liquidated");
    await page.click('[data-testid="claim"]');
    await page.waitForSelector('[data-testid="no-positions"]', { timeout: 30_000 });
    await shot("4-claimed");
    publish("150");
  });
});
