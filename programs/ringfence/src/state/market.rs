use anchor_lang::prelude::*;
use ringfence_math::{accrue_index, borrow_rate, SideTotals};

use crate::error::{MathResultExt, RingfenceError};
use crate::state::{Position, Side};

/// Seed prefix of [`Market`]: `["market", creator, collateral_mint, feed_id]`.
pub const MARKET_SEED: &[u8] = b"market";
/// Seed prefix of the market's pool vault: `["pool_vault", market]`.
pub const POOL_VAULT_SEED: &[u8] = b"pool_vault";
/// Seed prefix of the market's LP share mint: `["lp_mint", market]`.
pub const LP_MINT_SEED: &[u8] = b"lp_mint";
/// Seed prefix of the market's LP share escrow (shares of pending withdrawals): `["lp_escrow", market]`.
pub const LP_ESCROW_SEED: &[u8] = b"lp_escrow";

/// Pause flags: each stops one kind of action that adds risk. Nothing that saves or exits a
/// position or the pool can be paused: adding and removing margin, decreasing, closing,
/// liquidating, claiming a residual, LP withdrawals and executing or claiming LP requests.
pub mod pause {
    /// Opening positions.
    pub const OPEN: u8 = 1;
    /// LP deposit requests.
    pub const DEPOSIT: u8 = 4;
    pub const ALL: u8 = OPEN | DEPOSIT;
}

/// On-chain bounds of every risk parameter (checked whenever parameters are set or a pending
/// change is applied).
pub mod bounds {
    /// Initial margin: 0.5% (200x) ..= 100% (1x), and at least maintenance + widest confidence +
    /// close fee + keeper reward, so that no position is liquidatable the moment it opens (it pays
    /// the confidence spread at entry and is judged with the close fee counted).
    pub const INITIAL_MARGIN_BPS: (u16, u16) = (50, 10_000);
    /// Maintenance margin: 0.1% ..= 50%.
    pub const MAINTENANCE_MARGIN_BPS: (u16, u16) = (10, 5_000);
    /// Keeper reward: at least 0.01%, strictly below the maintenance margin.
    pub const LIQUIDATION_FEE_BPS_MIN: u16 = 1;
    /// Widest confidence interval for trader and LP actions: 0.01% ..= 10% of the price.
    pub const MAX_CONF_BPS: (u16, u16) = (1, 1_000);
    /// Widest confidence interval for liquidations: at least the trading bound, at most 20% of
    /// the price. Health is judged at the interval's side that favours the trader, so a wider
    /// interval only delays a liquidation (by at most the interval), never makes it unfair.
    pub const MAX_CONF_LIQUIDATE_BPS_MAX: u16 = 2_000;
    /// Open and close fees: at most 1% each.
    pub const MAX_TRADE_FEE_BPS: u16 = 100;
    /// Max profit (the reserve): 10% ..= 1,000% of notional.
    pub const MAX_PROFIT_BPS: (u32, u32) = (1_000, 100_000);
    /// Oldest usable price for trader actions: 1 s ..= 30 s (the latency-arbitrage defence: a
    /// trader who knows a newer price can only trade against one at most this old, and must
    /// otherwise post the newer one).
    pub const MAX_PRICE_AGE_TRADE_SECS: (u16, u16) = (1, 30);
    /// Oldest usable price for liquidations: at least the trade age, at most 60 s. A liquidation
    /// judges health now; with a pull oracle any keeper can post a fresh price in the same
    /// transaction, so an older one is never needed, and a dip older than a minute may have
    /// recovered. (It can also never be older than the newest price the market has used.)
    pub const MAX_PRICE_AGE_LIQUIDATE_SECS_MAX: u16 = 60;
    /// LP deposit and withdrawal fee: at most 1%, and at least `(open + close fee) / (2 * max
    /// profit)` so that wrapping a trade in a deposit and a withdrawal cannot recapture its fees.
    pub const MAX_LP_FEE_BPS: u16 = 100;
    /// Smallest position notional: its keeper reward must be at least this many token units.
    pub const MIN_KEEPER_REWARD_UNITS: u64 = 3;
    /// Borrow rate: at most 1,000% a year (in index units per second).
    pub const MAX_BORROW_RATE: u64 = 317_098;
    /// Delay of changes that can make an exit, a margin top-up or a liquidation fail or cost
    /// more: 1 hour ..= 30 days. Never zero: the delay is the traders' exit window.
    pub const TIMELOCK_SECS: (u64, u64) = (3_600, 30 * 86_400);
    /// A due change must be applied within this long after its effective time, or it lapses (and
    /// a new one may be scheduled): nobody can hold a harmful change and spring it later on
    /// positions opened long after it was due.
    pub const APPLY_WINDOW_SECS: i64 = 3_600;
}

