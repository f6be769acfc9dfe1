//! Instruction builders. Account lists come from the program's own generated `accounts` structs,
//! so a builder cannot drift from the program.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use anchor_spl::token::ID as TOKEN_PROGRAM_ID;
use ringfence::events::TriggerArgs;
use ringfence::instructions::{InitializeMarketArgs, PlaceOrderArgs};
pub use ringfence::limits::TradeLimit;
use ringfence::state::{LimitOrder, LpRequest, Position, RiskParams, Side, TriggerKind};
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
    pub lp_escrow: Pubkey,
}

impl MarketKeys {
    /// The keys of an existing market, taken from its own account (never re-derived).
    pub fn of(market: &Pubkey, m: &ringfence::state::Market) -> Self {
        MarketKeys {
            market: *market,
            collateral_mint: m.collateral_mint,
            oracle: m.oracle,
            pool_vault: m.pool_vault,
            lp_mint: m.lp_mint,
            lp_escrow: m.lp_escrow,
        }
    }

    pub fn derive(creator: &Pubkey, collateral_mint: &Pubkey, feed_id: &[u8; 32], oracle: &Pubkey) -> Self {
        let market = pda::market(creator, collateral_mint, feed_id);
        MarketKeys {
            market,
            collateral_mint: *collateral_mint,
            oracle: *oracle,
            pool_vault: pda::pool_vault(&market),
            lp_mint: pda::lp_mint(&market),
            lp_escrow: pda::lp_escrow(&market),
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
            lp_escrow: keys.lp_escrow,
            token_program: TOKEN_PROGRAM_ID,
            system_program: system_program::ID,
        },
        instruction::InitializeMarket { args: InitializeMarketArgs { feed_id, params } },
    )
}

#[allow(clippy::too_many_arguments)] // the instruction's own arguments
pub fn open_position(
    owner: &Pubkey,
    owner_token: &Pubkey,
    keys: &MarketKeys,
    id: u64,
    side: Side,
    collateral: u64,
    size: u64,
    limit: TradeLimit,
) -> Instruction {
    // A new position and its vault at their canonical addresses.
    let (position, position_bump) = pda::position_with_bump(&keys.market, owner, id);
    let (vault, vault_bump) = pda::vault_with_bump(&position);
    let at = OpenAt { position, position_bump, vault, vault_bump };
    open_position_at(owner, owner_token, keys, &at, id, side, collateral, size, limit)
}

/// Where `open_position_at` creates a position and its vault, and the bumps that derive them.
#[derive(Clone, Copy, Debug)]
pub struct OpenAt {
    pub position: Pubkey,
    pub position_bump: u8,
    pub vault: Pubkey,
    pub vault_bump: u8,
}

/// `open_position` at explicit addresses and bumps (what an unusual or hostile client may send:
/// any bump the runtime lets the program sign with).
#[allow(clippy::too_many_arguments)]
pub fn open_position_at(
    owner: &Pubkey,
    owner_token: &Pubkey,
    keys: &MarketKeys,
    at: &OpenAt,
    id: u64,
    side: Side,
    collateral: u64,
    size: u64,
    limit: TradeLimit,
) -> Instruction {
    build(
        accounts::OpenPosition {
            owner: *owner,
            market: keys.market,
            oracle: keys.oracle,
            collateral_mint: keys.collateral_mint,
            owner_token: *owner_token,
            pool_vault: keys.pool_vault,
            position: at.position,
            vault: at.vault,
            token_program: TOKEN_PROGRAM_ID,
            system_program: system_program::ID,
        },
        instruction::OpenPosition {
            id,
            side,
            collateral,
            size,
            position_bump: at.position_bump,
            vault_bump: at.vault_bump,
            limit,
        },
    )
}

