//! A ready market: collateral mint (USDC-like, 6 decimals), admin, pinned oracle, initialized
//! market with pool vault and LP mint, funded by a real LP deposit; traders, LPs and keepers with
//! token accounts; and the invariant checker every test runs after every step.
use anchor_lang::prelude::Pubkey;
use anchor_lang::AnchorDeserialize;
use ringfence_sdk::ix::{self, LiquidateAccounts, MarketKeys, PositionAccounts};
use ringfence_sdk::math::{borrow_fee, SideTotals};
use ringfence_sdk::pda;
use ringfence_sdk::ringfence::instructions::HealthView;
use ringfence_sdk::ringfence::state::{status, wide_get, LP_REQUEST_SPACE, ORDER_SPACE, POSITION_SPACE};
use ringfence_sdk::{LimitOrder, Market, Position, RiskParams, Side, TriggerArgs, TriggerKind, PROGRAM_ID};

use crate::{simulate_return, Env, Keypair, PriceFixture, Signer, TxResult};

pub const USDC_DECIMALS: u8 = 6;
/// One whole collateral token (USDC-like, 6 decimals).
pub const USDC: u64 = 1_000_000;
/// The fixture's feed id (any 32 bytes; the market pins it).
pub const FEED_ID: [u8; 32] = *b"ringfence-test-feed-SOL/USD-0001";
/// Liquidity `MarketFixture::new` deposits.
pub const INITIAL_LIQUIDITY: u64 = 100_000 * USDC;

/// Parameters without fees (exact, easy-to-check numbers): 10x, maintenance 5%, keeper 1%,
/// max profit 50% of notional.
pub fn default_params() -> RiskParams {
    RiskParams {
        initial_margin_bps: 1_000,
        maintenance_margin_bps: 500,
        liquidation_fee_bps: 100,
        max_conf_bps: 200,
        max_conf_liquidate_bps: 500,
        open_fee_bps: 0,
        close_fee_bps: 0,
        lp_fee_bps: 0,
        max_profit_bps: 5_000,
        max_price_age_trade_secs: 30,
        max_price_age_liquidate_secs: 60,
        borrow_rate_min: 0,
        borrow_rate_max: 0,
        max_open_interest_long: 1_000_000_000 * USDC,
        max_open_interest_short: 1_000_000_000 * USDC,
        timelock_secs: 3_600,
        min_position_size: 10 * USDC,
    }
}

/// A realistic fee schedule: 0.1% open and close, borrow 1%..10% a year with utilization.
pub fn fee_params() -> RiskParams {
    RiskParams {
        open_fee_bps: 10,
        close_fee_bps: 10,
        // The least that makes wrapping a trade in LP flows unprofitable: (10 + 10) / (2 * 50%).
        lp_fee_bps: 20,
        borrow_rate_min: 317,   // ~1% a year
        borrow_rate_max: 3_171, // ~10% a year
        ..default_params()
    }
}

/// A wallet with SOL and a collateral token account (and an LP share account).
pub struct Wallet {
    pub kp: Keypair,
    pub token: Pubkey,
    pub lp: Pubkey,
}

impl Wallet {
    pub fn key(&self) -> Pubkey {
        self.kp.pubkey()
    }
}

pub struct MarketFixture {
    pub env: Env,
    pub admin: Keypair,
    pub mint_authority: Keypair,
    pub mint: Pubkey,
    pub oracle: Pubkey,
    pub keys: MarketKeys,
    pub params: RiskParams,
    /// Current oracle mantissa (exponent -8).
    pub price: i64,
    /// The LP that funded the pool in `new`/`with_liquidity`.
    pub lp: Option<Wallet>,
    /// Tokens sent straight to the pool vault (not through a deposit) by a test.
    pub donated: u64,
    /// Tokens sent straight to position vaults by a test (they go to the pool at settlement).
    pub vault_donations: std::collections::HashMap<Pubkey, u64>,
    /// Signs the keeper's sweeps and executions.
    pub keeper: Keypair,
    /// The current sweep's number and the exact pool value the fixture computed at its start,
    /// moved since only by LP flows (see `follow_sweep`).
    pub sweep_snapshot: Option<(u64, i128)>,
    /// Publish prices with a zero confidence interval (prices carry 1 bp by default, as real
    /// ones do); only for tests that reproduce numbers stated at exact prices.
    pub exact_prices: bool,
}

impl MarketFixture {
    /// A market at price 100 with `default_params()` and `INITIAL_LIQUIDITY` deposited.
    pub fn new() -> Self {
        Self::with_liquidity(default_params(), INITIAL_LIQUIDITY)
    }