/// Risk and fee parameters of one market. Ratios are basis points of notional.
/// `repr(C)` without padding: its Borsh encoding (instruction args, events) equals its
/// in-account bytes.
#[repr(C)]
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct RiskParams {
    /// Collateral required at open and after removing margin (max leverage = 10_000 / this).
    pub initial_margin_bps: u16,
    /// Equity (net of fees owed) below this share of notional makes a position liquidatable.
    pub maintenance_margin_bps: u16,
    /// Paid to the keeper from the position's vault on liquidation, ahead of the trader.
    pub liquidation_fee_bps: u16,
    /// Widest accepted oracle confidence interval for trader and LP actions, share of the price.
    pub max_conf_bps: u16,
    /// Widest accepted oracle confidence interval for liquidations (and the health view).
    pub max_conf_liquidate_bps: u16,
    /// Fee on notional at open, to the pool.
    pub open_fee_bps: u16,
    /// Fee on notional at close/decrease/liquidation, to the pool.
    pub close_fee_bps: u16,
    /// Fee on LP deposits and withdrawals, kept by the pool (the remaining LPs).
    pub lp_fee_bps: u16,
    /// Oldest accepted oracle publish time for trader and LP actions, seconds before the clock.
    pub max_price_age_trade_secs: u16,
    /// Oldest accepted oracle publish time for liquidations, seconds before the clock.
    pub max_price_age_liquidate_secs: u16,
    /// Max profit as a share of notional: the reserve moved from the pool into each vault (a
    /// short's reserve never exceeds its notional).
    pub max_profit_bps: u32,
    /// Borrow rate at 0% utilization, index units per second (1e12 = 100% of notional).
    pub borrow_rate_min: u64,
    /// Borrow rate at 100% utilization.
    pub borrow_rate_max: u64,
    /// Cap on open long notional.
    pub max_open_interest_long: u64,
    /// Cap on open short notional.
    pub max_open_interest_short: u64,
    /// Delay before a change that can hurt open positions takes effect (the exit window).
    pub timelock_secs: u64,
    /// Smallest notional a position may have, at open and after a decrease, so that its keeper
    /// reward pays for the liquidation transaction (dust would never be liquidated).
    pub min_position_size: u64,
}

const _: () = assert!(core::mem::size_of::<RiskParams>() == 10 * 2 + 4 + 8 * 6);

/// Which direction of a change can make an exit, a margin top-up or a liquidation fail or cost
/// the trader (or a withdrawing LP) more: such a change waits for the timelock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hurts {
    /// Raising it.
    Raise,
    /// Lowering it.
    Lower,
    /// Any change.
    Both,
    /// No change (it only affects opening positions).
    Never,
}

/// Bits naming the fields of a [`PendingChange`] (`PendingChange::fields`).
pub mod field {
    pub const ORACLE: u32 = 1 << 16;
}

macro_rules! risk_fields {
    ($($bit:literal $name:ident $hurts:ident,)*) => {
        /// Every parameter: its bit in [`field`]-style masks, its name and the direction that hurts.
        pub const RISK_FIELDS: &[(u32, &str, Hurts)] = &[$((1 << $bit, stringify!($name), Hurts::$hurts),)*];

        impl RiskParams {
            /// Mask of the fields whose change from `self` to `next` can make an exit, a margin
            /// top-up or a liquidation fail or cost more (see [`RISK_FIELDS`]).
            pub fn hurting_fields(&self, next: &RiskParams) -> u32 {
                let mut mask = 0;
                $(
                    let hurts = match Hurts::$hurts {
                        Hurts::Raise => next.$name > self.$name,
                        Hurts::Lower => next.$name < self.$name,
                        Hurts::Both => next.$name != self.$name,
                        Hurts::Never => false,
                    };
                    if hurts {
                        mask |= 1 << $bit;
                    }
                )*
                mask
            }

            /// Mask of the fields that differ between `self` and `next`.
            pub fn changed_fields(&self, next: &RiskParams) -> u32 {
                let mut mask = 0;
                $(
                    if next.$name != self.$name {
                        mask |= 1 << $bit;
                    }
                )*
                mask
            }

            /// `self` with the fields in `mask` taken from `from`.
            pub fn with_fields(&self, from: &RiskParams, mask: u32) -> RiskParams {
                let mut out = *self;
                $(
                    if mask & (1 << $bit) != 0 {
                        out.$name = from.$name;
                    }
                )*
                out
            }
        }
    };
}

