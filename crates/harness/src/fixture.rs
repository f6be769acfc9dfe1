//! A ready market: collateral mint (USDC-like, 6 decimals), admin, pinned oracle, initialized
//! market and pool vault; plus traders and a keeper with token accounts.
use anchor_lang::prelude::Pubkey;
use ringfence_sdk::ix::{self, LiquidateAccounts, MarketKeys};
use ringfence_sdk::{pda, Market, Position, RiskParams, Side};

use crate::{Env, Keypair, PriceFixture, Signer, TxResult};

pub const USDC_DECIMALS: u8 = 6;
/// One whole collateral token (USDC-like, 6 decimals).
pub const USDC: u64 = 1_000_000;
/// The fixture's feed id (any 32 bytes; the market pins it).
pub const FEED_ID: [u8; 32] = *b"ringfence-test-feed-SOL/USD-0001";

pub fn default_params() -> RiskParams {
    RiskParams {
        initial_margin_bps: 1_000,   // 10x
        maintenance_margin_bps: 500, // 5%
        liquidation_fee_bps: 100,    // 1% of notional to the keeper
        max_conf_bps: 200,           // 2%
        max_price_age_secs: 60,
    }
}

/// A wallet with SOL and a funded collateral token account.
pub struct Wallet {
    pub kp: Keypair,
    pub token: Pubkey,
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
}

impl MarketFixture {
    /// A market at price 100 with `default_params()`.
    pub fn new() -> Self {
        match Self::with_params(default_params()) {
            Ok(f) => f,
            Err((_, res)) => panic!("initialize market: {}", crate::describe(&res)),
        }
    }

    /// Initializes a market; `Err` carries the failed initialization (for parameter tests).
    pub fn with_params(params: RiskParams) -> Result<Self, (Self, TxResult)> {
        let mut env = Env::new();
        let admin = env.new_wallet(10);
        let mint_authority = Keypair::new();
        let mint = env.create_mint(&mint_authority.pubkey(), USDC_DECIMALS);
        let oracle = Pubkey::new_unique();
        let keys = MarketKeys::derive(&admin.pubkey(), &mint, &FEED_ID, &oracle);
        let mut f = MarketFixture { env, admin, mint_authority, mint, oracle, keys, params, price: 0 };
        f.set_price(crate::pyth_price(100.0));
        let res = f.env.send(&[ix::initialize_market(&f.admin.pubkey(), &f.keys, FEED_ID, params)], &[&f.admin]);
        match res {
            Ok(_) => Ok(f),
            Err(_) => Err((f, res)),
        }
    }

    /// Creates another market on the same mint (another feed, its own pinned oracle at `price`).
    pub fn add_market(&mut self, feed_id: [u8; 32], price: i64) -> MarketKeys {
        let oracle = Pubkey::new_unique();
        let fixture = PriceFixture::new(feed_id, price, self.env.now());
        self.env.write_price(&oracle, &fixture);
        let keys = MarketKeys::derive(&self.admin.pubkey(), &self.mint, &feed_id, &oracle);
        let ix = ix::initialize_market(&self.admin.pubkey(), &keys, feed_id, self.params);
        self.env.send(&[ix], &[&self.admin]).expect("initialize second market");
        keys
    }

    /// Publishes `price` (mantissa, exponent -8) at the current clock.
    pub fn set_price(&mut self, price: i64) {
        self.price = price;
        let fixture = PriceFixture::new(FEED_ID, price, self.env.now());
        self.env.write_price(&self.oracle, &fixture);
    }

    /// Publishes an arbitrary price update at the pinned oracle address.
    pub fn write_oracle(&mut self, fixture: &PriceFixture) {
        self.env.write_price(&self.oracle, fixture);
    }

    pub fn price_fixture(&self) -> PriceFixture {
        PriceFixture::new(FEED_ID, self.price, self.env.now())
    }

    /// A wallet with 10 SOL and `tokens` of collateral.
    pub fn wallet(&mut self, tokens: u64) -> Wallet {
        let kp = self.env.new_wallet(10);
        let token = self.env.create_token_account(&self.mint, &kp.pubkey());
        if tokens > 0 {
            self.env.mint_to(&self.mint, &self.mint_authority, &token, tokens);
        }
        Wallet { kp, token }
    }

    /// Funds the pool vault by a plain token transfer from a fresh LP wallet.
    pub fn fund_pool(&mut self, amount: u64) {
        let lp = self.wallet(amount);
        self.env.transfer_tokens(&lp.token, &self.keys.pool_vault, &lp.kp, amount).expect("fund pool");
    }

    pub fn position_key(&self, owner: &Pubkey, id: u64) -> Pubkey {
        pda::position(&self.keys.market, owner, id)
    }

    pub fn open(&mut self, w: &Wallet, id: u64, side: Side, collateral: u64, size: u64) -> TxResult {
        let ix = ix::open_position(&w.key(), &w.token, &self.keys, id, side, collateral, size);
        self.env.send(&[ix], &[&w.kp])
    }

    pub fn add_margin(&mut self, w: &Wallet, id: u64, amount: u64) -> TxResult {
        let position = self.position_key(&w.key(), id);
        let ix = ix::add_margin(&w.key(), &w.token, &self.keys.market, &position, amount);
        self.env.send(&[ix], &[&w.kp])
    }

    /// The accounts a keeper passes to liquidate `owner`'s position `id`.
    pub fn liquidate_accounts(&self, keeper: &Wallet, owner: &Wallet, id: u64) -> LiquidateAccounts {
        let position = self.position_key(&owner.key(), id);
        LiquidateAccounts::new(&keeper.key(), &keeper.token, &self.keys, &position, &owner.key(), &owner.token)
    }

    pub fn liquidate_with(&mut self, keeper: &Wallet, accounts: &LiquidateAccounts) -> TxResult {
        self.env.send(&[ix::liquidate(accounts)], &[&keeper.kp])
    }

    pub fn liquidate(&mut self, keeper: &Wallet, owner: &Wallet, id: u64) -> TxResult {
        let a = self.liquidate_accounts(keeper, owner, id);
        self.liquidate_with(keeper, &a)
    }

    pub fn market(&self) -> Market {
        self.env.decode(&self.keys.market)
    }

    pub fn position(&self, owner: &Pubkey, id: u64) -> Position {
        self.env.decode(&self.position_key(owner, id))
    }

    pub fn vault_of(&self, owner: &Pubkey, id: u64) -> Pubkey {
        pda::vault(&self.position_key(owner, id))
    }

    /// Sum of every token account of the collateral mint equals the mint's supply.
    #[track_caller]
    pub fn assert_conserved(&self) {
        let total: u128 = self.env.token_accounts_of(&self.mint).iter().map(|(_, b)| u128::from(*b)).sum();
        assert_eq!(total, u128::from(self.env.mint_supply(&self.mint)), "tokens not conserved");
    }

    pub fn snapshot(&self) -> Vec<(Pubkey, Vec<u8>, u64)> {
        self.env.state_snapshot(&self.mint)
    }
}

impl Default for MarketFixture {
    fn default() -> Self {
        Self::new()
    }
}