    /// A market with `params` and `liquidity` deposited by an LP.
    pub fn with_liquidity(params: RiskParams, liquidity: u64) -> Self {
        let mut f = match Self::with_params(params) {
            Ok(f) => f,
            Err(e) => panic!("initialize market: {}", crate::describe(&e.1)),
        };
        if liquidity > 0 {
            let lp = f.wallet(liquidity);
            let res = f.deposit(&lp, liquidity);
            assert!(res.is_ok(), "initial deposit: {}", crate::describe(&res));
            f.lp = Some(lp);
        }
        f
    }

    /// Initializes a market without liquidity; `Err` carries the failed initialization.
    pub fn with_params(params: RiskParams) -> Result<Self, Box<(Self, TxResult)>> {
        let mut env = Env::new();
        let admin = env.new_wallet(10);
        let mint_authority = Keypair::new();
        let mint = env.create_mint(&mint_authority.pubkey(), USDC_DECIMALS);
        let oracle = Pubkey::new_unique();
        let keys = MarketKeys::derive(&admin.pubkey(), &mint, &FEED_ID, &oracle);
        let mut f = MarketFixture {
            env,
            admin,
            mint_authority,
            mint,
            oracle,
            keys,
            params,
            price: 0,
            lp: None,
            donated: 0,
            vault_donations: Default::default(),
            keeper: Keypair::new(),
            exact_prices: false,
            sweep_snapshot: None,
        };
        f.set_price(crate::pyth_price(100.0));
        let res = f.env.send(&[ix::initialize_market(&f.admin.pubkey(), &f.keys, FEED_ID, params)], &[&f.admin]);
        match res {
            Ok(_) => Ok(f),
            Err(_) => Err(Box::new((f, res))),
        }
    }

    /// Creates another market on the same mint (another feed, its own pinned oracle at `price`),
    /// funded with `INITIAL_LIQUIDITY`.
    pub fn add_market(&mut self, feed_id: [u8; 32], price: i64) -> MarketKeys {
        let oracle = Pubkey::new_unique();
        let fixture = PriceFixture::new(feed_id, price, self.env.now());
        self.env.write_price(&oracle, &fixture);
        let keys = MarketKeys::derive(&self.admin.pubkey(), &self.mint, &feed_id, &oracle);
        let ix = ix::initialize_market(&self.admin.pubkey(), &keys, feed_id, self.params);
        self.env.send(&[ix], &[&self.admin]).expect("initialize second market");
        let lp = self.wallet_for(INITIAL_LIQUIDITY, &keys);
        let ix = ix::request_deposit(&lp.key(), &lp.token, &lp.lp, &keys, INITIAL_LIQUIDITY);
        self.env.send(&[ix], &[&lp.kp]).expect("request second market's deposit");
        self.env.advance(1);
        let fixture = PriceFixture::new(feed_id, price, self.env.now());
        self.env.write_price(&oracle, &fixture);
        let request = pda::lp_request(&keys.market, &lp.key());
        let keeper = self.keeper.insecure_clone();
        let ixs = [
            ix::start_sweep(&keeper.pubkey(), &keys),
            ix::execute_lp_request(&keys, &request),
            ix::claim_lp_request(&keys, &request, &lp.key(), &lp.lp),
        ];
        self.env.send(&ixs, &[&keeper, &lp.kp]).expect("fund second market");
        keys
    }

    /// Publishes `price` (mantissa, exponent -8) at the current clock.
    pub fn set_price(&mut self, price: i64) {
        self.price = price;
        let fixture = self.price_fixture();
        self.env.write_price(&self.oracle, &fixture);
    }

    /// Publishes an arbitrary price update at the pinned oracle address.
    pub fn write_oracle(&mut self, fixture: &PriceFixture) {
        self.env.write_price(&self.oracle, fixture);
    }

    /// The update `set_price` publishes: the current price at the current clock, with the default
    /// confidence (zero under `exact_prices`).
    pub fn price_fixture(&self) -> PriceFixture {
        let f = PriceFixture::new(FEED_ID, self.price, self.env.now());
        if self.exact_prices {
            PriceFixture { conf: 0, ..f }
        } else {
            f
        }
    }

    /// A market like `with_liquidity` whose prices carry no confidence interval (see `exact_prices`).
    pub fn at_exact_prices(params: RiskParams, liquidity: u64) -> Self {
        let mut f = Self::with_liquidity(params, liquidity);
        f.exact_prices = true;
        f.set_price(f.price);
        f
    }

    /// Moves the clock and republishes the current price at the new time.
    pub fn advance(&mut self, secs: i64) {
        self.env.advance(secs);
        self.set_price(self.price);
    }

    /// A wallet with 10 SOL, `tokens` of collateral and an empty LP share account.
    pub fn wallet(&mut self, tokens: u64) -> Wallet {
        let keys = self.keys;
        self.wallet_for(tokens, &keys)
    }