// The classification (README "Admin powers" lists it with reasons).
risk_fields! {
    0 initial_margin_bps Raise,          // remove-margin can fail
    1 maintenance_margin_bps Raise,      // liquidates earlier
    2 liquidation_fee_bps Raise,         // a liquidation costs the trader more
    3 max_conf_bps Both,                 // lower: exits fail; higher: wider exit spread
    4 max_conf_liquidate_bps Both,       // lower: liquidations fail; higher: changes the liquidation price
    5 open_fee_bps Never,                // opening only
    6 close_fee_bps Raise,               // exits cost more
    7 lp_fee_bps Raise,                  // LP withdrawals cost more
    8 max_price_age_trade_secs Lower,    // exits fail without a fresher price
    9 max_price_age_liquidate_secs Both, // lower: liquidations fail; higher: older prices judge health
    10 max_profit_bps Lower,             // smaller reserves (new positions); kept timelocked
    11 borrow_rate_min Raise,            // holding costs more
    12 borrow_rate_max Raise,
    13 max_open_interest_long Never,     // opening only
    14 max_open_interest_short Never,
    15 timelock_secs Lower,              // a shorter exit window
    // 16 is field::ORACLE
    17 min_position_size Raise,          // a decrease can fail
}

impl RiskParams {
    /// Range-checks every parameter; each violation is its own named error.
    pub fn validate(&self) -> Result<()> {
        let in16 = |v: u16, (lo, hi): (u16, u16)| v >= lo && v <= hi;
        let (im, mm) = (u32::from(self.initial_margin_bps), u32::from(self.maintenance_margin_bps));
        require!(
            in16(self.maintenance_margin_bps, bounds::MAINTENANCE_MARGIN_BPS),
            RingfenceError::MaintenanceMarginOutOfRange
        );
        require!(
            self.liquidation_fee_bps >= bounds::LIQUIDATION_FEE_BPS_MIN
                && self.liquidation_fee_bps < self.maintenance_margin_bps,
            RingfenceError::LiquidationFeeOutOfRange
        );
        require!(in16(self.max_conf_bps, bounds::MAX_CONF_BPS), RingfenceError::MaxConfidenceOutOfRange);
        require!(
            self.max_conf_liquidate_bps >= self.max_conf_bps
                && self.max_conf_liquidate_bps <= bounds::MAX_CONF_LIQUIDATE_BPS_MAX,
            RingfenceError::MaxConfidenceOutOfRange
        );
        require!(
            self.open_fee_bps <= bounds::MAX_TRADE_FEE_BPS && self.close_fee_bps <= bounds::MAX_TRADE_FEE_BPS,
            RingfenceError::TradeFeeOutOfRange
        );
        // Initial - maintenance covers the confidence spread paid at entry, the close fee counted
        // by the liquidation test and the keeper reward (all at their worst).
        let cushion = mm
            .saturating_add(u32::from(self.max_conf_bps))
            .saturating_add(u32::from(self.close_fee_bps))
            .saturating_add(u32::from(self.liquidation_fee_bps));
        require!(
            in16(self.initial_margin_bps, bounds::INITIAL_MARGIN_BPS) && im >= cushion,
            RingfenceError::InitialMarginOutOfRange
        );
        let (lo, hi) = bounds::MAX_PROFIT_BPS;
        require!(self.max_profit_bps >= lo && self.max_profit_bps <= hi, RingfenceError::MaxProfitOutOfRange);
        // 2 * lp_fee * max_profit >= (open + close) * BPS: see `bounds::MAX_LP_FEE_BPS`.
        let lp_side = u64::from(self.lp_fee_bps).saturating_mul(2).saturating_mul(u64::from(self.max_profit_bps));
        let trade_side = u64::from(self.open_fee_bps)
            .saturating_add(u64::from(self.close_fee_bps))
            .saturating_mul(ringfence_math::BPS);
        require!(self.lp_fee_bps <= bounds::MAX_LP_FEE_BPS && lp_side >= trade_side, RingfenceError::LpFeeOutOfRange);
        let (lo, hi) = bounds::MAX_PRICE_AGE_TRADE_SECS;
        require!(
            in16(self.max_price_age_trade_secs, (lo, hi))
                && self.max_price_age_liquidate_secs >= self.max_price_age_trade_secs
                && self.max_price_age_liquidate_secs <= bounds::MAX_PRICE_AGE_LIQUIDATE_SECS_MAX,
            RingfenceError::MaxPriceAgeOutOfRange
        );
        require!(
            self.borrow_rate_min <= self.borrow_rate_max && self.borrow_rate_max <= bounds::MAX_BORROW_RATE,
            RingfenceError::BorrowRateOutOfRange
        );
        let (lo, hi) = bounds::TIMELOCK_SECS;
        require!(self.timelock_secs >= lo && self.timelock_secs <= hi, RingfenceError::TimelockOutOfRange);
        let min_reward =
            ringfence_math::liquidation_reward(self.min_position_size, u64::from(self.liquidation_fee_bps));
        require!(
            min_reward.is_ok_and(|r| r >= bounds::MIN_KEEPER_REWARD_UNITS),
            RingfenceError::MinPositionSizeOutOfRange
        );
        Ok(())
    }
}

