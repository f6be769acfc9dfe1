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

pub mod automation;
pub mod cpi;
pub mod error;
pub mod events;
pub mod instructions;
pub mod limits;
pub mod liquidation;
pub mod opening;
pub mod oracle;
pub mod orders;
pub mod settlement;
pub mod state;
pub mod sweep;
pub mod token_account;

use instructions::*;
use limits::TradeLimit;
use state::{RiskParams, Side, TransferTerms, TriggerKind};

declare_id!("6jYnnzdibL96wy8em8Gv5qFFdUd4e3uxcAbvDuVi9VmY");

#[program]
pub mod ringfence {
    use super::*;

    // ---- markets and the LP pool ----

    /// Creates a market, its pool vault and LP mint. See [`InitializeMarket`].
    pub fn initialize_market(ctx: Context<InitializeMarket>, args: InitializeMarketArgs) -> Result<()> {
        instructions::initialize_market::handler(ctx, args)
    }

    /// Requests a deposit of collateral for LP shares (escrowed until executed). See [`RequestDeposit`].
    pub fn request_deposit(ctx: Context<RequestDeposit>, amount: u64) -> Result<()> {
        instructions::request_deposit::handler(ctx, amount)
    }

    /// Requests a withdrawal of LP shares for tokens (escrowed until executed). See [`RequestWithdrawal`].
    pub fn request_withdrawal(ctx: Context<RequestWithdrawal>, shares: u64) -> Result<()> {
        instructions::request_withdrawal::handler(ctx, shares)
    }

    /// Executes an LP request at the exact pool value of a complete sweep. See [`ExecuteLpRequest`].
    pub fn execute_lp_request(ctx: Context<ExecuteLpRequest>) -> Result<()> {
        instructions::execute_lp_request::handler(ctx)
    }

    /// Moves an executed LP request's shares or tokens to the provider. See [`ClaimLpRequest`].
    pub fn claim_lp_request(ctx: Context<ClaimLpRequest>) -> Result<()> {
        instructions::claim_lp_request::handler(ctx)
    }

    /// Cancels an LP request that waited too long, returning its escrow. See [`CancelLpRequest`].
    pub fn cancel_lp_request(ctx: Context<CancelLpRequest>) -> Result<()> {
        instructions::cancel_lp_request::handler(ctx)
    }

    /// Starts a pool sweep at the oracle price. See [`StartSweep`].
    pub fn start_sweep(ctx: Context<StartSweep>) -> Result<()> {
        instructions::start_sweep::handler(ctx)
    }