/// Adds margin to an existing position: every account from the position's own fields (never
/// re-derived). The owner (`pos.owner`) signs.
pub fn add_margin(owner_token: &Pubkey, position: &Pubkey, pos: &Position, amount: u64) -> Instruction {
    build(
        accounts::AddMargin {
            owner: pos.owner,
            market: pos.market,
            position: *position,
            vault: pos.vault,
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
    pub vault: Pubkey,
    pub pool_vault: Pubkey,
    pub keeper_token: Pubkey,
}

impl LiquidateAccounts {
    /// The accounts to liquidate `position` (account data `pos`) of the market `keys`: the vault
    /// and market come from the position itself, never from a re-derivation.
    pub fn of(keeper: &Pubkey, keeper_token: &Pubkey, keys: &MarketKeys, position: &Pubkey, pos: &Position) -> Self {
        LiquidateAccounts {
            keeper: *keeper,
            market: pos.market,
            oracle: keys.oracle,
            position: *position,
            vault: pos.vault,
            pool_vault: keys.pool_vault,
            keeper_token: *keeper_token,
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
            vault: a.vault,
            pool_vault: a.pool_vault,
            keeper_token: a.keeper_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::Liquidate {},
    )
}

/// Hands `position` (account data `pos`) to `new_owner`; both `pos.owner` and `new_owner` sign.
/// The transfer lands only while the position is exactly `pos` (`TransferTerms`).
pub fn transfer_position(position: &Pubkey, pos: &Position, new_owner: &Pubkey) -> Instruction {
    build(
        accounts::TransferPosition { owner: pos.owner, new_owner: *new_owner, position: *position },
        instruction::TransferPosition { expected: ringfence::state::TransferTerms::of(pos) },
    )
}

/// Pays a position's residual to `destination` (any token account of the collateral mint),
/// closing a liquidated or keeper-closed position; the owner (`pos.owner`) signs.
pub fn claim_residual(destination: &Pubkey, position: &Pubkey, pos: &Position) -> Instruction {
    build(
        accounts::ClaimResidual {
            owner: pos.owner,
            market: pos.market,
            position: *position,
            vault: pos.vault,
            destination: *destination,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::ClaimResidual {},
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
    /// The accounts for the owner of `position` (account data `pos`) of the market `keys`: owner,
    /// market and vault from the position's own fields, never from a re-derivation.
    pub fn of(owner_token: &Pubkey, keys: &MarketKeys, position: &Pubkey, pos: &Position) -> Self {
        PositionAccounts {
            owner: pos.owner,
            market: pos.market,
            oracle: keys.oracle,
            position: *position,
            vault: pos.vault,
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

/// Adds `size_delta` of notional (and deposits `deposit` from `a.owner_token`) within `limit`.
pub fn increase_position(a: &PositionAccounts, size_delta: u64, deposit: u64, limit: TradeLimit) -> Instruction {
    build(
        accounts::IncreasePosition {
            owner: a.owner,
            market: a.market,
            oracle: a.oracle,
            position: a.position,
            vault: a.vault,
            pool_vault: a.pool_vault,
            owner_token: a.owner_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::IncreasePosition { size_delta, deposit, limit },
    )
}

pub fn decrease_position(a: &PositionAccounts, size_delta: u64, limit: TradeLimit) -> Instruction {
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
        instruction::DecreasePosition { size_delta, limit },
    )
}

pub fn close_position(a: &PositionAccounts, limit: TradeLimit) -> Instruction {
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
        instruction::ClosePosition { limit },
    )
}

/// Sets (`price > 0`) or clears (`price == 0`, size and fee 0) a take-profit or stop-loss; the
/// owner (`pos.owner`) signs and `owner_token` pays the fee difference.
pub fn set_trigger(
    owner_token: &Pubkey,
    position: &Pubkey,
    pos: &Position,
    kind: TriggerKind,
    t: TriggerArgs,
) -> Instruction {
    build(
        accounts::SetTrigger {
            owner: pos.owner,
            market: pos.market,
            position: *position,
            vault: pos.vault,
            owner_token: *owner_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::SetTrigger { kind, price: t.price, size: t.size, fee: t.fee },
    )
}

/// A keeper executes `kind` on `position`; accounts from the position's own fields.
pub fn execute_trigger(
    keeper: &Pubkey,
    keeper_token: &Pubkey,
    keys: &MarketKeys,
    position: &Pubkey,
    pos: &Position,
    kind: TriggerKind,
) -> Instruction {
    build(
        accounts::ExecuteTrigger {
            keeper: *keeper,
            market: pos.market,
            oracle: keys.oracle,
            position: *position,
            vault: pos.vault,
            pool_vault: keys.pool_vault,
            keeper_token: *keeper_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::ExecuteTrigger { kind },
    )
}

/// Parks `amount` of standby margin from `owner_token`; the owner signs.
pub fn add_standby(owner_token: &Pubkey, position: &Pubkey, pos: &Position, amount: u64) -> Instruction {
    build(
        accounts::AddStandby {
            owner: pos.owner,
            market: pos.market,
            position: *position,
            vault: pos.vault,
            owner_token: *owner_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::AddStandby { amount },
    )
}

/// Pays `amount` of standby margin to `destination` (any token account of the mint); the owner signs.
pub fn withdraw_standby(destination: &Pubkey, position: &Pubkey, pos: &Position, amount: u64) -> Instruction {
    build(
        accounts::WithdrawStandby {
            owner: pos.owner,
            market: pos.market,
            position: *position,
            vault: pos.vault,
            destination: *destination,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::WithdrawStandby { amount },
    )
}

/// Sets (or, all zero, clears) the top-up rule; the owner signs.
pub fn set_topup_rule(position: &Pubkey, pos: &Position, ratio_bps: u16, step: u64, fee: u64) -> Instruction {
    build(
        accounts::SetTopUpRule { owner: pos.owner, position: *position },
        instruction::SetTopupRule { ratio_bps, step, fee },
    )
}

/// A keeper runs one top-up step on `position`.
pub fn top_up(
    keeper: &Pubkey,
    keeper_token: &Pubkey,
    keys: &MarketKeys,
    position: &Pubkey,
    pos: &Position,
) -> Instruction {
    build(
        accounts::TopUp {
            keeper: *keeper,
            market: pos.market,
            oracle: keys.oracle,
            position: *position,
            vault: pos.vault,
            keeper_token: *keeper_token,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::TopUp {},
    )
}

/// What a limit order asks for, with the order id (also the position's id).
#[derive(Clone, Copy, Debug)]
pub struct OrderSpec {
    pub id: u64,
    pub side: Side,
    pub collateral: u64,
    pub size: u64,
    pub limit_price: u64,
    pub expiry: i64,
    pub exec_fee: u64,
    pub take_profit: TriggerArgs,
    pub stop_loss: TriggerArgs,
}

/// Places a limit order of `owner` funded from `owner_token`, its position at the canonical PDA.
/// Returns the instruction and the order's address.
pub fn place_limit_order(
    owner: &Pubkey,
    owner_token: &Pubkey,
    keys: &MarketKeys,
    o: &OrderSpec,
) -> (Instruction, Pubkey) {
    let (order, order_bump) = pda::order_with_bump(&keys.market, owner, o.id);
    let (escrow, escrow_bump) = pda::order_escrow_with_bump(&order);
    let (position, position_bump) = pda::position_with_bump(&keys.market, owner, o.id);
    let (_, vault_bump) = pda::vault_with_bump(&position);
    let ix = build(
        accounts::PlaceLimitOrder {
            owner: *owner,
            market: keys.market,
            collateral_mint: keys.collateral_mint,
            owner_token: *owner_token,
            order,
            escrow,
            position,
            token_program: TOKEN_PROGRAM_ID,
            system_program: system_program::ID,
        },
        instruction::PlaceLimitOrder {
            args: PlaceOrderArgs {
                id: o.id,
                side: o.side,
                collateral: o.collateral,
                size: o.size,
                limit_price: o.limit_price,
                expiry: o.expiry,
                exec_fee: o.exec_fee,
                take_profit: o.take_profit,
                stop_loss: o.stop_loss,
                position_bump,
                vault_bump,
                order_bump,
                escrow_bump,
            },
        },
    );
    (ix, order)
}

/// A keeper fills `order` (account data `o`); every account from the order's own fields.
pub fn execute_limit_order(
    keeper: &Pubkey,
    keeper_token: &Pubkey,
    keys: &MarketKeys,
    order: &Pubkey,
    o: &LimitOrder,
) -> Instruction {
    build(
        accounts::ExecuteLimitOrder {
            keeper: *keeper,
            market: o.market,
            oracle: keys.oracle,
            collateral_mint: keys.collateral_mint,
            pool_vault: keys.pool_vault,
            order: *order,
            escrow: o.escrow,
            owner: o.owner,
            position: o.position,
            vault: o.vault,
            keeper_token: *keeper_token,
            token_program: TOKEN_PROGRAM_ID,
            system_program: system_program::ID,
        },
        instruction::ExecuteLimitOrder {},
    )
}

/// The owner (`o.owner`) cancels `order`, refunded to `destination`.
pub fn cancel_limit_order(destination: &Pubkey, order: &Pubkey, o: &LimitOrder) -> Instruction {
    build(
        accounts::CancelLimitOrder {
            owner: o.owner,
            market: o.market,
            order: *order,
            escrow: o.escrow,
            destination: *destination,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::CancelLimitOrder {},
    )
}

/// Anyone closes an expired `order`, refunding its owner.
pub fn close_expired_order(order: &Pubkey, o: &LimitOrder) -> Instruction {
    build(
        accounts::CloseExpiredOrder {
            order: *order,
            escrow: o.escrow,
            refund_to: o.refund_to,
            owner: o.owner,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::CloseExpiredOrder {},
    )
}

pub fn position_health(keys: &MarketKeys, position: &Pubkey, pos: &Position) -> Instruction {
    build(
        accounts::PositionHealth { market: pos.market, oracle: keys.oracle, position: *position, vault: pos.vault },
        instruction::PositionHealth {},
    )
}

/// Requests an LP deposit of `amount` (executed later by `execute_lp_request`).
pub fn request_deposit(
    provider: &Pubkey,
    provider_token: &Pubkey,
    provider_lp: &Pubkey,
    keys: &MarketKeys,
    amount: u64,
) -> Instruction {
    build(
        accounts::RequestDeposit {
            provider: *provider,
            market: keys.market,
            oracle: keys.oracle,
            pool_vault: keys.pool_vault,
            provider_token: *provider_token,
            provider_lp: *provider_lp,
            request: pda::lp_request(&keys.market, provider),
            token_program: TOKEN_PROGRAM_ID,
            system_program: system_program::ID,
        },
        instruction::RequestDeposit { amount },
    )
}

/// Requests an LP withdrawal of `shares` (executed later by `execute_lp_request`).
pub fn request_withdrawal(
    provider: &Pubkey,
    provider_token: &Pubkey,
    provider_lp: &Pubkey,
    keys: &MarketKeys,
    shares: u64,
) -> Instruction {
    build(
        accounts::RequestWithdrawal {
            provider: *provider,
            market: keys.market,
            oracle: keys.oracle,
            lp_escrow: keys.lp_escrow,
            provider_lp: *provider_lp,
            provider_token: *provider_token,
            request: pda::lp_request(&keys.market, provider),
            token_program: TOKEN_PROGRAM_ID,
            system_program: system_program::ID,
        },
        instruction::RequestWithdrawal { shares },
    )
}

/// Executes the pending request at `request` (anyone; the result waits in escrow for its claim).
pub fn execute_lp_request(keys: &MarketKeys, request: &Pubkey) -> Instruction {
    build(
        accounts::ExecuteLpRequest {
            market: keys.market,
            request: *request,
            pool_vault: keys.pool_vault,
            lp_mint: keys.lp_mint,
            lp_escrow: keys.lp_escrow,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::ExecuteLpRequest {},
    )
}

/// The provider claims its executed request into `destination` (its LP share account for a
/// deposit, its collateral token account for a withdrawal).
pub fn claim_lp_request(keys: &MarketKeys, request: &Pubkey, provider: &Pubkey, destination: &Pubkey) -> Instruction {
    build(
        accounts::ClaimLpRequest {
            provider: *provider,
            market: keys.market,
            request: *request,
            pool_vault: keys.pool_vault,
            lp_escrow: keys.lp_escrow,
            destination: *destination,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::ClaimLpRequest {},
    )
}

/// Cancels the provider's pending request at `request` (after the cancel delay).
pub fn cancel_lp_request(keys: &MarketKeys, request: &Pubkey, req: &LpRequest) -> Instruction {
    build(
        accounts::CancelLpRequest {
            provider: req.provider,
            market: keys.market,
            request: *request,
            pool_vault: keys.pool_vault,
            lp_escrow: keys.lp_escrow,
            lp_mint: keys.lp_mint,
            token_account: req.token_account,
            lp_account: req.lp_account,
            token_program: TOKEN_PROGRAM_ID,
        },
        instruction::CancelLpRequest {},
    )
}

/// Starts a pool sweep at the market's oracle price.
pub fn start_sweep(caller: &Pubkey, keys: &MarketKeys) -> Instruction {
    build(
        accounts::StartSweep { caller: *caller, market: keys.market, oracle: keys.oracle },
        instruction::StartSweep {},
    )
}

/// Values `positions` (of `market`) in the current sweep.
pub fn sweep_positions(market: &Pubkey, positions: &[Pubkey]) -> Instruction {
    let mut ix = build(accounts::SweepPositions { market: *market }, instruction::SweepPositions {});
    ix.accounts.extend(positions.iter().map(|p| AccountMeta::new(*p, false)));
    ix
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

/// A trade bound from a previewed execution price and a slippage tolerance: a buyer (opening a
/// long, closing a short) accepts up to `preview * (1 + slippage)`, a seller down to
/// `preview * (1 - slippage)` (rounded against the trader's tolerance: never looser than asked).
pub fn limit_with_slippage(
    side: Side,
    opening: bool,
    preview: u64,
    slippage_bps: u64,
    deadline: Option<i64>,
) -> TradeLimit {
    let bps = u128::from(ringfence_math::BPS);
    let p = u128::from(preview);
    let acceptable_price = if ringfence::limits::buys(side, opening) {
        u64::try_from(p * (bps + u128::from(slippage_bps)) / bps).unwrap_or(u64::MAX)
    } else {
        u64::try_from((p * bps.saturating_sub(u128::from(slippage_bps))).div_ceil(bps)).unwrap_or(u64::MAX)
    };
    TradeLimit { acceptable_price, deadline }
}
