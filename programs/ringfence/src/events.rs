//! Events: every state change emits one, with enough data for an indexer to rebuild markets and
//! positions without reading accounts. Prices carry `ringfence_math::PRICE_DECIMALS` decimals;
//! amounts are in collateral base units.
use anchor_lang::prelude::*;

use crate::state::{RiskParams, Side};

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MarketInitialized {
    pub market: Pubkey,
    pub creator: Pubkey,
    pub admin: Pubkey,
    pub collateral_mint: Pubkey,
    pub feed_id: [u8; 32],
    pub oracle: Pubkey,
    pub pool_vault: Pubkey,
    pub params: RiskParams,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PositionOpened {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub vault: Pubkey,
    pub id: u64,
    pub side: Side,
    pub size: u64,
    pub collateral: u64,
    pub entry_price: u64,
    pub price_publish_time: i64,
    pub liquidation_price: Option<u64>,
    pub open_interest_long: u64,
    pub open_interest_short: u64,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MarginAdded {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub collateral: u64,
    pub vault_balance: u64,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PositionLiquidated {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub keeper: Pubkey,
    pub side: Side,
    pub size: u64,
    pub collateral: u64,
    pub entry_price: u64,
    pub mark_price: u64,
    pub price_publish_time: i64,
    /// Unrealized PnL at mark (negative is a loss), rounded against the trader.
    pub pnl: i128,
    /// Collateral + PnL.
    pub equity: i128,
    pub maintenance_requirement: u64,
    /// Tokens the vault held when liquidated.
    pub vault_balance: u64,
    pub keeper_reward: u64,
    /// Residual equity paid to the owner.
    pub to_trader: u64,
    /// Returned to the pool vault.
    pub to_pool: u64,
    /// What the trader's equity failed to cover (losses plus reward beyond equity).
    pub bad_debt: u128,
    pub open_interest_long: u64,
    pub open_interest_short: u64,
    pub timestamp: i64,
}