    fn wallet_for(&mut self, tokens: u64, keys: &MarketKeys) -> Wallet {
        let kp = self.env.new_wallet(10);
        let token = self.env.create_token_account(&self.mint, &kp.pubkey());
        let lp = self.env.create_token_account(&keys.lp_mint, &kp.pubkey());
        if tokens > 0 {
            self.env.mint_to(&self.mint, &self.mint_authority, &token, tokens);
        }
        Wallet { kp, token, lp }
    }

    /// Sends a protocol transaction, then checks every invariant (whether it succeeded or not):
    /// this is how every test checks the invariants after every step.
    pub fn step(
        &mut self,
        ixs: &[anchor_lang::solana_program::instruction::Instruction],
        signers: &[&Keypair],
    ) -> TxResult {
        let res = self.env.send(ixs, signers);
        self.follow_sweep(&res);
        self.assert_invariants();
        res
    }

    /// Follows the pool sweep through a transaction's events: at a start, the fixture values the
    /// pool itself (`exact_claim` of every position at the sweep's price and index, plus free
    /// liquidity) — the exact value LP requests must execute at; every execution must use exactly
    /// that value (LP fairness), and only LP flows move it.
    fn follow_sweep(&mut self, res: &TxResult) {
        use ringfence_sdk::events::Event;
        use ringfence_sdk::ringfence::state::LpRequestKind;
        for ev in crate::events(res) {
            match ev {
                Event::SweepStarted(e) if e.market == self.keys.market => {
                    let m = self.market();
                    let claims: u128 = self
                        .positions()
                        .iter()
                        .map(|(_, p)| exact_claim(p, &sweep_params(&m), m.sweep.price, m.sweep.borrow_index))
                        .sum();
                    self.sweep_snapshot = Some((e.epoch, i128::from(m.free_liquidity) + claims as i128));
                }
                Event::LpRequestExecuted(e) if e.market == self.keys.market => {
                    let Some((epoch, value)) = self.sweep_snapshot.as_mut() else {
                        panic!("execution without a sweep")
                    };
                    assert_eq!(*epoch, e.sweep_epoch, "executed against another sweep");
                    assert_eq!(
                        i128::from(e.pool_value),
                        *value,
                        "executed pool value != the fixture's exact value at the sweep"
                    );
                    match (e.kind, e.refunded) {
                        (LpRequestKind::Deposit, false) => *value += i128::from(e.amount),
                        (LpRequestKind::Withdrawal, false) => *value -= i128::from(e.amount),
                        // A refunded deposit's LP fee stays in the pool; a withdrawal's is burned.
                        (LpRequestKind::Deposit, true) => *value += i128::from(e.lp_fee),
                        (LpRequestKind::Withdrawal, true) => {}
                    }
                }
                Event::LpRequestCancelled(e) if e.market == self.keys.market && e.kind == LpRequestKind::Deposit => {
                    if let Some((_, value)) = self.sweep_snapshot.as_mut() {
                        *value += i128::from(e.lp_fee);
                    }
                }
                _ => {}
            }
        }
    }

    /// A whole LP deposit as the keeper and the LP run it: the request, one second later a sweep
    /// at the price published then, every position valued, the execution, the LP's claim. Returns
    /// the first failure, or the execution's result (its `LpRequestExecuted` event).
    pub fn deposit(&mut self, w: &Wallet, amount: u64) -> TxResult {
        self.request_deposit(w, amount)?;
        self.advance(1);
        let res = self.sweep_and_execute(&w.key())?;
        self.claim(w)?;
        Ok(res)
    }

    /// A whole LP withdrawal (request, sweep one second later, execution, claim), as [`Self::deposit`].
    pub fn withdraw(&mut self, w: &Wallet, shares: u64) -> TxResult {
        self.request_withdrawal(w, shares)?;
        self.advance(1);
        let res = self.sweep_and_execute(&w.key())?;
        self.claim(w)?;
        Ok(res)
    }

    /// The LP claims its executed request into its own share or token account.
    pub fn claim(&mut self, w: &Wallet) -> TxResult {
        let request = pda::lp_request(&self.keys.market, &w.key());
        let req: ringfence_sdk::LpRequest = self.env.decode(&request);
        let destination = if (req.kind == 0) != (req.refunded == 1) { w.lp } else { w.token };
        let ix = ix::claim_lp_request(&self.keys, &request, &w.key(), &destination);
        self.step(&[ix], &[&w.kp])
    }

    pub fn request_deposit(&mut self, w: &Wallet, amount: u64) -> TxResult {
        let ix = ix::request_deposit(&w.key(), &w.token, &w.lp, &self.keys, amount);
        self.step(&[ix], &[&w.kp])
    }

    pub fn request_withdrawal(&mut self, w: &Wallet, shares: u64) -> TxResult {
        let ix = ix::request_withdrawal(&w.key(), &w.token, &w.lp, &self.keys, shares);
        self.step(&[ix], &[&w.kp])
    }

