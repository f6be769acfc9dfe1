//! Ringfence: perpetual futures with truly isolated margin.
//!
//! Every position owns a PDA token vault holding its collateral; a liquidation moves tokens only
//! out of that position's vault. Prices come from Pyth pull oracles (`PriceUpdateV2`), read from
//! an account each market pins. All money math lives in the `ringfence-math` crate.
// Money code: no panics, no unchecked arithmetic, no truncating casts (tests may unwrap).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        clippy::cast_sign_loss
    )
)]
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

// memcpy & co. for the upstream-LLVM SBF route; platform-tools builds link their own.
#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

pub mod cpi;
pub mod error;
pub mod events;
pub mod instructions;
pub mod oracle;
pub mod state;
pub mod token_account;

use instructions::*;
use state::Side;

declare_id!("6jYnnzdibL96wy8em8Gv5qFFdUd4e3uxcAbvDuVi9VmY");

#[program]
pub mod ringfence {
    use super::*;

    /// Creates a market and its pool vault. See [`InitializeMarket`].
    pub fn initialize_market(ctx: Context<InitializeMarket>, args: InitializeMarketArgs) -> Result<()> {
        instructions::initialize_market::handler(ctx, args)
    }

    /// Opens an isolated position with its own vault. See [`OpenPosition`].
    pub fn open_position(
        ctx: Context<OpenPosition>,
        id: u64,
        side: Side,
        collateral: u64,
        size: u64,
        position_bump: u8,
        vault_bump: u8,
    ) -> Result<()> {
        instructions::open_position::handler(ctx, id, side, collateral, size, position_bump, vault_bump)
    }

    /// Moves collateral from the owner into the position's vault. See [`AddMargin`].
    pub fn add_margin(ctx: Context<AddMargin>, amount: u64) -> Result<()> {
        instructions::add_margin::handler(ctx, amount)
    }

    /// Liquidates an underwater position from its own vault. See [`Liquidate`].
    pub fn liquidate(ctx: Context<Liquidate>) -> Result<()> {
        instructions::liquidate::handler(ctx)
    }
}
