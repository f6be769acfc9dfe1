use anchor_lang::prelude::*;

use crate::error::RingfenceError;

/// Seed prefix of [`Market`]: `["market", creator, collateral_mint, feed_id]`.
pub const MARKET_SEED: &[u8] = b"market";
/// Seed prefix of the market's pool vault: `["pool_vault", market]`.
pub const POOL_VAULT_SEED: &[u8] = b"pool_vault";

/// On-chain bounds of every risk parameter (checked at `initialize_market`).
pub mod bounds {
    /// Initial margin: 0.5% (200x) ..= 100% (1x).
    pub const INITIAL_MARGIN_BPS: (u16, u16) = (50, 10_000);
    /// Maintenance margin: 0.1% ..= 50%, and strictly below the initial margin.
    pub const MAINTENANCE_MARGIN_BPS: (u16, u16) = (10, 5_000);
    /// Keeper reward: at least 0.01%, at most the maintenance margin.
    pub const LIQUIDATION_FEE_BPS_MIN: u16 = 1;
    /// Oldest usable price: 1 s ..= 1 h.
    pub const MAX_PRICE_AGE_SECS: (u32, u32) = (1, 3_600);
    /// Widest confidence interval: 0.01% ..= 10% of the price.
    pub const MAX_CONF_BPS: (u16, u16) = (1, 1_000);
}

/// Risk parameters of one market. All ratios are basis points of notional.
/// `repr(C)` without padding: its Borsh encoding (instruction args, events) equals its
/// in-account bytes.
#[repr(C)]
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct RiskParams {
    /// Collateral required at open, as a share of notional (max leverage = 10_000 / this).
    pub initial_margin_bps: u16,
    /// Equity below this share of notional makes a position liquidatable.
    pub maintenance_margin_bps: u16,
    /// Paid to the keeper from the position's vault on liquidation.
    pub liquidation_fee_bps: u16,
    /// Widest accepted oracle confidence interval, as a share of the price.
    pub max_conf_bps: u16,
    /// Oldest accepted oracle publish time, in seconds before the cluster clock.
    pub max_price_age_secs: u32,
}

impl RiskParams {
    /// Range-checks every parameter; each violation is its own named error.
    pub fn validate(&self) -> Result<()> {
        let in_range = |v: u16, (lo, hi): (u16, u16)| v >= lo && v <= hi;
        require!(
            in_range(self.initial_margin_bps, bounds::INITIAL_MARGIN_BPS),
            RingfenceError::InitialMarginOutOfRange
        );
        require!(
            in_range(self.maintenance_margin_bps, bounds::MAINTENANCE_MARGIN_BPS)
                && self.maintenance_margin_bps < self.initial_margin_bps,
            RingfenceError::MaintenanceMarginOutOfRange
        );
        require!(
            self.liquidation_fee_bps >= bounds::LIQUIDATION_FEE_BPS_MIN
                && self.liquidation_fee_bps <= self.maintenance_margin_bps,
            RingfenceError::LiquidationFeeOutOfRange
        );
        require!(in_range(self.max_conf_bps, bounds::MAX_CONF_BPS), RingfenceError::MaxConfidenceOutOfRange);
        let (lo, hi) = bounds::MAX_PRICE_AGE_SECS;
        require!(self.max_price_age_secs >= lo && self.max_price_age_secs <= hi, RingfenceError::MaxPriceAgeOutOfRange);
        Ok(())
    }
}

/// One perpetual market: a base asset priced by one Pyth feed, margined in one collateral mint.
/// Zero-copy (bytemuck): read in place, never Borsh-decoded on chain.
#[account(zero_copy)]
#[derive(Debug)]
pub struct Market {
    /// Signer of `initialize_market`; part of the PDA seeds (markets are namespaced by creator).
    pub creator: Pubkey,
    /// May change parameters (later issues).
    pub admin: Pubkey,
    /// SPL Token mint of the collateral; quoted 1:1 with the oracle's quote currency.
    pub collateral_mint: Pubkey,
    /// Pyth feed id of the base asset.
    pub feed_id: [u8; 32],
    /// The only `PriceUpdateV2` account this market reads.
    pub oracle: Pubkey,
    /// The pool's token account (counterparty to every trader); authority: this market.
    pub pool_vault: Pubkey,
    /// Sum of open long notional (at entry).
    pub open_interest_long: u64,
    /// Sum of open short notional (at entry).
    pub open_interest_short: u64,
    /// Open positions.
    pub positions_open: u64,
    pub params: RiskParams,
    pub bump: u8,
    pub pool_vault_bump: u8,
    pub _reserved: [u8; 2],
}

impl Market {
    /// Signer seeds of the market PDA (the pool vault's token authority).
    pub fn signer_seeds<'a>(&'a self, bump: &'a [u8; 1]) -> [&'a [u8]; 5] {
        [MARKET_SEED, self.creator.as_ref(), self.collateral_mint.as_ref(), &self.feed_id, bump]
    }
}

/// Bytes of a `Market` account, discriminator included.
pub const MARKET_SPACE: usize = 8 + core::mem::size_of::<Market>();
const _: () = assert!(MARKET_SPACE == 8 + 32 * 6 + 8 * 3 + 12 + 4);
// Borsh and in-account bytes of RiskParams coincide only without padding.
const _: () = assert!(core::mem::size_of::<RiskParams>() == 2 * 4 + 4);