    /// Starts a sweep at the oracle's current price (the keeper signs).
    pub fn start_sweep(&mut self) -> TxResult {
        let keeper = self.keeper.insecure_clone();
        self.step(&[ix::start_sweep(&keeper.pubkey(), &self.keys)], &[&keeper])
    }

    /// Values every position the current sweep has not valued yet, in batches.
    pub fn sweep_all(&mut self) -> TxResult {
        let epoch = self.market().sweep.epoch;
        let todo: Vec<Pubkey> =
            self.positions().into_iter().filter(|(_, p)| p.sweep_epoch != epoch).map(|(k, _)| k).collect();
        let mut chunks = todo.chunks(8).peekable();
        if chunks.peek().is_none() {
            return self.step(&[ix::sweep_positions(&self.keys.market, &[])], &[]);
        }
        loop {
            let chunk = chunks.next().unwrap_or_default();
            let res = self.step(&[ix::sweep_positions(&self.keys.market, chunk)], &[]);
            if res.is_err() || chunks.peek().is_none() {
                return res;
            }
        }
    }

    /// Executes `provider`'s pending request (accounts from the request itself).
    pub fn execute(&mut self, provider: &Pubkey) -> TxResult {
        let request = pda::lp_request(&self.keys.market, provider);
        // LP fairness: `step` checks the executed value against the fixture's own valuation.
        self.step(&[ix::execute_lp_request(&self.keys, &request)], &[])
    }

    /// What the keeper does for `provider`'s request: a live sweep that started after it (and whose
    /// price is newer than the request's) is finished and used; otherwise a new one is started;
    /// every position is valued; the request is executed.
    pub fn sweep_and_execute(&mut self, provider: &Pubkey) -> TxResult {
        let req: ringfence_sdk::LpRequest = self.env.decode(&pda::lp_request(&self.keys.market, provider));
        let s = self.market().sweep;
        let usable = s.epoch > 0
            && self.env.now() <= s.expires_at
            && req.seq <= s.seq_at_start
            && s.publish_time > req.after_publish_time;
        if !usable {
            self.start_sweep()?;
        }
        self.sweep_all()?;
        self.execute(provider)
    }

    /// Deposits `amount` from a fresh LP wallet.
    pub fn fund_pool(&mut self, amount: u64) -> Wallet {
        let lp = self.wallet(amount);
        let res = self.deposit(&lp, amount);
        assert!(res.is_ok(), "deposit: {}", crate::describe(&res));
        lp
    }

    pub fn position_key(&self, owner: &Pubkey, id: u64) -> Pubkey {
        pda::position(&self.keys.market, owner, id)
    }

    pub fn open(&mut self, w: &Wallet, id: u64, side: Side, collateral: u64, size: u64) -> TxResult {
        let ix = ix::open_position(
            &w.key(),
            &w.token,
            &self.keys,
            id,
            side,
            collateral,
            size,
            ringfence_sdk::ix::TradeLimit::any(side, true),
        );
        self.step(&[ix], &[&w.kp])
    }

    pub fn add_margin(&mut self, w: &Wallet, id: u64, amount: u64) -> TxResult {
        let position = self.position_key(&w.key(), id);
        let ix = ix::add_margin(&w.token, &position, &self.position_or_blank(&w.key(), id), amount);
        self.step(&[ix], &[&w.kp])
    }

    /// The accounts for `w`'s position `id`, read from the position account (as clients do).
    pub fn position_accounts(&self, w: &Wallet, id: u64) -> PositionAccounts {
        let key = self.position_key(&w.key(), id);
        PositionAccounts::of(&w.token, &self.keys, &key, &self.position_or_blank(&w.key(), id))
    }

    /// No bound on an exit of `w`'s position `id` (tests of the bound itself build their own).
    pub fn any_exit(&self, w: &Wallet, id: u64) -> ix::TradeLimit {
        let side = self.position_or_blank(&w.key(), id).side().unwrap_or(Side::Long);
        ix::TradeLimit::any(side, false)
    }

    /// `owner`'s position `id`, or, where there is none (tests of closed or never-opened
    /// positions), one with only the addresses a client would have used for it.
    fn position_or_blank(&self, owner: &Pubkey, id: u64) -> Position {
        self.position_at_or_blank(&self.position_key(owner, id), owner)
    }

    /// The position at `key`, or (where there is none) one with only the addresses a client would
    /// have used for it: this market, `owner`, the canonical vault.
    fn position_at_or_blank(&self, key: &Pubkey, owner: &Pubkey) -> Position {
        match self.env.account(key) {
            Some(a) => ringfence_sdk::decode_account(&a.data).expect("position"),
            None => Position {
                market: self.keys.market,
                owner: *owner,
                vault: pda::vault(key),
                ..bytemuck::Zeroable::zeroed()
            },
        }
    }

