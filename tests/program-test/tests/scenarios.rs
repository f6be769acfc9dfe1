//! The liquidation-liveness and exit-window scenarios end to end on `solana-program-test`: the
//! compiled `ringfence.so` loaded into a bank (`ProgramTest`, `BanksClient`), the real SPL Token
//! program, Pyth `PriceUpdateV2` accounts in the receiver's exact layout and owner (the one fake:
//! the publisher), and time moved by slot and clock warps.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::system_instruction;
use anchor_lang::AccountDeserialize;
use anchor_spl::token::spl_token;
use ringfence_harness::{default_params, non_canonical_pda, pyth_price, PriceFixture, FEED_ID, USDC};
use ringfence_sdk::events::{parse_logs, Event};
use ringfence_sdk::ix::{self, LiquidateAccounts, MarketKeys, PositionAccounts};
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::{pause, status, POSITION_SPACE};
use ringfence_sdk::{pda, Market, Position, RiskParams, Side, PROGRAM_ID, PYTH_RECEIVER_ID};
use solana_account::{Account, AccountSharedData};
use solana_clock::Clock;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_program_test::{BanksClientError, ProgramTest, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

/// Unix time the bank's clock is set to at start.
const START: i64 = 1_767_225_600;
/// Slots per warped second (Solana's 400 ms slots).
const SLOTS_PER_SEC: u64 = 3;

/// A transaction's logs, or why it failed.
type Sent = Result<Vec<String>, Failed>;

#[derive(Debug)]
#[allow(dead_code)] // the fields are read through Debug in assertion messages
enum Failed {
    /// Executed and rejected (with its logs).
    Tx(TransactionError, Vec<String>),
    /// Never executed (the bank or the client failed).
    Banks(BanksClientError),
}

struct Bank {
    ctx: ProgramTestContext,
    mint: Pubkey,
    mint_authority: Keypair,
    admin: Keypair,
    keys: MarketKeys,
    price: i64,
    now: i64,
}

struct Wallet {
    kp: Keypair,
    token: Pubkey,
    lp: Pubkey,
}

impl Wallet {
    fn key(&self) -> Pubkey {
        self.kp.pubkey()
    }
}

fn code(e: RingfenceError) -> u32 {
    ringfence_sdk::error_code(e)
}

/// The custom error code of a failed transaction.
fn custom(res: &Sent) -> Option<u32> {
    match res {
        Err(Failed::Tx(TransactionError::InstructionError(_, InstructionError::Custom(c)), _)) => Some(*c),
        _ => None,
    }
}

#[track_caller]
fn expect_err(res: &Sent, e: RingfenceError) {
    assert_eq!(custom(res), Some(code(e)), "expected {e:?}, got {res:?}");
}

impl Bank {
    async fn start(params: RiskParams) -> Bank {
        let so = ringfence_harness::program_so_path();
        let dir = so.parent().expect("deploy dir").to_path_buf();
        // ProgramTest finds `ringfence.so` in SBF_OUT_DIR (set here: the tests run in one process).
        std::env::set_var("SBF_OUT_DIR", &dir);
        let mut pt = ProgramTest::default();
        pt.prefer_bpf(true);
        pt.add_upgradeable_program_to_genesis("ringfence", &PROGRAM_ID);
        let ctx = pt.start_with_context().await;
        let mut bank = Bank {
            ctx,
            mint: Pubkey::default(),
            mint_authority: Keypair::new(),
            admin: Keypair::new(),
            keys: MarketKeys::derive(&Pubkey::default(), &Pubkey::default(), &FEED_ID, &Pubkey::default()),
            price: pyth_price(100.0),
            now: START,
        };
        bank.set_clock(START).await;
        bank.mint = bank.create_mint().await;
        let admin = bank.admin.insecure_clone();
        bank.fund_sol(&admin.pubkey()).await;
        let oracle = Pubkey::new_unique();
        bank.keys = MarketKeys::derive(&admin.pubkey(), &bank.mint, &FEED_ID, &oracle);
        bank.publish(bank.price).await;
        bank.send(&[ix::initialize_market(&admin.pubkey(), &bank.keys, FEED_ID, params)], &[&admin])
            .await
            .expect("init");
        // An LP funds the pool: request, a sweep one second later, execution, claim.
        let lp = bank.wallet(100_000 * USDC).await;
        bank.send(&[ix::request_deposit(&lp.key(), &lp.token, &lp.lp, &bank.keys, 100_000 * USDC)], &[&lp.kp])
            .await
            .expect("request deposit");
        bank.warp(1).await;
        let request = pda::lp_request(&bank.keys.market, &lp.key());
        let payer = bank.ctx.payer.insecure_clone();
        bank.send(
            &[
                ix::start_sweep(&payer.pubkey(), &bank.keys),
                ix::sweep_positions(&bank.keys.market, &[]),
                ix::execute_lp_request(&bank.keys, &request),
                ix::claim_lp_request(&bank.keys, &request, &lp.key(), &lp.lp),
            ],
            &[&lp.kp],
        )
        .await
        .expect("execute deposit");
        assert_eq!(bank.market().await.free_liquidity, 100_000 * USDC);
        bank
    }

    async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Sent {
        let payer = self.ctx.payer.insecure_clone();
        let blockhash = self.ctx.get_new_latest_blockhash().await.map_err(|e| Failed::Banks(e.into()))?;
        let mut all: Vec<&Keypair> = vec![&payer];
        all.extend_from_slice(signers);
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
        let res = self.ctx.banks_client.process_transaction_with_metadata(tx).await.map_err(Failed::Banks)?;
        let logs = res.metadata.map(|m| m.log_messages).unwrap_or_default();
        match res.result {
            Ok(()) => Ok(logs),
            Err(err) => Err(Failed::Tx(err, logs)),
        }
    }

    async fn set_clock(&mut self, unix_timestamp: i64) {
        let mut clock: Clock = self.ctx.banks_client.get_sysvar().await.expect("clock");
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
        self.now = unix_timestamp;
    }

    /// Moves time forward by `secs`: warps the bank `secs * 3` slots ahead, sets the clock, and
    /// republishes the current price at the new time.
    async fn warp(&mut self, secs: i64) {
        let slot = self.ctx.banks_client.get_root_slot().await.expect("slot");
        let ahead = u64::try_from(secs).expect("forward") * SLOTS_PER_SEC;
        self.ctx.warp_to_slot(slot + ahead.max(1)).expect("warp");
        let t = self.now + secs;
        self.set_clock(t).await;
        self.publish(self.price).await;
    }

    fn write_price(&mut self, fixture: &PriceFixture) {
        let data = fixture.data();
        let account = Account { lamports: 10_000_000, data, owner: PYTH_RECEIVER_ID, executable: false, rent_epoch: 0 };
        self.ctx.set_account(&self.keys.oracle, &AccountSharedData::from(account));
    }

    /// Publishes `price` (Pyth mantissa, exponent -8) with 1 bp confidence at the bank's clock.
    async fn publish(&mut self, price: i64) {
        self.price = price;
        let f = PriceFixture::new(FEED_ID, price, self.now);
        self.write_price(&f);
    }

    async fn fund_sol(&mut self, to: &Pubkey) {
        let payer = self.ctx.payer.insecure_clone();
        self.send(&[system_instruction::transfer(&payer.pubkey(), to, 10_000_000_000)], &[]).await.expect("sol");
    }

    async fn create_mint(&mut self) -> Pubkey {
        let mint = Keypair::new();
        let payer = self.ctx.payer.insecure_clone();
        let rent = self.ctx.banks_client.get_rent().await.expect("rent").minimum_balance(spl_token::state::Mint::LEN);
        let auth = self.mint_authority.pubkey();
        let ixs = [
            system_instruction::create_account(
                &payer.pubkey(),
                &mint.pubkey(),
                rent,
                spl_token::state::Mint::LEN as u64,
                &spl_token::ID,
            ),
            // With a freeze authority, as USDC has.
            spl_token::instruction::initialize_mint2(&spl_token::ID, &mint.pubkey(), &auth, Some(&auth), 6).unwrap(),
        ];
        self.send(&ixs, &[&mint]).await.expect("mint");
        mint.pubkey()
    }

    async fn token_account(&mut self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        let account = Keypair::new();
        let payer = self.ctx.payer.insecure_clone();
        let rent =
            self.ctx.banks_client.get_rent().await.expect("rent").minimum_balance(spl_token::state::Account::LEN);
        let ixs = [
            system_instruction::create_account(
                &payer.pubkey(),
                &account.pubkey(),
                rent,
                spl_token::state::Account::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_account3(&spl_token::ID, &account.pubkey(), mint, owner).unwrap(),
        ];
        self.send(&ixs, &[&account]).await.expect("token account");
        account.pubkey()
    }

    async fn wallet(&mut self, tokens: u64) -> Wallet {
        let kp = Keypair::new();
        self.fund_sol(&kp.pubkey()).await;
        let mint = self.mint;
        let token = self.token_account(&mint, &kp.pubkey()).await;
        let lp_mint = self.keys.lp_mint;
        let lp = self.token_account(&lp_mint, &kp.pubkey()).await;
        if tokens > 0 {
            let auth = self.mint_authority.insecure_clone();
            let ix =
                spl_token::instruction::mint_to(&spl_token::ID, &mint, &token, &auth.pubkey(), &[], tokens).unwrap();
            self.send(&[ix], &[&auth]).await.expect("mint to");
        }
        Wallet { kp, token, lp }
    }

    async fn account(&mut self, key: &Pubkey) -> Option<Account> {
        self.ctx.banks_client.get_account(*key).await.expect("get account")
    }

    async fn decode<T: AccountDeserialize>(&mut self, key: &Pubkey) -> T {
        let a = self.account(key).await.unwrap_or_else(|| panic!("{key} missing"));
        T::try_deserialize(&mut &a.data[..]).expect("decode")
    }

    async fn market(&mut self) -> Market {
        let key = self.keys.market;
        self.decode(&key).await
    }

    async fn balance(&mut self, token: &Pubkey) -> u64 {
        let a = self.account(token).await.expect("token account");
        spl_token::state::Account::unpack_from_slice(&a.data).expect("unpack").amount
    }

    async fn lamports(&mut self, key: &Pubkey) -> u64 {
        self.account(key).await.map_or(0, |a| a.lamports)
    }

    fn position_key(&self, owner: &Pubkey, id: u64) -> Pubkey {
        pda::position(&self.keys.market, owner, id)
    }

    async fn position(&mut self, owner: &Pubkey, id: u64) -> (Pubkey, Position) {
        let key = self.position_key(owner, id);
        (key, self.decode(&key).await)
    }

    async fn open(&mut self, w: &Wallet, id: u64, collateral: u64, size: u64) -> Sent {
        let ix = ix::open_position(
            &w.key(),
            &w.token,
            &self.keys,
            id,
            Side::Long,
            collateral,
            size,
            ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
        );
        self.send(&[ix], &[&w.kp]).await
    }

    /// What the shipped keeper sends: every account from the position and its market.
    async fn liquidate(&mut self, keeper: &Wallet, key: &Pubkey) -> Sent {
        let pos: Position = self.decode(key).await;
        let a = LiquidateAccounts::of(&keeper.key(), &keeper.token, &self.keys, key, &pos);
        self.send(&[ix::liquidate(&a)], &[&keeper.kp]).await
    }

    async fn close(&mut self, w: &Wallet, id: u64) -> Sent {
        let (key, pos) = self.position(&w.key(), id).await;
        let limit = ix::TradeLimit::any(pos.side().expect("side"), false);
        let ix = ix::close_position(&PositionAccounts::of(&w.token, &self.keys, &key, &pos), limit);
        self.send(&[ix], &[&w.kp]).await
    }

    async fn set_params(&mut self, p: RiskParams) -> Sent {
        let admin = self.admin.insecure_clone();
        self.send(&[ix::set_params(&admin.pubkey(), &self.keys.market, p)], &[&admin]).await
    }

    async fn apply(&mut self) -> Sent {
        self.send(&[ix::apply_pending_change(&self.keys.market)], &[]).await
    }
}

fn liquidated(logs: &[String]) -> ringfence_sdk::ringfence::events::PositionLiquidated {
    parse_logs(logs)
        .into_iter()
        .find_map(|e| match e {
            Event::PositionLiquidated(e) => Some(e),
            _ => None,
        })
        .expect("PositionLiquidated event")
}

/// Open, crash, liquidate by the keeper's accounts, claim: every balance and the rent, to the unit.
#[tokio::test]
async fn open_crash_liquidate_claim() {
    let mut b = Bank::start(default_params()).await;
    let t = b.wallet(1_000 * USDC).await;
    let keeper = b.wallet(0).await;
    b.open(&t, 1, 100 * USDC, 1_000 * USDC).await.expect("open");
    let (key, p) = b.position(&t.key(), 1).await;
    assert_eq!(b.balance(&p.vault).await, 100 * USDC + 500 * USDC);
    b.warp(30).await;
    b.publish(pyth_price(93.0)).await;
    let pool_before = b.balance(&b.keys.pool_vault.clone()).await;
    let logs = b.liquidate(&keeper, &key).await.expect("liquidate");
    let e = liquidated(&logs);
    assert_eq!(b.balance(&keeper.token).await, 10 * USDC);
    assert_eq!(b.balance(&b.keys.pool_vault.clone()).await - pool_before, e.to_pool);
    let (_, p) = b.position(&t.key(), 1).await;
    assert_eq!((p.status, p.residual), (status::LIQUIDATED, e.residual));
    assert_eq!(b.balance(&p.vault).await, e.residual);
    assert_eq!(e.keeper_reward + e.residual + e.to_pool, 600 * USDC);
    assert_eq!(b.market().await.positions_open, 0);
    // The owner claims: the residual and both accounts' rent.
    let (tokens, lamports) = (b.balance(&t.token).await, b.lamports(&t.key()).await);
    let rent = b.lamports(&key).await + b.lamports(&p.vault).await;
    b.send(&[ix::claim_residual(&t.token, &key, &p)], &[&t.kp]).await.expect("claim");
    assert_eq!(b.balance(&t.token).await - tokens, e.residual);
    assert_eq!(b.lamports(&t.key()).await - lamports, rent);
    assert!(b.account(&key).await.is_none() && b.account(&p.vault).await.is_none());
    assert_eq!(POSITION_SPACE, 8 + std::mem::size_of::<Position>());
}

/// Liquidation under a frozen and a reassigned owner token account: neither is part of it.
#[tokio::test]
async fn frozen_and_reassigned_owner_accounts_cannot_block_liquidation() {
    let mut b = Bank::start(default_params()).await;
    let keeper = b.wallet(0).await;
    let frozen = b.wallet(1_000 * USDC).await;
    let reassigned = b.wallet(1_000 * USDC).await;
    b.open(&frozen, 1, 100 * USDC, 1_000 * USDC).await.expect("open");
    b.open(&reassigned, 1, 100 * USDC, 1_000 * USDC).await.expect("open");
    let auth = b.mint_authority.insecure_clone();
    let mint = b.mint;
    let freeze =
        spl_token::instruction::freeze_account(&spl_token::ID, &frozen.token, &mint, &auth.pubkey(), &[]).unwrap();
    b.send(&[freeze], &[&auth]).await.expect("freeze");
    let stranger = Pubkey::new_unique();
    let reassign = spl_token::instruction::set_authority(
        &spl_token::ID,
        &reassigned.token,
        Some(&stranger),
        spl_token::instruction::AuthorityType::AccountOwner,
        &reassigned.key(),
        &[],
    )
    .unwrap();
    b.send(&[reassign], &[&reassigned.kp]).await.expect("reassign");
    b.warp(5).await;
    b.publish(pyth_price(93.0)).await;
    for w in [&frozen, &reassigned] {
        let key = b.position_key(&w.key(), 1);
        b.liquidate(&keeper, &key).await.expect("liquidated whatever the owner did");
    }
    // Claims go where the owner chooses.
    for w in [&frozen, &reassigned] {
        let (key, p) = b.position(&w.key(), 1).await;
        let fresh = b.token_account(&mint, &w.key()).await;
        b.send(&[ix::claim_residual(&fresh, &key, &p)], &[&w.kp]).await.expect("claim");
        assert_eq!(b.balance(&fresh).await, p.residual);
    }
}

/// A second position for the same id (a non-canonical position bump) lives on its own; a
/// non-canonical vault is liquidated through the position's own fields.
#[tokio::test]
async fn non_canonical_addresses() {
    let mut b = Bank::start(default_params()).await;
    let t = b.wallet(1_000 * USDC).await;
    let keeper = b.wallet(0).await;
    let id = 1u64.to_le_bytes();
    let market = b.keys.market;
    let (dup, dup_bump) = non_canonical_pda(&[b"position", market.as_ref(), t.key().as_ref(), &id]);
    let limit = ix::TradeLimit::any(Side::Long, true);
    let (v, vb) = pda::vault_with_bump(&dup);
    let at = ix::OpenAt { position: dup, position_bump: dup_bump, vault: v, vault_bump: vb };
    let ix = ix::open_position_at(&t.key(), &t.token, &b.keys, &at, 1, Side::Long, 100 * USDC, 1_000 * USDC, limit);
    b.send(&[ix], &[&t.kp]).await.expect("a second position for id 1, at another address");

    let (key, canonical) = pda::position_with_bump(&market, &t.key(), 1);
    let (odd, odd_bump) = non_canonical_pda(&[b"vault", key.as_ref()]);
    let at = ix::OpenAt { position: key, position_bump: canonical, vault: odd, vault_bump: odd_bump };
    let ix = ix::open_position_at(&t.key(), &t.token, &b.keys, &at, 1, Side::Long, 100 * USDC, 1_000 * USDC, limit);
    b.send(&[ix], &[&t.kp]).await.expect("open with a non-canonical vault");
    assert_eq!(b.market().await.positions_open, 2);
    b.warp(5).await;
    b.publish(pyth_price(90.0)).await;
    // Both positions for id 1 are liquidated, each through its own accounts.
    let logs = b.liquidate(&keeper, &key).await.expect("liquidated by its own vault address");
    assert_eq!(b.balance(&odd).await, liquidated(&logs).residual);
    b.liquidate(&keeper, &dup).await.expect("the second position for the same id, on its own");
    assert_eq!(b.market().await.positions_open, 0);
}

/// Over warped time: a harmful change waits for the timelock, nothing instant can block an exit
/// in the window (not the blocking parameters, not a pause), and applying it reverts nothing.
#[tokio::test]
async fn timelock_windows_are_exit_windows() {
    let mut b = Bank::start(default_params()).await;
    let t = b.wallet(1_000 * USDC).await;
    let keeper = b.wallet(0).await;
    b.open(&t, 1, 100 * USDC, 1_000 * USDC).await.expect("open");
    b.open(&t, 2, 100 * USDC, 1_000 * USDC).await.expect("open");
    let p = default_params();
    let harmful = RiskParams { maintenance_margin_bps: 900, initial_margin_bps: 1_300, ..p };
    b.set_params(harmful).await.expect("scheduled");
    let effective_at = b.market().await.pending.effective_at;
    assert_eq!(effective_at, b.now + 3_600);
    for blocking in [RiskParams { max_conf_bps: 1, ..p }, RiskParams { max_price_age_trade_secs: 1, ..p }] {
        expect_err(&b.set_params(blocking).await, RingfenceError::ChangeAlreadyPending);
    }
    let admin = b.admin.insecure_clone();
    b.send(&[ix::set_pause(&admin.pubkey(), &b.keys.market, pause::ALL)], &[&admin]).await.expect("pause");
    // One second before the change: both exits still work at the rules in force.
    b.warp(3_599).await;
    expect_err(&b.apply().await, RingfenceError::TimelockNotElapsed);
    b.publish(pyth_price(95.5)).await; // equity ~55: healthy at 5%, liquidatable at 9%
    expect_err(&b.liquidate(&keeper, &b.position_key(&t.key(), 1)).await, RingfenceError::PositionHealthy);
    b.close(&t, 1).await.expect("the trader exits in the window");
    b.warp(1).await;
    b.publish(pyth_price(95.5)).await;
    b.apply().await.expect("applied when due");
    assert_eq!(b.market().await.params.maintenance_margin_bps, 900);
    b.liquidate(&keeper, &b.position_key(&t.key(), 2)).await.expect("the one who stayed");

    // A pending oracle change cannot revert an instant helpful change made in between.
    let new_oracle = Pubkey::new_unique();
    let f = PriceFixture::new(FEED_ID, b.price, b.now);
    b.ctx.set_account(
        &new_oracle,
        &AccountSharedData::from(Account {
            lamports: 10_000_000,
            data: f.data(),
            owner: PYTH_RECEIVER_ID,
            executable: false,
            rent_epoch: 0,
        }),
    );
    b.send(&[ix::set_oracle(&admin.pubkey(), &b.keys.market, &new_oracle)], &[&admin]).await.expect("oracle");
    let lower = RiskParams { maintenance_margin_bps: 800, ..harmful };
    b.set_params(lower).await.expect("instant");
    b.warp(3_600).await;
    b.apply().await.expect("oracle applied");
    let m = b.market().await;
    assert_eq!((m.oracle, m.params), (new_oracle, lower));
}
