//! Instruction builders. Account lists come from the program's own generated `accounts` structs,
//! so a builder cannot drift from the program.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use anchor_spl::token::ID as TOKEN_PROGRAM_ID;
use ringfence::instructions::InitializeMarketArgs;
use ringfence::state::{RiskParams, Side};
use ringfence::{accounts, instruction};

use crate::{pda, PROGRAM_ID};

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: PROGRAM_ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

/// Accounts of a market that every trading instruction needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketKeys {
    pub market: Pubkey,
    pub collateral_mint: Pubkey,
    pub oracle: Pubkey,
    pub pool_vault: Pubkey,
    pub lp_mint: Pubkey,
}

impl MarketKeys {
    pub fn derive(creator: &Pubkey, collateral_mint: &Pubkey, feed_id: &[u8; 32], oracle: &Pubkey) -> Self {
        let market = pda::market(creator, collateral_mint, feed_id);
        MarketKeys {
            market,
            collateral_mint: *collateral_mint,
            oracle: *oracle,
            pool_vault: pda::pool_vault(&market),
            lp_mint: pda::lp_mint(&market),
        }
    }
}

pub fn initialize_market(admin: &Pubkey, keys: &MarketKeys, feed_id: [u8; 32], params: RiskParams) -> Instruction {
    build(
        accounts::InitializeMarket {
            admin: *admin,
            market: keys.market,
            collateral_mint: keys.collateral_mint,
            oracle: keys.oracle,
            pool_vault: keys.pool_vault,
            lp_mint: keys.lp_mint,
            token_program: TOKEN_PROGRAM_ID,
            system_program: system_program::ID,
        },
        instruction::InitializeMarket { args: InitializeMarketArgs { feed_id, params } },
    )
}

pub fn open_position(
    owner: &Pubkey,
    owner_token: &Pubkey,
    keys: &MarketKeys,
    id: u64,
    side: Side,
    collateral: u64,
    size: u64,
) -> Instruction {
    let (position, position_bump) = pda::position_with_bump(&keys.market, owner, id);
    let (vault, vault_bump) = pda::vault_with_bump(&position);
    build(
        accounts::OpenPosition {
            owner: *owner,
            market: keys.market,
            oracle: keys.oracle,
            collateral_mint: keys.collateral_mint,
            owner_token: *owner_token,
            pool_vault: keys.pool_vault,
            position,
            vault,
            token_program: TOKEN_PROGRAM_ID,
            system_program: system_program::ID,
        },
        instruction::OpenPosition { id, side, collateral, size, position_bump, vault_bump },
    )
}

pub fn add_margin(
    owner: &Pubkey,
    owner_token: &Pubkey,
    market: &Pubkey,
    position: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        accounts::AddMargin {
            owner: *owner,
            market: *market,
            position: *position,
            vault: pda::vault(position),
            owner_token: *owner_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::AddMargin { amount },
    )
}

/// Accounts of one liquidation, explicit so tests can substitute any of them.
#[derive(Clone, Copy, Debug)]
pub struct LiquidateAccounts {
    pub keeper: Pubkey,
    pub market: Pubkey,
    pub oracle: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub vault: Pubkey,
    pub pool_vault: Pubkey,
    pub keeper_token: Pubkey,
    pub owner_token: Pubkey,
}

impl LiquidateAccounts {
    pub fn new(
        keeper: &Pubkey,
        keeper_token: &Pubkey,
        keys: &MarketKeys,
        position: &Pubkey,
        owner: &Pubkey,
        owner_token: &Pubkey,
    ) -> Self {
        LiquidateAccounts {
            keeper: *keeper,
            market: keys.market,
            oracle: keys.oracle,
            position: *position,
            owner: *owner,
            vault: pda::vault(position),
            pool_vault: keys.pool_vault,
            keeper_token: *keeper_token,
            owner_token: *owner_token,
        }
    }
}