    pub fn remove_margin(&mut self, w: &Wallet, id: u64, amount: u64) -> TxResult {
        let ix = ix::remove_margin(&self.position_accounts(w, id), amount);
        self.step(&[ix], &[&w.kp])
    }

    /// `w` adds `size_delta` of notional to its position `id`, depositing `deposit` (no price bound).
    pub fn increase(&mut self, w: &Wallet, id: u64, size_delta: u64, deposit: u64) -> TxResult {
        let side = self.position_or_blank(&w.key(), id).side().unwrap_or(Side::Long);
        let ix =
            ix::increase_position(&self.position_accounts(w, id), size_delta, deposit, ix::TradeLimit::any(side, true));
        self.step(&[ix], &[&w.kp])
    }

    pub fn decrease(&mut self, w: &Wallet, id: u64, size_delta: u64) -> TxResult {
        let ix = ix::decrease_position(&self.position_accounts(w, id), size_delta, self.any_exit(w, id));
        self.step(&[ix], &[&w.kp])
    }

    pub fn close(&mut self, w: &Wallet, id: u64) -> TxResult {
        let ix = ix::close_position(&self.position_accounts(w, id), self.any_exit(w, id));
        self.step(&[ix], &[&w.kp])
    }

    /// The program's view of a position's health, through simulation (nothing is written).
    pub fn health(&self, owner: &Pubkey, id: u64) -> Result<HealthView, String> {
        self.health_of(&self.position_key(owner, id))
    }

    /// The program's view of the position at `key`, through simulation.
    pub fn health_of(&self, key: &Pubkey) -> Result<HealthView, String> {
        let pos: Position = self.env.decode(key);
        let ix = ix::position_health(&self.keys, key, &pos);
        let data = simulate_return(&self.env, ix, &[])?;
        HealthView::deserialize(&mut &data[..]).map_err(|e| e.to_string())
    }

    /// The accounts a keeper passes to liquidate `owner`'s position `id` (read from the position).
    pub fn liquidate_accounts(&self, keeper: &Wallet, owner: &Wallet, id: u64) -> LiquidateAccounts {
        self.liquidate_accounts_of(keeper, &self.position_key(&owner.key(), id))
    }

    /// The accounts a keeper passes to liquidate the position at `key`.
    pub fn liquidate_accounts_of(&self, keeper: &Wallet, key: &Pubkey) -> LiquidateAccounts {
        let pos = self.position_at_or_blank(key, &Pubkey::default());
        LiquidateAccounts::of(&keeper.key(), &keeper.token, &self.keys, key, &pos)
    }

    /// The owner of a liquidated position claims its residual into `destination`.
    pub fn claim_residual(&mut self, owner: &Wallet, key: &Pubkey, destination: &Pubkey) -> TxResult {
        let pos: Position = self.env.decode(key);
        let ix = ix::claim_residual(destination, key, &pos);
        self.step(&[ix], &[&owner.kp])
    }

    pub fn liquidate_with(&mut self, keeper: &Wallet, accounts: &LiquidateAccounts) -> TxResult {
        self.step(&[ix::liquidate(accounts)], &[&keeper.kp])
    }

    pub fn liquidate(&mut self, keeper: &Wallet, owner: &Wallet, id: u64) -> TxResult {
        let a = self.liquidate_accounts(keeper, owner, id);
        self.liquidate_with(keeper, &a)
    }

    pub fn market(&self) -> Market {
        self.env.decode(&self.keys.market)
    }

    /// The owner of `w`'s position `id` sets (or, price 0, clears) a take-profit or stop-loss.
    pub fn set_trigger(&mut self, w: &Wallet, id: u64, kind: TriggerKind, t: TriggerArgs) -> TxResult {
        let key = self.position_key(&w.key(), id);
        let ix = ix::set_trigger(&w.token, &key, &self.position_at_or_blank(&key, &w.key()), kind, t);
        self.step(&[ix], &[&w.kp])
    }

    /// `keeper` executes the trigger `kind` of the position at `key`.
    pub fn execute_trigger(&mut self, keeper: &Wallet, key: &Pubkey, kind: TriggerKind) -> TxResult {
        let pos = self.position_at_or_blank(key, &Pubkey::default());
        let ix = ix::execute_trigger(&keeper.key(), &keeper.token, &self.keys, key, &pos, kind);
        self.step(&[ix], &[&keeper.kp])
    }

    pub fn add_standby(&mut self, w: &Wallet, id: u64, amount: u64) -> TxResult {
        let key = self.position_key(&w.key(), id);
        let ix = ix::add_standby(&w.token, &key, &self.position_at_or_blank(&key, &w.key()), amount);
        self.step(&[ix], &[&w.kp])
    }

