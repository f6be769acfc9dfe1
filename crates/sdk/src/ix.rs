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
}

impl MarketKeys {
    pub fn derive(creator: &Pubkey, collateral_mint: &Pubkey, feed_id: &[u8; 32], oracle: &Pubkey) -> Self {
        let market = pda::market(creator, collateral_mint, feed_id);
        MarketKeys { market, collateral_mint: *collateral_mint, oracle: *oracle, pool_vault: pda::pool_vault(&market) }
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
