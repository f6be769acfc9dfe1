// The TypeScript client against a real solana-test-validator: the full lifecycle for traders and
// LPs, and the rejections a wallet user could hit.
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { AnchorError, AnchorProvider, BN, Wallet } from "@anchor-lang/core";
import { Connection, Keypair, PublicKey, sendAndConfirmTransaction, SystemProgram, Transaction, TransactionInstruction } from "@solana/web3.js";
import { createMint, getAccount, getOrCreateAssociatedTokenAccount, mintTo } from "@solana/spl-token";
import { limitWithSlippage, localnetPricePda, lpRequestPda, NO_TRIGGER, orderPda, PROGRAM_ID, PYTH_RECEIVER_ID, POSITION_LIQUIDATED, positionPda, PRICE_ONE, RingfenceClient, MarketKeys, postPriceIx, liquidationPrice, poolValue, valuedPosition } from "../../app/src";
import { BIN, freePort, ROOT, TOOLS } from "../support";

/** The Rust keeper binary (`cargo build -p ringfence-keeper`; `make test` builds it first). */
const KEEPER = join(BIN, "ringfence-keeper");
const USDC = 1_000_000n;
const FEED = Buffer.alloc(32, 9);

describe("TypeScript client on a local validator", function () {
  let validator: ChildProcess;
  let rpcPort: number;
  let connection: Connection;
  let client: RingfenceClient;
  const admin = Keypair.generate();
  const lp = Keypair.generate();
  const trader = Keypair.generate();
  let keys: MarketKeys;
  let mint: PublicKey;
  let traderToken: PublicKey;

  const send = async (ixs: TransactionInstruction[], signers: Keypair[]) => {
    const tx = new Transaction().add(...ixs);
    return sendAndConfirmTransaction(connection, tx, signers, { commitment: "confirmed" });
  };
  const price = (p: number) => postPriceIx(admin.publicKey, FEED, BigInt(Math.round(p * 1e8)), 0n, -8, BigInt(Math.floor(Date.now() / 1000)));
  const expectError = async (name: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (e) {
      const text = e instanceof AnchorError ? e.error.errorCode.code : String(e) + JSON.stringify((e as { logs?: string[] }).logs ?? []);
      assert.ok(text.includes(name), `expected ${name}, got ${text}`);
      return;
    }
    assert.fail(`expected ${name}`);
  };

  before(async function () {
    this.timeout(120_000);
    let rpc = await freePort();
    while (rpc > 60_000) rpc = await freePort();
    rpcPort = rpc;
    const ledger = mkdtempSync(join(tmpdir(), "ringfence-ts-"));
    validator = spawn(join(TOOLS, "solana-test-validator"), [
      "--ledger", ledger, "--bind-address", "127.0.0.1", "--rpc-port", String(rpc),
      "--gossip-port", String(rpc + 2), "--faucet-port", String(rpc + 3), "--dynamic-port-range", `${rpc + 4}-${rpc + 39}`,
      "--mint", admin.publicKey.toBase58(), "--quiet",
      "--bpf-program", PYTH_RECEIVER_ID.toBase58(), join(ROOT, "target/deploy/localnet_oracle.so"),
      "--upgradeable-program", PROGRAM_ID.toBase58(), join(ROOT, "target/deploy/ringfence.so"), admin.publicKey.toBase58(),
    ], { stdio: "ignore" });
    connection = new Connection(`http://127.0.0.1:${rpc}`, "confirmed");
    for (let i = 0; ; i++) {
      try {
        await connection.getLatestBlockhash();
        break;
      } catch {
        if (i > 300) throw new Error("validator did not start");
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    client = new RingfenceClient(new AnchorProvider(connection, new Wallet(admin), { commitment: "confirmed" }));
    for (const w of [lp, trader]) {
      await send([ (await import("@solana/web3.js")).SystemProgram.transfer({ fromPubkey: admin.publicKey, toPubkey: w.publicKey, lamports: 2_000_000_000 }) ], [admin]);
    }
    mint = await createMint(connection, admin, admin.publicKey, null, 6);
    await send([price(150)], [admin]);
    keys = RingfenceClient.marketKeys(admin.publicKey, mint, FEED, localnetPricePda(FEED));
    const params = {
      initialMarginBps: 1000, maintenanceMarginBps: 500, liquidationFeeBps: 100, maxConfBps: 200, maxConfLiquidateBps: 1000,
      openFeeBps: 10, closeFeeBps: 10, lpFeeBps: 20, maxProfitBps: 5000, maxPriceAgeTradeSecs: 20, maxPriceAgeLiquidateSecs: 60,
      borrowRateMin: new BN(317), borrowRateMax: new BN(3171), maxOpenInterestLong: new BN("100000000000000"),
      maxOpenInterestShort: new BN("100000000000000"), timelockSecs: new BN(3600), minPositionSize: new BN(10_000_000),
    };
    await send([await client.initializeMarket(admin.publicKey, keys, FEED, params)], [admin]);
    traderToken = (await getOrCreateAssociatedTokenAccount(connection, admin, mint, trader.publicKey)).address;
    await mintTo(connection, admin, mint, traderToken, admin, 1_000n * USDC);
  });

  after(() => validator?.kill("SIGTERM"));

  it("an LP deposit request executes at the exact pool value of a sweep started after it", async () => {
    const lpToken = (await getOrCreateAssociatedTokenAccount(connection, admin, mint, lp.publicKey)).address;
    const lpShares = (await getOrCreateAssociatedTokenAccount(connection, admin, keys.lpMint, lp.publicKey)).address;
    await mintTo(connection, admin, mint, lpToken, admin, 100_000n * USDC);
    await send([await client.requestDeposit(lp.publicKey, lpToken, lpShares, keys, 100_000n * USDC)], [lp]);
    // The sweep must start in a later second than the request.
    await new Promise((r) => setTimeout(r, 1_500));
    const request = lpRequestPda(keys.market, lp.publicKey);
    for (const ixs of await client.sweepAndExecute(admin.publicKey, keys, [request], [price(150)])) await send(ixs, [admin]);
    // The shares wait in escrow; the LP claims them into its own account.
    await send([await client.claimLpRequest(lp.publicKey, keys, lpShares)], [lp]);
    // First deposit: one share per unit net of the 0.2% LP fee, 1,000 of them held by nobody.
    assert.equal((await getAccount(connection, lpShares)).amount, 99_800n * USDC - 1_000n);
    assert.equal(await client.fetchLpRequest(request), null);
    const m = await client.fetchMarket(keys.market);
    assert.equal(m.freeLiquidity.toString(), (100_000n * USDC).toString());
  });

  it("a trader opens, adds and removes margin, decreases and closes", async () => {
    const [position] = positionPda(keys.market, trader.publicKey, 1n);
    const sig = await send([price(150), await client.openPosition(trader.publicKey, traderToken, keys, 1n, "long", 101n * USDC, 1_000n * USDC)], [trader, admin]);
    const p = await client.fetchPosition(position);
    assert.ok(p);
    assert.equal(p.collateral.toString(), (100n * USDC).toString());
    assert.equal(p.reserve.toString(), (500n * USDC).toString());
    assert.equal((await getAccount(connection, p.vault)).amount, 600n * USDC);
    const tx = await connection.getTransaction(sig, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    const events = client.events(tx?.meta?.logMessages ?? []);
    assert.ok(events.some((e) => e.name === "positionOpened"), JSON.stringify(events.map((e) => e.name)));
    // The client's math agrees with the event's liquidation price.
    const opened = events.find((e) => e.name === "positionOpened")!.data as { liquidationPrice: { at?: { 0: BN } }; entryPrice: BN };
    const mine = liquidationPrice("long", 1_000n * USDC, 100n * USDC, 500n * USDC, BigInt(opened.entryPrice.toString()), 1n * USDC, 500n);
    assert.equal(mine.toString(), opened.liquidationPrice.at?.[0].toString());

    await send([await client.addMargin(traderToken, position, p, 20n * USDC)], [trader]);
    await send([price(150), await client.removeMargin(traderToken, keys, position, p, 10n * USDC)], [trader, admin]);
    await send([price(156), await client.decreasePosition(traderToken, keys, position, p, 500n * USDC)], [trader, admin]);
    const half = await client.fetchPosition(position);
    assert.equal(half?.size.toString(), (500n * USDC).toString());
    assert.equal((await client.positions(keys.market)).length, 1);
    // Back to 1,000 notional at 156, with collateral for it: the entry weighted by base quantity.
    await send([price(156), await client.increasePosition(traderToken, keys, position, p, 500n * USDC, 60n * USDC)], [trader, admin]);
    const grown = (await client.fetchPosition(position))!;
    assert.equal(grown.size.toString(), (1_000n * USDC).toString());
    assert.ok(grown.entryPrice.gt(half!.entryPrice), "the added part bought higher");
    await send([price(156), await client.closePosition(traderToken, keys, position, p)], [trader, admin]);
    assert.equal(await client.fetchPosition(position), null);
    assert.equal((await client.positions(keys.market)).length, 0);
    // Profit at 156 minus fees: the trader ends above the 1,000 it started with.
    assert.ok((await getAccount(connection, traderToken)).amount > 1_000n * USDC);
  });

  it("rejections a wallet user can hit are named errors", async () => {
    await send([price(150)], [admin]);
    // The trader's bound: an open previewed at 150 with 0.5% slippage fails once the price is 1% higher.
    const limit = limitWithSlippage("long", true, 150n * 10n ** 10n, 50n, null);
    await expectError("PriceWorseThanAcceptable", async () =>
      send([price(151.5), await client.openPosition(trader.publicKey, traderToken, keys, 5n, "long", 101n * USDC, 1_000n * USDC, limit)], [trader, admin]));
    await send([price(150)], [admin]);
    await expectError("LeverageTooHigh", async () =>
      send([await client.openPosition(trader.publicKey, traderToken, keys, 2n, "long", 10n * USDC, 1_000n * USDC)], [trader]));
    await send([await client.openPosition(trader.publicKey, traderToken, keys, 3n, "short", 101n * USDC, 1_000n * USDC)], [trader]);
    const [position] = positionPda(keys.market, trader.publicKey, 3n);
    const lpToken = (await getOrCreateAssociatedTokenAccount(connection, admin, mint, lp.publicKey)).address;
    const p = (await client.fetchPosition(position))!;
    await expectError("OwnerMismatch", async () =>
      send([await client.addMargin(lpToken, position, { ...p, owner: lp.publicKey }, 1n * USDC)], [lp]));
    await expectError("RemoveMarginBreaksInitialMargin", async () =>
      send([await client.removeMargin(traderToken, keys, position, p, 50n * USDC)], [trader]));
    await expectError("ZeroAmount", async () =>
      send([await client.addMargin(traderToken, position, p, 0n)], [trader]));
  });

  it("a position changes hands with both signatures and keeps its address", async () => {
    await send([price(150), await client.openPosition(trader.publicKey, traderToken, keys, 6n, "short", 101n * USDC, 1_000n * USDC)], [trader, admin]);
    const [position] = positionPda(keys.market, trader.publicKey, 6n);
    const p = (await client.fetchPosition(position))!;
    const sig = await send([await client.transferPosition(position, p, lp.publicKey)], [trader, lp]);
    const after = (await client.fetchPosition(position))!;
    assert.ok(after.owner.equals(lp.publicKey) && after.seedOwner.equals(trader.publicKey) && after.vault.equals(p.vault));
    const tx = await connection.getTransaction(sig, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    assert.ok(client.events(tx?.meta?.logMessages ?? []).some((e) => e.name === "positionTransferred"));
    await expectError("OwnerMismatch", async () => send([await client.transferPosition(position, p, admin.publicKey)], [trader, admin]));
    await send([await client.transferPosition(position, after, trader.publicKey)], [lp, trader]);
  });

  it("a keeper liquidates without any account of the owner; the owner claims the residual", async () => {
    await send([price(150), await client.openPosition(trader.publicKey, traderToken, keys, 4n, "long", 101n * USDC, 1_000n * USDC)], [trader, admin]);
    const [position] = positionPda(keys.market, trader.publicKey, 4n);
    const keeperToken = (await getOrCreateAssociatedTokenAccount(connection, admin, mint, admin.publicKey)).address;
    const before = (await getAccount(connection, traderToken)).amount;
    const p = (await client.fetchPosition(position))!;
    await send([price(141), await client.liquidate(admin.publicKey, keeperToken, keys, position, p)], [admin]);
    const after = (await client.fetchPosition(position))!;
    assert.equal(after.status, POSITION_LIQUIDATED);
    assert.ok(after.residual.gtn(0));
    assert.equal((await getAccount(connection, traderToken)).amount, before, "nothing paid to the owner by the keeper");
    assert.equal((await client.positions(keys.market)).some((x) => x.publicKey.equals(position)), false);
    await expectError("PositionNotOpen", async () => send([await client.closePosition(traderToken, keys, position, after)], [trader]));
    await send([await client.claimResidual(traderToken, position, after)], [trader]);
    assert.equal((await getAccount(connection, traderToken)).amount, before + BigInt(after.residual.toString()));
    assert.equal(await client.fetchPosition(position), null);
  });

  it("a limit order placed with the client is filled by the keeper once the price reaches it", async function () {
    this.timeout(120_000);
    const owner = Keypair.generate();
    const keeper = Keypair.generate();
    for (const w of [owner, keeper]) {
      await send([SystemProgram.transfer({ fromPubkey: admin.publicKey, toPubkey: w.publicKey, lamports: 1_000_000_000 })], [admin]);
    }
    const ownerToken = (await getOrCreateAssociatedTokenAccount(connection, admin, mint, owner.publicKey)).address;
    await mintTo(connection, admin, mint, ownerToken, admin, 500n * USDC);
    await send([price(150)], [admin]);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const spec = {
      id: 9n, side: "long" as const, collateral: 101n * USDC, size: 1_000n * USDC, limitPrice: 145n * PRICE_ONE,
      expiry: now + 600n, execFee: USDC / 10n, takeProfit: NO_TRIGGER, stopLoss: { price: 120n * PRICE_ONE, size: 0n, fee: USDC / 10n },
    };
    await send([await client.placeLimitOrder(owner.publicKey, ownerToken, keys, spec)], [owner]);
    const [order] = orderPda(keys.market, owner.publicKey, 9n);
    const placed = (await client.fetchOrder(order))!;
    assert.ok(placed.position.equals(positionPda(keys.market, owner.publicKey, 9n)[0]));
    assert.equal((await client.orders(keys.market)).length, 1);
    assert.equal((await getAccount(connection, ownerToken)).amount, 500n * USDC - 101n * USDC - 2n * (USDC / 10n));

    // The Rust keeper, as an operator runs it, against this validator.
    const dir = mkdtempSync(join(tmpdir(), "ringfence-keeper-"));
    writeFileSync(join(dir, "keeper.json"), JSON.stringify(Array.from(keeper.secretKey)));
    const metrics = await freePort();
    const proc = spawn(KEEPER, [
      "--rpc-url", `http://127.0.0.1:${rpcPort}`, "--ws-url", `ws://127.0.0.1:${rpcPort + 1}`,
      "--keypair", join(dir, "keeper.json"), "--market", keys.market.toBase58(), "--metrics-addr", `127.0.0.1:${metrics}`,
    ], { stdio: "ignore" });
    try {
      // Subscribed, and a price certainly published after placement: more than the allowed 10 s
      // clock skew later.
      await new Promise((r) => setTimeout(r, 12_000));
      await send([price(144)], [admin]); // a long's entry 144 <= 145
      for (let i = 0; (await client.fetchOrder(order)) !== null; i++) {
        if (i > 300) assert.fail("the keeper did not fill the order");
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      proc.kill("SIGTERM");
    }
    const p = (await client.fetchPosition(placed.position))!;
    assert.ok(p.owner.equals(owner.publicKey));
    assert.equal(p.size.toString(), (1_000n * USDC).toString());
    assert.equal(p.entryPrice.toString(), (144n * PRICE_ONE).toString());
    assert.equal(p.stopLoss.price.toString(), (120n * PRICE_ONE).toString());
    assert.ok(p.stopLoss.setAt.gtn(0), "the stop-loss is set as of the fill");
    // The keeper earned the fee into its own token account; the escrow is closed.
    const keeperToken = (await getOrCreateAssociatedTokenAccount(connection, admin, mint, keeper.publicKey)).address;
    assert.equal((await getAccount(connection, keeperToken)).amount, USDC / 10n);
    assert.equal(await connection.getAccountInfo(placed.escrow), null);
    assert.equal((await client.orders(keys.market)).length, 0);
  });
  it("the client's pool value (the web page's) is a sweep's to the unit: positions in loss, bankrupt and past their profit cap", async () => {
    await mintTo(connection, admin, mint, traderToken, admin, 1_000n * USDC);
    await send([price(150),
      await client.openPosition(trader.publicKey, traderToken, keys, 21n, "long", 101n * USDC, 1_000n * USDC),
      await client.openPosition(trader.publicKey, traderToken, keys, 22n, "short", 60n * USDC, 300n * USDC),
      await client.openPosition(trader.publicKey, traderToken, keys, 23n, "short", 30n * USDC, 100n * USDC),
      await client.openPosition(trader.publicKey, traderToken, keys, 24n, "long", 601n * USDC, 1_000n * USDC),
    ], [trader, admin]);
    // At 70 (-53%): the 10x long is bankrupt (bad debt), the shorts are past their 50% cap, the
    // 1.7x long is in loss but healthy. Every open position is valued in one sweep.
    await new Promise((r) => setTimeout(r, 1_100));
    await send([price(70), await client.startSweep(admin.publicKey, keys)], [admin]);
    const open = await client.positions(keys.market);
    assert.ok(open.length >= 4);
    for (let i = 0; i < open.length; i += 10) await send([await client.sweepPositions(keys, open.slice(i, i + 10).map((p) => p.publicKey))], [admin]);
    const m = await client.fetchMarket(keys.market);
    const sw = m.sweep;
    assert.equal(sw.counted.toString(), m.positionsOpen.toString(), "the sweep is complete");
    const adjust = BigInt(sw.adjust[0].toString()) + (BigInt(sw.adjust[1].toString()) << 64n);
    assert.equal(adjust, 0n, "no trader action since the sweep started");
    const measured = BigInt(m.freeLiquidity.toString()) + BigInt(sw.value.toString());
    const mine = poolValue({
      freeLiquidity: BigInt(m.freeLiquidity.toString()), borrowIndex: BigInt(sw.borrowIndex.toString()), borrowRate: 0n, lastAccrualTime: 0n,
      maintenanceMarginBps: BigInt(sw.maintenanceMarginBps), closeFeeBps: BigInt(sw.closeFeeBps), liquidationFeeBps: BigInt(sw.liquidationFeeBps),
    }, open.map(({ account }) => valuedPosition(account)), BigInt(sw.price.toString()), 0n);
    assert.equal(mine, measured);
    // Not simply the free liquidity plus the vaults: the caps and the bad debt count.
    const vaults = open.reduce((a, { account: p }) => a + BigInt(p.collateral.toString()) + BigInt(p.reserve.toString()), 0n);
    assert.ok(mine < BigInt(m.freeLiquidity.toString()) + vaults);
  });
});