    pub fn withdraw_standby(&mut self, w: &Wallet, id: u64, amount: u64, destination: &Pubkey) -> TxResult {
        let key = self.position_key(&w.key(), id);
        let ix = ix::withdraw_standby(destination, &key, &self.position_at_or_blank(&key, &w.key()), amount);
        self.step(&[ix], &[&w.kp])
    }

    pub fn set_topup_rule(&mut self, w: &Wallet, id: u64, ratio_bps: u16, step: u64, fee: u64) -> TxResult {
        let key = self.position_key(&w.key(), id);
        let ix = ix::set_topup_rule(&key, &self.position_at_or_blank(&key, &w.key()), ratio_bps, step, fee);
        self.step(&[ix], &[&w.kp])
    }

    /// `keeper` runs one top-up step on the position at `key`.
    pub fn top_up(&mut self, keeper: &Wallet, key: &Pubkey) -> TxResult {
        let pos = self.position_at_or_blank(key, &Pubkey::default());
        let ix = ix::top_up(&keeper.key(), &keeper.token, &self.keys, key, &pos);
        self.step(&[ix], &[&keeper.kp])
    }

    /// `w` places the limit order `o` funded from its token account.
    pub fn place_order(&mut self, w: &Wallet, o: &ix::OrderSpec) -> TxResult {
        let (ix, _) = ix::place_limit_order(&w.key(), &w.token, &self.keys, o);
        self.step(&[ix], &[&w.kp])
    }

    pub fn order_key(&self, owner: &Pubkey, id: u64) -> Pubkey {
        pda::order(&self.keys.market, owner, id)
    }

    /// The order at `key`, or (where there is none) one with only the addresses a client would
    /// have used for it.
    fn order_or_blank(&self, key: &Pubkey) -> LimitOrder {
        match self.env.account(key) {
            Some(a) if a.lamports > 0 => ringfence_sdk::decode_account(&a.data).expect("order"),
            _ => {
                LimitOrder { market: self.keys.market, escrow: pda::order_escrow(key), ..bytemuck::Zeroable::zeroed() }
            }
        }
    }

    pub fn execute_order(&mut self, keeper: &Wallet, order: &Pubkey) -> TxResult {
        let o = self.order_or_blank(order);
        let ix = ix::execute_limit_order(&keeper.key(), &keeper.token, &self.keys, order, &o);
        self.step(&[ix], &[&keeper.kp])
    }

    pub fn cancel_order(&mut self, owner: &Wallet, order: &Pubkey, destination: &Pubkey) -> TxResult {
        let o = self.order_or_blank(order);
        self.step(&[ix::cancel_limit_order(destination, order, &o)], &[&owner.kp])
    }

    /// Anyone closes an expired order (no signer but the fixture's fee payer).
    pub fn close_expired_order(&mut self, order: &Pubkey) -> TxResult {
        let o = self.order_or_blank(order);
        self.step(&[ix::close_expired_order(order, &o)], &[])
    }

    /// Every limit order of this market.
    pub fn orders(&self) -> Vec<(Pubkey, LimitOrder)> {
        self.env
            .svm
            .get_program_accounts(&PROGRAM_ID)
            .into_iter()
            .filter(|(_, a)| a.lamports > 0 && a.data.len() == ORDER_SPACE)
            .filter_map(|(k, a)| {
                let o: LimitOrder = ringfence_sdk::decode_account(&a.data).ok()?;
                (o.market == self.keys.market).then_some((k, o))
            })
            .collect()
    }

    pub fn position(&self, owner: &Pubkey, id: u64) -> Position {
        self.env.decode(&self.position_key(owner, id))
    }

    pub fn vault_of(&self, owner: &Pubkey, id: u64) -> Pubkey {
        self.position_or_blank(owner, id).vault
    }

    pub fn lp_balance(&self, w: &Wallet) -> u64 {
        self.env.token_balance(&w.lp)
    }

    /// Every position account of this fixture's market, open or liquidated.
    pub fn all_positions(&self) -> Vec<(Pubkey, Position)> {
        self.env
            .svm
            .get_program_accounts(&PROGRAM_ID)
            .into_iter()
            .filter(|(_, a)| a.lamports > 0 && a.data.len() == POSITION_SPACE)
            .filter_map(|(k, a)| {
                let p: Position = ringfence_sdk::decode_account(&a.data).ok()?;
                (p.market == self.keys.market).then_some((k, p))
            })
            .collect()
    }

    /// Every open position of this fixture's market.
    pub fn positions(&self) -> Vec<(Pubkey, Position)> {
        self.all_positions().into_iter().filter(|(_, p)| p.is_open()).collect()
    }

    /// Every liquidated position of this market whose residual is not claimed yet.
    pub fn liquidated_positions(&self) -> Vec<(Pubkey, Position)> {
        self.all_positions().into_iter().filter(|(_, p)| !p.is_open()).collect()
    }