/// A `u128` stored as two little-endian `u64` words (keeps the account 8-byte aligned).
pub type WideU128 = [u64; 2];

/// Reads a [`WideU128`] (Solana targets are little-endian: word 0 is the low half).
pub fn wide_get(w: &WideU128) -> u128 {
    bytemuck::cast(*w)
}

/// Stores a `u128` as a [`WideU128`] (exact: same 16 bytes).
pub fn wide_set(v: u128) -> WideU128 {
    bytemuck::cast(v)
}

/// Per-side aggregates kept on the market (see `ringfence_math::pool`).
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SideAggregate {
    /// Open interest: Σ notional at entry.
    pub open_interest: u64,
    /// Σ base quantity (`size * QTY_SCALE / entry`).
    pub qty: WideU128,
    /// Σ size × borrow index at each position's last settlement.
    pub size_index: WideU128,
}

impl SideAggregate {
    pub fn totals(&self) -> SideTotals {
        SideTotals { oi: self.open_interest, qty: wide_get(&self.qty), size_index: wide_get(&self.size_index) }
    }

    pub fn store(&mut self, t: &SideTotals) {
        self.open_interest = t.oi;
        self.qty = wide_set(t.qty);
        self.size_index = wide_set(t.size_index);
    }

    /// Adds (`add = true`) or removes a position of `size` and `qty`, settled at borrow `index`.
    pub fn apply(&mut self, add: bool, size: u64, qty: u128, index: u64) -> Result<()> {
        let mut t = self.totals();
        t.apply(add, size, qty, index).or_err()?;
        self.store(&t);
        Ok(())
    }
}

/// A parameter or oracle change waiting for the timelock. It holds only the fields it changes
/// (`fields`); applying it writes those onto the parameters in force then, and re-validates. The
/// feed id never changes (it is part of the market's address); only the pinned account can.
#[zero_copy]
#[derive(Debug)]
pub struct PendingChange {
    /// New values of the parameter fields named in `fields` (the others are unused).
    pub params: RiskParams,
    /// New oracle account, when `fields` has `field::ORACLE`.
    pub oracle: Pubkey,
    /// Unix time from which `apply_pending_change` may apply it.
    pub effective_at: i64,
    /// Mask of the changed fields (`RISK_FIELDS` bits and `field::ORACLE`); 0: nothing pending.
    pub fields: u32,
    pub _reserved: [u8; 4],
}

impl PendingChange {
    /// No change pending.
    pub fn none() -> PendingChange {
        bytemuck::Zeroable::zeroed()
    }

    pub fn is_active(&self) -> bool {
        self.fields != 0
    }

    /// Whether it lapsed: due, and not applied within `bounds::APPLY_WINDOW_SECS`.
    pub fn lapsed(&self, now: i64) -> Result<bool> {
        let last = self.effective_at.checked_add(bounds::APPLY_WINDOW_SECS).ok_or(RingfenceError::MathOverflow)?;
        Ok(self.is_active() && now > last)
    }