pub fn liquidate(a: &LiquidateAccounts) -> Instruction {
    build(
        accounts::Liquidate {
            keeper: a.keeper,
            market: a.market,
            oracle: a.oracle,
            position: a.position,
            owner: a.owner,
            vault: a.vault,
            pool_vault: a.pool_vault,
            keeper_token: a.keeper_token,
            owner_token: a.owner_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::Liquidate {},
    )
}

/// Accounts of a trader action on an existing position (remove margin, decrease, close).
#[derive(Clone, Copy, Debug)]
pub struct PositionAccounts {
    pub owner: Pubkey,
    pub market: Pubkey,
    pub oracle: Pubkey,
    pub position: Pubkey,
    pub vault: Pubkey,
    pub pool_vault: Pubkey,
    pub owner_token: Pubkey,
}

impl PositionAccounts {
    pub fn new(owner: &Pubkey, owner_token: &Pubkey, keys: &MarketKeys, position: &Pubkey) -> Self {
        PositionAccounts {
            owner: *owner,
            market: keys.market,
            oracle: keys.oracle,
            position: *position,
            vault: pda::vault(position),
            pool_vault: keys.pool_vault,
            owner_token: *owner_token,
        }
    }
}

pub fn remove_margin(a: &PositionAccounts, amount: u64) -> Instruction {
    build(
        accounts::RemoveMargin {
            owner: a.owner,
            market: a.market,
            oracle: a.oracle,
            position: a.position,
            vault: a.vault,
            owner_token: a.owner_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::RemoveMargin { amount },
    )
}

pub fn decrease_position(a: &PositionAccounts, size_delta: u64) -> Instruction {
    build(
        accounts::DecreasePosition {
            owner: a.owner,
            market: a.market,
            oracle: a.oracle,
            position: a.position,
            vault: a.vault,
            pool_vault: a.pool_vault,
            owner_token: a.owner_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::DecreasePosition { size_delta },
    )
}

pub fn close_position(a: &PositionAccounts) -> Instruction {
    build(
        accounts::ClosePosition {
            owner: a.owner,
            market: a.market,
            oracle: a.oracle,
            position: a.position,
            vault: a.vault,
            pool_vault: a.pool_vault,
            owner_token: a.owner_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::ClosePosition {},
    )
}

pub fn position_health(keys: &MarketKeys, position: &Pubkey) -> Instruction {
    build(
        accounts::PositionHealth { market: keys.market, oracle: keys.oracle, position: *position },
        instruction::PositionHealth {},
    )
}

pub fn deposit_liquidity(
    provider: &Pubkey,
    provider_token: &Pubkey,
    provider_lp: &Pubkey,
    keys: &MarketKeys,
    amount: u64,
) -> Instruction {
    build(
        accounts::DepositLiquidity {
            provider: *provider,
            market: keys.market,
            oracle: keys.oracle,
            pool_vault: keys.pool_vault,
            lp_mint: keys.lp_mint,
            provider_token: *provider_token,
            provider_lp: *provider_lp,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::DepositLiquidity { amount },
    )
}

pub fn withdraw_liquidity(
    provider: &Pubkey,
    provider_token: &Pubkey,
    provider_lp: &Pubkey,
    keys: &MarketKeys,
    shares: u64,
) -> Instruction {
    build(
        accounts::WithdrawLiquidity {
            provider: *provider,
            market: keys.market,
            oracle: keys.oracle,
            pool_vault: keys.pool_vault,
            lp_mint: keys.lp_mint,
            provider_token: *provider_token,
            provider_lp: *provider_lp,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::WithdrawLiquidity { shares },
    )
}

pub fn propose_admin(admin: &Pubkey, market: &Pubkey, new_admin: &Pubkey) -> Instruction {
    build(
        accounts::ProposeAdmin { admin: *admin, market: *market },
        instruction::ProposeAdmin { new_admin: *new_admin },
    )
}

pub fn accept_admin(new_admin: &Pubkey, market: &Pubkey) -> Instruction {
    build(accounts::AcceptAdmin { new_admin: *new_admin, market: *market }, instruction::AcceptAdmin {})
}

pub fn set_params(admin: &Pubkey, market: &Pubkey, params: RiskParams) -> Instruction {
    build(accounts::SetParams { admin: *admin, market: *market }, instruction::SetParams { params })
}

pub fn set_oracle(admin: &Pubkey, market: &Pubkey, new_oracle: &Pubkey) -> Instruction {
    build(accounts::SetOracle { admin: *admin, market: *market, new_oracle: *new_oracle }, instruction::SetOracle {})
}

pub fn apply_pending_change(market: &Pubkey) -> Instruction {
    build(accounts::ApplyPendingChange { market: *market }, instruction::ApplyPendingChange {})
}

pub fn cancel_pending_change(admin: &Pubkey, market: &Pubkey) -> Instruction {
    build(accounts::CancelPendingChange { admin: *admin, market: *market }, instruction::CancelPendingChange {})
}

pub fn set_pause(admin: &Pubkey, market: &Pubkey, paused: u8) -> Instruction {
    build(accounts::SetPause { admin: *admin, market: *market }, instruction::SetPause { paused })
}