    /// Sum of every token account of the collateral mint equals the mint's supply.
    #[track_caller]
    pub fn assert_conserved(&self) {
        let total: u128 = self.env.token_accounts_of(&self.mint).iter().map(|(_, b)| u128::from(*b)).sum();
        assert_eq!(total, u128::from(self.env.mint_supply(&self.mint)), "tokens not conserved");
    }

    /// The invariants checked after every step of every test (see [`Self::step`]):
    /// - tokens are conserved across all accounts;
    /// - each vault holds exactly its position's collateral + reserve; a liquidated position's
    ///   vault holds exactly its residual, and it counts nowhere in the market;
    /// - the pool vault holds exactly the market's free liquidity; LP supply matches the mint;
    /// - reserves, open interest, base quantities and index sums equal the sums over positions.
    #[track_caller]
    pub fn assert_invariants(&self) {
        self.assert_conserved();
        let m = self.market();
        assert_eq!(
            self.env.token_balance(&self.keys.pool_vault),
            m.free_liquidity + m.pending_deposits + m.pending_payouts + self.donated,
            "pool vault != free liquidity + pending deposits + pending payouts (+ test donations)"
        );
        // The LP escrow holds exactly the shares of pending withdrawals and executed deposits; the
        // pool vault's pending amounts are exactly those of the requests.
        let (mut escrowed, mut deposits, mut payouts, mut pending) = (0u64, 0u64, 0u64, 0u64);
        for (_, a) in self.env.svm.get_program_accounts(&PROGRAM_ID) {
            if a.lamports == 0 || a.data.len() != LP_REQUEST_SPACE {
                continue;
            }
            let Ok(r) = ringfence_sdk::decode_account::<ringfence_sdk::LpRequest>(&a.data) else { continue };
            if r.market != self.keys.market {
                continue;
            }
            match (r.kind, r.executed, r.refunded) {
                (0, 0, _) => deposits += r.amount,
                (_, 0, _) => escrowed += r.amount,
                (0, _, 0) | (1, _, 1) => escrowed += r.claimable,
                _ => payouts += r.claimable,
            }
            pending += u64::from(r.executed == 0);
        }
        assert_eq!(self.env.token_balance(&m.lp_escrow), escrowed, "LP escrow != escrowed shares of requests");
        assert_eq!(
            (m.pending_deposits, m.pending_payouts, m.pending_requests),
            (deposits, payouts, pending),
            "pending LP amounts"
        );
        assert_eq!(self.env.mint_supply(&self.keys.lp_mint), m.lp_supply, "LP mint supply != lp_supply");
        let (mut long, mut short) = (SideTotals::default(), SideTotals::default());
        let mut reserved = 0u64;
        // One scan of the program's accounts: open positions, and liquidated ones awaiting a claim.
        let (positions, liquidated): (Vec<_>, Vec<_>) =
            self.all_positions().into_iter().partition(|(_, p)| p.is_open());
        for (key, p) in &positions {
            let apart = p.standby + p.take_profit.fee + p.stop_loss.fee + p.residual;
            assert_eq!(
                self.env.token_balance(&p.vault),
                p.collateral + p.reserve + apart + self.vault_donations.get(&p.vault).copied().unwrap_or(0),
                "vault of {key} != collateral + reserve + standby + trigger fees + residual (+ test donations)"
            );
            for t in [&p.take_profit, &p.stop_loss] {
                assert!(t.price > 0 || *t == Default::default(), "a cleared trigger of {key} keeps a size or fee");
            }
            let t = if p.side == 0 { &mut long } else { &mut short };
            t.apply(true, p.size, wide_get(&p.qty), p.borrow_index).expect("aggregate");
            reserved += p.reserve;
            // Fees owed are computable for every position (no overflow).
            borrow_fee(p.size, p.borrow_index, m.borrow_index).expect("borrow fee");
        }
        assert_eq!(m.total_reserved, reserved, "total_reserved != Σ reserve");
        assert_eq!(m.long.totals(), long, "long aggregates != Σ positions");
        assert_eq!(m.short.totals(), short, "short aggregates != Σ positions");
        assert_eq!(m.positions_open, positions.len() as u64, "positions_open");
        for (key, p) in liquidated {
            assert!(p.status == status::LIQUIDATED || p.status == status::CLOSED, "status of {key}");
            assert_eq!(
                self.env.token_balance(&p.vault),
                p.residual,
                "vault of settled {key} != its residual (donations while open went to the pool)"
            );
            assert_eq!((p.standby, p.take_profit.fee, p.stop_loss.fee), (0, 0, 0), "{key} holds apart after settling");
        }
        // Every limit order's escrow holds exactly what it escrowed; its lamports cover its rent
        // and the position's prefunded rent.
        let order_rent = self.env.svm.minimum_balance_for_rent_exemption(ORDER_SPACE);
        for (key, o) in self.orders() {
            assert_eq!(self.env.token_balance(&o.escrow), o.escrowed().expect("escrowed"), "escrow of order {key}");
            let lamports = self.env.account(&key).map(|a| a.lamports).unwrap_or(0);
            assert_eq!(lamports, order_rent + o.rent_prefund, "lamports of order {key}");
        }
        self.assert_sweep(&m, &positions);
    }