    /// Whether a change is pending and can still apply (a lapsed one can be replaced).
    pub fn is_pending(&self, now: i64) -> Result<bool> {
        Ok(self.is_active() && !self.lapsed(now)?)
    }
}

/// A valuation of every open position at one oracle price, which LP requests are executed
/// against (see `crate::sweep`). Positions record the sweep that valued them and their value in
/// it; every change to a valued position re-values it at the same price, so while the sweep is
/// complete `free_liquidity + value` is the exact pool value.
#[zero_copy]
#[derive(Debug, Default)]
pub struct PoolSweep {
    /// Number of the current sweep (0: none yet); positions it valued carry it.
    pub epoch: u64,
    /// Oracle mid price the sweep values positions at.
    pub price: u64,
    /// Publish time of that price.
    pub publish_time: i64,
    /// Borrow index at the sweep's start (borrow fees owed are counted up to it).
    pub borrow_index: u64,
    /// Cluster time when the sweep started.
    pub started_at: i64,
    /// `Market::request_seq` at its start: it serves the requests with `seq <=` this.
    pub seq_at_start: u64,
    /// Until when it can be executed against: its price's publish time + the liquidation price age
    /// at its start (fixed then, so no later parameter change can revive a stale sweep).
    pub expires_at: i64,
    /// Open positions valued by this sweep (complete when it equals `positions_open`).
    pub counted: u64,
    /// Σ of those positions' values: what their vaults would return to the pool (`pool_claim`).
    pub value: u64,
    /// LP requests pending at its start (all due at this sweep); while any is neither executed nor
    /// cancelled, a complete sweep cannot be replaced (nobody can skip a request's first sweep).
    pub requests_due: u64,
    /// What trader actions since the start moved in free liquidity and position values, booked
    /// back (an `i128`): the pool value the sweep measures, `free + value + adjust`, is the value
    /// at the sweep's price as of its start, moved only by LP flows executed against it.
    pub adjust: WideU128,
    /// The parameters a position's value depends on, as they were at the sweep's start: every
    /// valuation in the sweep uses these, so no parameter change ends or skews a sweep.
    pub maintenance_margin_bps: u16,
    pub liquidation_fee_bps: u16,
    pub close_fee_bps: u16,
    pub _reserved: u16,
}

/// One perpetual market: a base asset priced by one Pyth feed, margined in one collateral mint,
/// with an LP pool that is every trader's counterparty. Zero-copy (bytemuck).
#[account(zero_copy)]
#[derive(Debug)]
pub struct Market {
    /// Signer of `initialize_market`; part of the PDA seeds (markets are namespaced by creator).
    pub creator: Pubkey,
    /// May change parameters, pause, and propose a new admin.
    pub admin: Pubkey,
    /// Proposed admin; becomes admin when it signs `accept_admin`. Default when none.
    pub pending_admin: Pubkey,
    /// SPL Token mint of the collateral; quoted 1:1 with the oracle's quote currency.
    pub collateral_mint: Pubkey,
    /// Pyth feed id of the base asset.
    pub feed_id: [u8; 32],
    /// The only `PriceUpdateV2` account this market reads.
    pub oracle: Pubkey,
    /// The pool's token account; authority: this market.
    pub pool_vault: Pubkey,
    /// LP share mint; authority: this market.
    pub lp_mint: Pubkey,
    /// Tokens the pool vault holds by the pool's accounting (donations are not counted).
    pub free_liquidity: u64,
    /// Reserves the pool has placed in open positions' vaults.
    pub total_reserved: u64,
    /// LP shares outstanding (only this program mints and burns them).
    pub lp_supply: u64,
    pub long: SideAggregate,
    pub short: SideAggregate,
    pub positions_open: u64,
    /// Cumulative borrow index (`ringfence_math::BORROW_INDEX_SCALE` = 100% of notional).
    pub borrow_index: u64,
    /// Borrow rate in force since `last_accrual_time` (index units per second).
    pub borrow_rate: u64,
    pub last_accrual_time: i64,
    /// Newest oracle publish time used by any action on this market.
    pub last_price_time: i64,
    pub params: RiskParams,
    pub pending: PendingChange,
    /// LP share escrow: holds the shares of pending withdrawal requests; authority: this market.
    pub lp_escrow: Pubkey,
    /// Shares created for nobody by the first deposit (counted in the share price, never paid).
    pub dead_shares: u64,
    /// Tokens of pending deposit requests, held in the pool vault but not part of the pool.
    pub pending_deposits: u64,
    /// Tokens of executed withdrawals waiting to be claimed, held in the pool vault, not the pool's.
    pub pending_payouts: u64,
    /// LP requests neither executed nor cancelled.
    pub pending_requests: u64,
    /// Number of LP requests ever made on this market (each request's `seq`).
    pub request_seq: u64,
    /// The newest publish time any request recorded as known: a sweep that serves pending requests
    /// must use a newer price, so every request pending at its start can execute at it.
    pub newest_request_price_time: i64,
    pub sweep: PoolSweep,
    /// `pause::*` flags.
    pub paused: u8,
    pub bump: u8,
    pub pool_vault_bump: u8,
    pub lp_mint_bump: u8,
    pub lp_escrow_bump: u8,
    pub _reserved: [u8; 3],
}

