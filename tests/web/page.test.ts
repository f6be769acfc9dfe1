// The trader web app in a real browser: Debian's Chromium driven by playwright-core, against
// solana-test-validator with Ringfence, the localnet price publisher and the keeper
// (`ringfence-localnet up`), the page built and served by Vite as `make web` does. Screenshots go
// to target/web-test/ for a reviewer.
import { strict as assert } from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { AnchorProvider, Wallet } from "@anchor-lang/core";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { chromium, type Browser, type Page, type Route } from "playwright-core";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PRICE_ONE, RingfenceClient } from "../../app/src";
// The page's own formatting: what it shows is compared with on-chain values through it.
import { priceText, tokens } from "../../app/web/src/format";
import { BIN, CACHE, freePort, gate, ROOT, sleep, TOOLS } from "../support";

const CHROMIUM = process.env.RINGFENCE_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = join(ROOT, "target", "web-test");

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
    // No heartbeat: each step publishes the prices it needs, and a price can go stale.
    localnet = spawn(join(BIN, "ringfence-localnet"), ["up", "--heartbeat-secs", "0"], { env, stdio: "ignore" });
    for (let i = 0; !existsSync(infoFile); i++) {
      if (i > 600) throw new Error("ringfence-localnet up did not come up");
      await sleep(200);
    }
    info = JSON.parse(readFileSync(infoFile, "utf8"));
    // Vite itself (not through npx), so that stopping it stops the server.
    const vite = join(ROOT, "node_modules", "vite", "bin", "vite.js");
    execFileSync(process.execPath, [vite, "build", "--config", "app/web/vite.config.mts", "--logLevel", "error"], { cwd: ROOT, env, stdio: "ignore" });
    const port = await freePort();
    web = spawn(process.execPath, [vite, "preview", "--config", "app/web/vite.config.mts", "--port", String(port), "--strictPort"], { cwd: ROOT, env, stdio: "ignore" });
    // Unpacked into the cache without root (scripts/setup.sh browser): its libraries beside it.
    const unpacked = CHROMIUM.startsWith(join(CACHE, "chromium"));
    const libs = ["usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib/aarch64-linux-gnu", "usr/lib"]
      .map((d) => join(CACHE, "chromium", d)).join(":");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      env: unpacked ? { ...process.env, LD_LIBRARY_PATH: `${libs}:${process.env.LD_LIBRARY_PATH ?? ""}` } : process.env,
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

  // On-chain facts each step checks against what the page shows.
  let wallet: PublicKey;
  let mint: PublicKey;
  const balance = async (owner: PublicKey, m = mint) => {
    const b = await client.program.provider.connection.getTokenAccountBalance(getAssociatedTokenAddressSync(m, owner)).catch(() => null);
    return BigInt(b?.value.amount ?? "0");
  };
  const text = async (id: string) => (await page.textContent(`[data-testid="${id}"]`)) ?? "";
  const raw = async (id: string) => BigInt((await page.getAttribute(`[data-testid="${id}"]`, "data-raw")) ?? "x");
  /**
   * Clicks `testid` and waits for the transaction it sends (`what`) to settle: the status bar goes
   * pending -> confirmed or failed (it is marked first, so an earlier status cannot answer).
   */
  const act = async (testid: string, what: string) => {
    await page.evaluate(() => document.querySelector('[data-testid="tx-status"]')?.setAttribute("data-kind", "earlier"));
    await page.click(`[data-testid="${testid}"]`);
    await page.waitForFunction((w) => {
      const s = document.querySelector('[data-testid="tx-status"]');
      const k = s?.getAttribute("data-kind");
      return (k === "confirmed" || k === "failed") && s?.textContent?.startsWith(w);
    }, what, { timeout: 60_000 });
    return { kind: await page.getAttribute('[data-testid="tx-status"]', "data-kind"), text: await text("tx-text") };
  };
  /** As `act`, and the transaction is confirmed, its signature shown and confirmed on chain. */
  const confirmed = async (testid: string, what: string) => {
    const r = await act(testid, what);
    assert.equal(r.kind, "confirmed", r.text);
    const sig = await text("tx-signature");
    const st = await client.program.provider.connection.getSignatureStatus(sig);
    assert.ok(st.value && !st.value.err && st.value.confirmationStatus !== "processed", `signature ${sig} confirmed on chain`);
  };
  /** As `act`, and the transaction failed: the words shown. */
  const failed = async (testid: string, what: string) => {
    const r = await act(testid, what);
    assert.equal(r.kind, "failed", r.text);
    return r.text;
  };
  const simulation = (needle: string) =>
    page.waitForFunction((n) => document.querySelector('[data-testid="preview-simulation"]')?.textContent?.includes(n), needle, { timeout: 60_000 });

  it("connects the test wallet, funds it and opens a 5x long exactly as previewed, at the program's liquidation price", async () => {
    publish("150");
    await page.click('[data-testid^="connect-"]');
    wallet = new PublicKey(await text("wallet-address"));
    await page.click('[data-testid="faucet"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="faucet-status"]')?.textContent?.includes("funded"));
    const market = await client.fetchMarket(new PublicKey(info.markets[0].market));
    mint = market.collateralMint;
    await page.waitForFunction(() => document.querySelector('[data-testid="wallet-balance"]')?.textContent?.startsWith("10000 "));
    await simulation("would succeed");
    const pv = {
      size: await raw("preview-size"), collateral: await raw("preview-collateral"), reserve: await raw("preview-reserve"),
      entry: await raw("preview-entry"), liquidation: await raw("preview-liquidation"),
    };
    const previewLiq = await text("preview-liquidation");
    await shot("1-ticket");
    const before = await balance(wallet);
    await confirmed("open", "open_position");
    await page.waitForSelector('[data-testid="position"]');
    await shot("2-opened");
    // The position the transaction created is the previewed one, to the unit.
    const key = new PublicKey(await page.getAttribute('[data-testid="position"]', "data-address") ?? "");
    const p = (await client.fetchPosition(key))!;
    assert.ok(p.owner.equals(wallet));
    assert.deepEqual(
      [BigInt(p.size.toString()), BigInt(p.collateral.toString()), BigInt(p.reserve.toString()), BigInt(p.entryPrice.toString())],
      [pv.size, pv.collateral, pv.reserve, pv.entry],
    );
    assert.equal(before - (await balance(wallet)), 100_000_000n, "the wallet paid the typed collateral");
    // The page's liquidation price is the program's own view of the position.
    const view = await client.program.methods.positionHealth()
      .accountsStrict({ market: p.market, oracle: market.oracle, position: key, vault: p.vault }).view();
    const liq = BigInt((view.liquidationPrice as { at: { 0: { toString(): string } } }).at[0].toString());
    assert.equal(await text("position-liquidation"), priceText(liq));
    assert.equal(previewLiq, priceText(liq), "the ticket previewed the position's liquidation price");
    assert.ok(pv.liquidation - liq < PRICE_ONE / 10_000n && liq - pv.liquidation < PRICE_ONE / 10_000n);
    // The vault: its balance, and a link to its account.
    const vaultBalance = BigInt((await client.program.provider.connection.getTokenAccountBalance(p.vault)).value.amount);
    assert.equal(await text("position-vault-balance"), tokens(vaultBalance));
    assert.ok((await page.getAttribute('[data-testid="position-vault"]', "href"))?.includes(`/address/${p.vault.toBase58()}`));
    // The chart draws the position's lines.
    assert.equal(await text("chart-line-liquidation"), `liquidation ${priceText(liq)}`);
    assert.ok(Number(await page.getAttribute('[data-testid="chart"]', "data-points")) >= 1);
  });

  it("adds margin, then the keeper liquidates it after a crash and the owner claims the residual", async () => {
    const key = new PublicKey(await page.getAttribute('[data-testid="position"]', "data-address") ?? "");
    const collateral = BigInt((await client.fetchPosition(key))!.collateral.toString());
    await page.fill('[data-testid="margin-amount"]', "10");
    await confirmed("add-margin", "add_margin");
    await page.waitForFunction((c) => document.querySelector('[data-testid="position-collateral"]')?.textContent === c, tokens(collateral + 10_000_000n));
    assert.equal(BigInt((await client.fetchPosition(key))!.collateral.toString()), collateral + 10_000_000n);
    // Past the liquidation price (about 124.6 for 5x at 150 with 10 added) by more than 3, short
    // of the bankruptcy price (about 117): the view's confidence convention cannot make this step
    // flaky, and the owner keeps a residual.
    publish("121");
    await page.waitForSelector('[data-testid="position"][data-status="liquidated"]', { timeout: 60_000 });
    const residual = BigInt((await client.fetchPosition(key))!.residual.toString());
    assert.ok(residual > 0n, "liquidated before bankruptcy: the owner keeps a residual");
    assert.equal(await text("position-residual"), tokens(residual));
    await shot("3-liquidated");
    const before = await balance(wallet);
    await confirmed("claim", "claim_residual");
    await page.waitForSelector('[data-testid="no-positions"]', { timeout: 30_000 });
    assert.equal((await balance(wallet)) - before, residual, "the claim paid the residual shown");
    await shot("4-claimed");
  });

  it("opens a position and closes it in profit", async () => {
    publish("150");
    await page.waitForFunction(() => document.querySelector('[data-testid="oracle-price"]')?.textContent?.startsWith("150.0000"));
    await simulation("would succeed");
    const before = await balance(wallet);
    await confirmed("open", "open_position");
    await page.waitForSelector('[data-testid="position"][data-status="open"]');
    publish("165");
    await page.waitForFunction(() => document.querySelector('[data-testid="oracle-price"]')?.textContent?.startsWith("165.0000"));
    await page.waitForFunction(() => {
      const t = document.querySelector('[data-testid="position-pnl"]')?.textContent;
      return typeof t === "string" && t !== "0" && !t.startsWith("-");
    });
    await shot("5-in-profit");
    await confirmed("close", "close_position");
    await page.waitForSelector('[data-testid="no-positions"]', { timeout: 30_000 });
    // 5x on a 10% move, net of fees: about +50 on 100.
    const gain = (await balance(wallet)) - before;
    assert.ok(gain > 40_000_000n && gain < 50_000_000n, `closed in profit: ${gain}`);
    await shot("6-closed");
  });

  it("shows the program's named error for over-leverage and for a stale price, and moves nothing", async () => {
    publish("150");
    const before = await balance(wallet);
    await page.fill('[data-testid="leverage-value"]', "12");
    await page.waitForSelector('[data-testid="leverage-warning"]');
    await simulation("LeverageTooHigh");
    assert.match(await failed("open", "open_position"), /^LeverageTooHigh: /);
    await shot("7-over-leverage");
    publish("150");
    await page.fill('[data-testid="leverage-value"]', "5");
    await simulation("would succeed");
    // No heartbeat in this run: the price goes stale after the market's 20 s.
    await simulation("OraclePriceStale");
    assert.match(await failed("open", "open_position"), /^OraclePriceStale: /);
    await shot("8-stale-price");
    assert.equal(await balance(wallet), before, "rejected transactions moved nothing");
    assert.equal(await page.locator('[data-testid="position"]').count(), 0);
  });

  /** Publishes prices until a keeper's sweep has executed the pending LP request (its price must
   * be newer than the request, on the cluster's clock). */
  const executed = async () => {
    for (let i = 0; i < 30; i++) {
      await sleep(2_000);
      publish("150");
      try {
        await page.waitForSelector('[data-testid="lp-request"][data-state="executed"]', { timeout: 4_000 });
        return;
      } catch { /* not yet */ }
    }
    throw new Error("the LP request was not executed");
  };

  it("deposits and withdraws as an LP at the pool value the page shows", async () => {
    publish("150");
    const lpMint = (await client.fetchMarket(new PublicKey(info.markets[0].market))).lpMint;
    const cli = () => JSON.parse(execFileSync(join(BIN, "ringfence"), ["--url", info.rpcUrl, "--json", "lp", "value", "--market", info.markets[0].market]).toString());
    const v = cli();
    const row = Array.isArray(v) ? v[0] : v;
    // No open position: the pool value is exact and still, so the page and the CLI agree to the unit.
    assert.equal(await text("lp-pool-value"), row.pool_value);
    assert.equal(await text("lp-deposit-cost"), row.deposit_cost_per_share);
    assert.equal(await text("lp-withdrawal-value"), row.withdrawal_value_per_share);
    assert.notEqual(row.deposit_cost_per_share, row.withdrawal_value_per_share);
    const tokensBefore = await balance(wallet);
    await page.fill('[data-testid="lp-deposit-amount"]', "1000");
    const quoted = (await text("lp-deposit-quote")).match(/≈ ([\d.]+) shares/)![1];
    await confirmed("lp-deposit", "request_deposit");
    await page.waitForSelector('[data-testid="lp-request"][data-state="pending"]');
    await shot("9-lp-requested");
    // The keeper's sweep needs a price published after the request.
    await executed();
    assert.equal(await text("lp-claimable"), quoted, "executed at the quoted shares");
    await confirmed("lp-claim", "claim_lp_request");
    const shares = await balance(wallet, lpMint);
    assert.equal(tokens(shares), quoted);
    assert.equal(tokensBefore - (await balance(wallet)), 1_000_000_000n);
    await page.waitForFunction((s) => document.querySelector('[data-testid="lp-balance"]')?.getAttribute("data-raw") === s, String(shares));
    await shot("10-lp-deposited");
    await page.fill('[data-testid="lp-withdraw-shares"]', tokens(shares));
    const net = (await text("lp-withdraw-quote")).match(/≈ ([\d.]+) now/)![1];
    const beforeWithdraw = await balance(wallet);
    await confirmed("lp-withdraw", "request_withdrawal");
    await executed();
    await confirmed("lp-claim", "claim_lp_request");
    assert.equal(tokens((await balance(wallet)) - beforeWithdraw), net, "the withdrawal paid what the page quoted");
    assert.equal(await balance(wallet, lpMint), 0n);
    await shot("11-lp-withdrawn");
  });
  it("values the pool position by position as the program does (an open long and short)", async () => {
    publish("150");
    await page.waitForFunction(() => document.querySelector('[data-testid="oracle-price"]')?.textContent?.startsWith("150.0000"));
    for (const side of ["long", "short"]) {
      // The chosen side's button is disabled (it is the selected one).
      if (await page.isEnabled(`[data-testid="side-${side}"]`)) await page.click(`[data-testid="side-${side}"]`);
      await simulation("would succeed");
      await confirmed("open", "open_position");
    }
    publish("140"); // the long in loss, the short in profit
    await page.waitForFunction(() => document.querySelector('[data-testid="oracle-price"]')?.textContent?.startsWith("140.0000"));
    const row = [JSON.parse(execFileSync(join(BIN, "ringfence"), ["--url", info.rpcUrl, "--json", "lp", "value", "--market", info.markets[0].market]).toString())].flat()[0];
    const page_ = await raw("lp-pool-value");
    const [whole, frac = ""] = (row.pool_value as string).split(".");
    const cli = BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, "0"));
    // The page and the CLI read the borrow index at their own second (a unit or so apart); the
    // exact check against a sweep is tests/ts ("the client's pool value ... is a sweep's").
    assert.ok(page_ - cli < 100n && cli - page_ < 100n, `page ${page_} vs ringfence lp value ${cli}`);
    assert.notEqual(row.pool_value, row.free_liquidity, "the positions count in the value");
    await shot("12-two-positions");
    for (let left = 1; left >= 0; left--) {
      await confirmed("close", "close_position");
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="position"]').length === n, left);
    }
    await page.waitForSelector('[data-testid="no-positions"]');
  });

  it("the test wallet refuses to sign when the cluster's genesis hash is not the recorded one", async () => {
    const forged = join(dir, "localnet-other-genesis.json");
    writeFileSync(forged, JSON.stringify({ ...JSON.parse(readFileSync(infoFile, "utf8")), genesisHash: "11111111111111111111111111111111" }));
    const port = await freePort();
    const vite = join(ROOT, "node_modules", "vite", "bin", "vite.js");
    const other = spawn(process.execPath, [vite, "preview", "--config", "app/web/vite.config.mts", "--port", String(port), "--strictPort"],
      { cwd: ROOT, env: { ...process.env, RINGFENCE_LOCALNET_FILE: forged }, stdio: "ignore" });
    const p2 = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      for (let k = 0; ; k++) {
        try { await p2.goto(`http://127.0.0.1:${port}/`); break; } catch (e) { if (k > 100) throw e; await sleep(200); }
      }
      publish("150");
      await p2.click('[data-testid^="connect-"]');
      const w = new PublicKey((await p2.textContent('[data-testid="wallet-address"]')) ?? "");
      await p2.click('[data-testid="faucet"]');
      await p2.waitForFunction(() => document.querySelector('[data-testid="faucet-status"]')?.textContent?.includes("funded"));
      await p2.waitForSelector('[data-testid="open"]:not([disabled])');
      const before = await balance(w);
      await p2.click('[data-testid="open"]');
      await p2.waitForFunction(() => document.querySelector('[data-testid="tx-status"]')?.getAttribute("data-kind") === "failed", null, { timeout: 30_000 });
      assert.match((await p2.textContent('[data-testid="tx-text"]')) ?? "", /signs only on the local validator/);
      assert.equal(await p2.locator('[data-testid="tx-signature"]').count(), 0, "nothing was sent");
      assert.equal(await balance(w), before);
      await p2.screenshot({ path: join(SHOTS, "13-other-genesis-refused.png"), fullPage: true });
    } finally {
      await p2.close();
      other.kill("SIGTERM");
    }
  });

  it("a build for another cluster contains no test wallet and no faucet", () => {
    const out = mkdtempSync(join(tmpdir(), "ringfence-web-devnet-"));
    const vite = join(ROOT, "node_modules", "vite", "bin", "vite.js");
    execFileSync(process.execPath, [vite, "build", "--config", "app/web/vite.config.mts", "--outDir", out, "--emptyOutDir", "--logLevel", "error"], {
      cwd: ROOT, env: { ...process.env, RINGFENCE_CLUSTER: "devnet", RINGFENCE_RPC_URL: "https://api.devnet.solana.com" }, stdio: "ignore",
    });
    const files = execFileSync("find", [out, "-type", "f"]).toString().trim().split("\n");
    const all = files.map((f) => readFileSync(f, "utf8")).join("\n");
    for (const needle of ["Ringfence Test Wallet", "/faucet?to=", "localnet.json", "signs only on the local validator", "ringfence-test-wallet"]) {
      assert.ok(!all.includes(needle), `${needle} is in the devnet bundle`);
    }
    // ... while the localnet build being served has them (the needles are the right ones).
    const served = execFileSync("find", [join(ROOT, "target", "web"), "-type", "f", "-name", "*.js"]).toString().trim().split("\n")
      .map((f) => readFileSync(f, "utf8")).join("\n");
    assert.ok(served.includes("Ringfence Test Wallet") && served.includes("/faucet?to="));
  });

  it("a market selected while a read of the previous one fails still loads", async () => {
    const [sol, btc] = [info.markets[0].market, info.markets[1].market];
    const p3 = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const g = gate();
    let once = false;
    // The first read of SOL-PERP's positions is held, then fails (a dropped connection / a 429).
    await p3.route(`${info.rpcUrl}**`, async (route: Route) => {
      const body = route.request().postData() ?? "";
      if (!once && body.includes('"getProgramAccounts"') && body.includes(sol)) {
        once = true;
        g.reach();
        await g.opened;
        return route.abort("failed");
      }
      return route.continue();
    });
    try {
      publish("150");
      await p3.goto(page.url());
      await g.reached; // SOL-PERP's first read is in flight
      await p3.selectOption('[data-testid="market-select"]', btc);
      g.open();
      // BTC-PERP's panel must appear (today: never; the loop ended with SOL-PERP's error).
      await p3.waitForSelector('[data-testid="market-panel"]', { timeout: 15_000 });
      assert.ok((await p3.textContent('[data-testid="oracle-price"]'))?.startsWith("100000."), "BTC-PERP's price is shown");
      assert.equal(await p3.locator('[data-testid="read-error"]').count(), 0, "no error of the market no longer shown");
    } finally {
      await p3.close();
    }
  });

  it("the history read after a transaction on one market does not land on the market selected since", async () => {
    const [sol, btc] = [info.markets[0].market, info.markets[1].market];
    const g = gate();
    let armed = false;
    await page.route(`${info.rpcUrl}**`, async (route: Route) => {
      const body = route.request().postData() ?? "";
      if (armed && body.includes('"getSignaturesForAddress"') && body.includes(sol)) {
        armed = false;
        g.reach();
        await g.opened;
      }
      return route.continue();
    });
    try {
      publish("150");
      await page.waitForFunction(() => document.querySelector('[data-testid="oracle-price"]')?.textContent?.startsWith("150.0000"));
      await simulation("would succeed");
      armed = true;
      await confirmed("open", "open_position"); // SOL-PERP: a PositionOpened event
      await g.reached; // send's readHistory(SOL-PERP) is in flight
      await page.selectOption('[data-testid="market-select"]', btc);
      // BTC-PERP's own history first (its seed liquidity), then SOL-PERP's late answer.
      await page.waitForFunction(() => (document.querySelector('[data-testid="activity"]')?.children.length ?? 0) > 1);
      g.open();
      await sleep(3_000);
      const names = await page.$$eval('[data-testid="activity"] b', (bs: Element[]) => bs.map((b) => b.textContent ?? ""));
      assert.ok(!names.some((n: string) => /positionopened/i.test(n)), `SOL-PERP's events shown on BTC-PERP: ${names.join(", ")}`);
    } finally {
      g.open();
      await page.unroute(`${info.rpcUrl}**`);
      // Back to SOL-PERP and close what was opened.
      await page.selectOption('[data-testid="market-select"]', sol);
      await page.waitForSelector('[data-testid="position"][data-status="open"]', { timeout: 30_000 });
      await confirmed("close", "close_position");
      await page.waitForSelector('[data-testid="no-positions"]', { timeout: 30_000 });
    }
  });
});