    /// Values a batch of positions (remaining accounts) in the current sweep. See [`SweepPositions`].
    pub fn sweep_positions<'info>(ctx: Context<'info, SweepPositions<'info>>) -> Result<()> {
        instructions::sweep_positions::handler(ctx)
    }

    // ---- traders ----

    /// Opens an isolated, fully reserved position with its own vault. See [`OpenPosition`].
    #[allow(clippy::too_many_arguments)]
    pub fn open_position(
        ctx: Context<OpenPosition>,
        id: u64,
        side: Side,
        collateral: u64,
        size: u64,
        position_bump: u8,
        vault_bump: u8,
        limit: TradeLimit,
    ) -> Result<()> {
        instructions::open_position::handler(ctx, id, side, collateral, size, position_bump, vault_bump, limit)
    }

    /// Moves collateral from the owner into the position's vault. See [`AddMargin`].
    pub fn add_margin(ctx: Context<AddMargin>, amount: u64) -> Result<()> {
        instructions::add_margin::handler(ctx, amount)
    }

    /// Moves collateral from the vault back to the owner, within initial margin. See [`RemoveMargin`].
    pub fn remove_margin(ctx: Context<RemoveMargin>, amount: u64) -> Result<()> {
        instructions::remove_margin::handler(ctx, amount)
    }

    /// Closes part of a position. See [`DecreasePosition`].
    pub fn decrease_position(ctx: Context<DecreasePosition>, size_delta: u64, limit: TradeLimit) -> Result<()> {
        instructions::decrease_position::handler(ctx, size_delta, limit)
    }

    /// Closes a position in full. See [`ClosePosition`].
    pub fn close_position(ctx: Context<ClosePosition>, limit: TradeLimit) -> Result<()> {
        instructions::close_position::handler(ctx, limit)
    }

    // ---- keepers and views ----

    /// Liquidates an underwater position from its own vault. See [`Liquidate`].
    pub fn liquidate(ctx: Context<Liquidate>) -> Result<()> {
        instructions::liquidate::handler(ctx)
    }

    /// Adds notional to an open position at the oracle price (with an optional deposit). See [`IncreasePosition`].
    pub fn increase_position(
        ctx: Context<IncreasePosition>,
        size_delta: u64,
        deposit: u64,
        limit: TradeLimit,
    ) -> Result<()> {
        instructions::increase_position::handler(ctx, size_delta, deposit, limit)
    }

    /// Hands an open position and its vault to a new owner (who co-signs). See [`TransferPosition`].
    pub fn transfer_position(ctx: Context<TransferPosition>, expected: TransferTerms) -> Result<()> {
        instructions::transfer_position::handler(ctx, expected)
    }

    /// Sets, changes or clears a take-profit or stop-loss, escrowing its fee. See [`SetTrigger`].
    pub fn set_trigger(ctx: Context<SetTrigger>, kind: TriggerKind, price: u64, size: u64, fee: u64) -> Result<()> {
        instructions::set_trigger::handler(ctx, kind, price, size, fee)
    }

    /// Executes a crossed take-profit or stop-loss at the oracle price (keeper). See [`ExecuteTrigger`].
    pub fn execute_trigger(ctx: Context<ExecuteTrigger>, kind: TriggerKind) -> Result<()> {
        instructions::execute_trigger::handler(ctx, kind)
    }

    /// Parks standby margin in the position's vault. See [`AddStandby`].
    pub fn add_standby(ctx: Context<AddStandby>, amount: u64) -> Result<()> {
        instructions::add_standby::handler(ctx, amount)
    }

    /// Pays standby margin back to the owner. See [`WithdrawStandby`].
    pub fn withdraw_standby(ctx: Context<WithdrawStandby>, amount: u64) -> Result<()> {
        instructions::withdraw_standby::handler(ctx, amount)
    }

    /// Sets or clears the automatic top-up rule. See [`SetTopUpRule`].
    pub fn set_topup_rule(ctx: Context<SetTopUpRule>, ratio_bps: u16, step: u64, fee: u64) -> Result<()> {
        instructions::set_topup_rule::handler(ctx, ratio_bps, step, fee)
    }

    /// Moves one step of standby into collateral under the owner's rule (keeper). See [`TopUp`].
    pub fn top_up(ctx: Context<TopUp>) -> Result<()> {
        instructions::top_up::handler(ctx)
    }

    /// Places a limit open with its escrow. See [`PlaceLimitOrder`].
    pub fn place_limit_order(ctx: Context<PlaceLimitOrder>, args: PlaceOrderArgs) -> Result<()> {
        instructions::place_limit_order::handler(ctx, args)
    }

    /// Fills a limit order whose limit the price reached (keeper). See [`ExecuteLimitOrder`].
    pub fn execute_limit_order(ctx: Context<ExecuteLimitOrder>) -> Result<()> {
        instructions::execute_limit_order::handler(ctx)
    }

    /// The owner cancels a limit order, refunded in full. See [`CancelLimitOrder`].
    pub fn cancel_limit_order(ctx: Context<CancelLimitOrder>) -> Result<()> {
        instructions::cancel_limit_order::handler(ctx)
    }

    /// Anyone closes an expired limit order, refunding the owner in full. See [`CloseExpiredOrder`].
    pub fn close_expired_order(ctx: Context<CloseExpiredOrder>) -> Result<()> {
        instructions::close_expired_order::handler(ctx)
    }

    /// Pays a position's residual to its owner (closing it if liquidated or keeper-closed). See [`ClaimResidual`].
    pub fn claim_residual(ctx: Context<ClaimResidual>) -> Result<()> {
        instructions::claim_residual::handler(ctx)
    }

    /// Read-only health, liquidation and bankruptcy prices (call via simulation). See [`PositionHealth`].
    pub fn position_health(ctx: Context<PositionHealth>) -> Result<HealthView> {
        instructions::position_health::handler(ctx)
    }

    // ---- admin ----

    /// Proposes a new admin. See [`ProposeAdmin`].
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        instructions::propose_admin::handler(ctx, new_admin)
    }

    /// The proposed admin accepts. See [`AcceptAdmin`].
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::accept_admin::handler(ctx)
    }

    /// Sets parameters (timelocked when they can hurt open positions). See [`SetParams`].
    pub fn set_params(ctx: Context<SetParams>, params: RiskParams) -> Result<()> {
        instructions::set_params::handler(ctx, params)
    }

    /// Schedules a new pinned oracle account (timelocked). See [`SetOracle`].
    pub fn set_oracle(ctx: Context<SetOracle>) -> Result<()> {
        instructions::set_oracle::handler(ctx)
    }

    /// Applies a scheduled change after its timelock. See [`ApplyPendingChange`].
    pub fn apply_pending_change(ctx: Context<ApplyPendingChange>) -> Result<()> {
        instructions::apply_pending_change::handler(ctx)
    }

    /// Cancels a scheduled change. See [`CancelPendingChange`].
    pub fn cancel_pending_change(ctx: Context<CancelPendingChange>) -> Result<()> {
        instructions::cancel_pending_change::handler(ctx)
    }

    /// Sets pause flags (never for exits). See [`SetPause`].
    pub fn set_pause(ctx: Context<SetPause>, paused: u8) -> Result<()> {
        instructions::set_pause::handler(ctx, paused)
    }
}