impl Market {
    /// Signer seeds of the market PDA (authority of the pool vault and the LP mint).
    pub fn signer_seeds<'a>(&'a self, bump: &'a [u8; 1]) -> [&'a [u8]; 5] {
        [MARKET_SEED, self.creator.as_ref(), self.collateral_mint.as_ref(), &self.feed_id, bump]
    }

    /// Accrues the borrow index up to `now` at the rate in force, then sets the rate for the
    /// current utilization. Call before anything that changes utilization or reads fees.
    pub fn accrue(&mut self, now: i64) -> Result<()> {
        let elapsed = u64::try_from(now.saturating_sub(self.last_accrual_time)).unwrap_or(0);
        self.borrow_index = accrue_index(self.borrow_index, self.borrow_rate, elapsed).or_err()?;
        self.last_accrual_time = self.last_accrual_time.max(now);
        self.refresh_rate()
    }

    /// Sets the rate for the current utilization (after utilization changed).
    pub fn refresh_rate(&mut self) -> Result<()> {
        self.borrow_rate = borrow_rate(
            self.params.borrow_rate_min,
            self.params.borrow_rate_max,
            self.total_reserved,
            self.free_liquidity,
        )
        .or_err()?;
        Ok(())
    }

    /// Room for `size` more notional on `side` with `reserve` placed from the pool (an open or an
    /// increase): `InsufficientPoolLiquidity` when the free liquidity cannot fund the reserve,
    /// `OpenInterestCapExceeded` when the side's open interest would pass its cap.
    pub fn require_capacity(&self, side: Side, size: u64, reserve: u64) -> Result<()> {
        require!(reserve <= self.free_liquidity, RingfenceError::InsufficientPoolLiquidity);
        let (oi, cap) = match side {
            Side::Long => (self.long.open_interest, self.params.max_open_interest_long),
            Side::Short => (self.short.open_interest, self.params.max_open_interest_short),
        };
        require!(oi.checked_add(size).is_some_and(|v| v <= cap), RingfenceError::OpenInterestCapExceeded);
        Ok(())
    }

    /// When a change scheduled at `now` takes effect: `now + timelock_secs`.
    pub fn timelocked_from(&self, now: i64) -> Result<i64> {
        let delay = i64::try_from(self.params.timelock_secs).map_err(|_| error!(RingfenceError::MathOverflow))?;
        now.checked_add(delay).ok_or_else(|| error!(RingfenceError::MathOverflow))
    }

    pub fn require_not_paused(&self, flag: u8) -> Result<()> {
        require!(self.paused & flag == 0, RingfenceError::MarketPaused);
        Ok(())
    }

    /// Records the publish time of a price used on this market (kept monotonic).
    pub fn note_price_time(&mut self, publish_time: i64) {
        self.last_price_time = self.last_price_time.max(publish_time);
    }

    /// Books a new position: its notional, quantity and borrow index join its side, the pool gains
    /// its open `fee` and places its `reserve` in the vault, and it counts as open.
    pub fn book_open(&mut self, side: Side, size: u64, qty: u128, reserve: u64, fee: u64) -> Result<()> {
        let index = self.borrow_index;
        self.side_mut(side).apply(true, size, qty, index)?;
        self.free_liquidity = self
            .free_liquidity
            .checked_add(fee)
            .and_then(|v| v.checked_sub(reserve))
            .ok_or(RingfenceError::MathOverflow)?;
        self.total_reserved = self.total_reserved.checked_add(reserve).ok_or(RingfenceError::MathOverflow)?;
        self.positions_open = self.positions_open.checked_add(1).ok_or(RingfenceError::MathOverflow)?;
        self.refresh_rate()
    }

    /// `pos` (its state before) leaves its side at its old size, quantity and borrow index and
    /// re-enters with `new_size` and `new_qty` at the current index (its borrow fee settled).
    fn resettle(&mut self, pos: &Position, new_size: u64, new_qty: u128) -> Result<()> {
        let index = self.borrow_index;
        let agg = self.side_mut(pos.side()?);
        agg.apply(false, pos.size, wide_get(&pos.qty), pos.borrow_index)?;
        agg.apply(true, new_size, new_qty, index)
    }

    /// Books a decrease of `pos` (its state before): it leaves its side at its old size, quantity
    /// and index, and what stays (`new_size`, `new_qty`) re-enters at the current index (its borrow
    /// fee is now settled); `reserve_released` returns to the pool with `to_pool`.
    pub fn book_decrease(
        &mut self,
        pos: &Position,
        new_size: u64,
        new_qty: u128,
        reserve_released: u64,
        to_pool: u64,
    ) -> Result<()> {
        self.resettle(pos, new_size, new_qty)?;
        self.total_reserved = self.total_reserved.checked_sub(reserve_released).ok_or(RingfenceError::MathOverflow)?;
        self.free_liquidity = self.free_liquidity.checked_add(to_pool).ok_or(RingfenceError::MathOverflow)?;
        self.refresh_rate()
    }

    /// Books an increase of `pos` (its state before): it leaves its side at its old size, quantity
    /// and index, and re-enters whole (`new_size`, `new_qty`) at the current index (its borrow fee
    /// is now settled), so the side gains exactly the added notional and quantity, as a new
    /// position would; the pool places `reserve_added` in the vault and gains `to_pool` (fees).
    pub fn book_increase(
        &mut self,
        pos: &Position,
        new_size: u64,
        new_qty: u128,
        reserve_added: u64,
        to_pool: u64,
    ) -> Result<()> {
        self.resettle(pos, new_size, new_qty)?;
        self.total_reserved = self.total_reserved.checked_add(reserve_added).ok_or(RingfenceError::MathOverflow)?;
        self.free_liquidity = self
            .free_liquidity
            .checked_add(to_pool)
            .and_then(|v| v.checked_sub(reserve_added))
            .ok_or(RingfenceError::MathOverflow)?;
        self.refresh_rate()
    }

    /// Books a fully settled (closed or liquidated) position: it leaves its side and the
    /// reserves, `to_pool` (what the pool vault just received) joins the free liquidity, and it no
    /// longer counts as open.
    pub fn book_release(&mut self, pos: &Position, to_pool: u64) -> Result<()> {
        let agg = self.side_mut(pos.side()?);
        agg.apply(false, pos.size, wide_get(&pos.qty), pos.borrow_index)?;
        self.total_reserved = self.total_reserved.checked_sub(pos.reserve).ok_or(RingfenceError::MathOverflow)?;
        self.free_liquidity = self.free_liquidity.checked_add(to_pool).ok_or(RingfenceError::MathOverflow)?;
        self.positions_open = self.positions_open.checked_sub(1).ok_or(RingfenceError::MathOverflow)?;
        self.refresh_rate()
    }

    pub fn side_mut(&mut self, side: crate::state::Side) -> &mut SideAggregate {
        match side {
            crate::state::Side::Long => &mut self.long,
            crate::state::Side::Short => &mut self.short,
        }
    }
}

/// Bytes of a `Market` account, discriminator included.
pub const MARKET_SPACE: usize = 8 + core::mem::size_of::<Market>();
const _: () = assert!(core::mem::size_of::<SideAggregate>() == 40);
const _: () = assert!(core::mem::size_of::<PendingChange>() == 72 + 32 + 8 + 8);
const _: () = assert!(core::mem::size_of::<PoolSweep>() == 8 * 10 + 16 + 8);
const _: () = assert!(MARKET_SPACE == 8 + 32 * 8 + 8 * 3 + 40 * 2 + 8 * 5 + 72 + 120 + 32 + 8 * 6 + 104 + 8);