    /// The pool sweep, checked against the fixture's own valuation of every position: while it is
    /// live, each valued position's recorded value is exactly what its vault would return to the
    /// pool at its valuation price, and the sweep's count and sum are those of the valued
    /// positions. So while it is complete, `free + value` (what LP requests execute at) is the
    /// exact pool value.
    #[track_caller]
    pub fn assert_sweep(&self, m: &Market, positions: &[(Pubkey, Position)]) {
        if m.sweep.epoch == 0 || self.env.now() > m.sweep.expires_at {
            return;
        }
        let valued: Vec<&Position> =
            positions.iter().map(|(_, p)| p).filter(|p| p.sweep_epoch == m.sweep.epoch).collect();
        assert_eq!(m.sweep.counted, valued.len() as u64, "sweep count != positions valued");
        let mut sum = 0u128;
        for p in &valued {
            let exact = exact_claim(p, &sweep_params(m), p.sweep_price, m.sweep.borrow_index);
            assert_eq!(u128::from(p.sweep_value), exact, "position's sweep value != exact claim");
            sum += exact;
        }
        assert_eq!(u128::from(m.sweep.value), sum, "sweep value != Σ exact claims");
        // While complete, what it measures is the fixture's exact value at its start (+ LP flows).
        if m.sweep.counted == m.positions_open {
            if let Some((epoch, value)) = self.sweep_snapshot {
                if epoch == m.sweep.epoch {
                    let adjust = m.sweep_adjust();
                    let measured = i128::from(m.free_liquidity) + i128::from(m.sweep.value) + adjust;
                    assert_eq!(
                        measured, value,
                        "measured pool value != the fixture's exact value at the sweep's start"
                    );
                }
            }
        }
    }

    /// The exact pool value at the oracle mid `price` now (borrow fees up to the market's index
    /// accrued to now): what the pool would hold if every position settled now with no close fee.
    pub fn exact_pool_value_at(&self, price: u64) -> u128 {
        let mut m = self.market();
        let elapsed = (self.env.now() - m.last_accrual_time).max(0) as u64;
        m.borrow_index += m.borrow_rate * elapsed;
        let claims: u128 = self.positions().iter().map(|(_, p)| exact_claim(p, &m.params, price, m.borrow_index)).sum();
        u128::from(m.free_liquidity) + claims
    }

    pub fn snapshot(&self) -> Vec<(Pubkey, Vec<u8>, u64)> {
        self.env.state_snapshot(&[self.mint, self.keys.lp_mint])
    }
}

/// The parameters the live sweep values with: those of its start (`PoolSweep`).
pub fn sweep_params(m: &Market) -> RiskParams {
    RiskParams {
        maintenance_margin_bps: m.sweep.maintenance_margin_bps,
        liquidation_fee_bps: m.sweep.liquidation_fee_bps,
        close_fee_bps: m.sweep.close_fee_bps,
        ..m.params
    }
}

/// What `p`'s vault would return to the pool if the position settled at `price` with borrow fees
/// owed up to `index` and no close fee; a position liquidatable there (the test counts the close
/// fee, as `liquidate` does) counts as liquidated: the keeper's reward leaves the vault first.
/// Written out here independently of `ringfence_math` so that the two check each other.
pub fn exact_claim(p: &Position, params: &RiskParams, price: u64, index: u64) -> u128 {
    let ceil = |n: i128, d: i128| (n + d - 1).div_euclid(d);
    let (s, c, r, e) = (i128::from(p.size), i128::from(p.collateral), i128::from(p.reserve), i128::from(p.entry_price));
    let diff = if p.side == 0 { i128::from(price) - e } else { e - i128::from(price) };
    let pnl = (s * diff).div_euclid(e).min(r);
    let borrow = ceil(s * i128::from(index.max(p.borrow_index) - p.borrow_index), 1_000_000_000_000);
    let close = ceil(s * i128::from(params.close_fee_bps), 10_000);
    let maintenance = ceil(s * i128::from(params.maintenance_margin_bps), 10_000);
    let liquidatable = c + pnl - borrow - close < maintenance;
    let vault = c + r;
    let keeper =
        if liquidatable { (s * i128::from(params.liquidation_fee_bps)).div_euclid(10_000).min(vault) } else { 0 };
    let trader = (c + pnl - borrow - keeper).clamp(0, vault - keeper);
    (vault - keeper - trader) as u128
}

impl Default for MarketFixture {
    fn default() -> Self {
        Self::new()
    }
}
