//! Events: every state change emits one, with enough data for an indexer to rebuild markets,
//! positions and the pool's value without reading accounts. Prices carry
//! `ringfence_math::PRICE_DECIMALS` decimals; amounts are in collateral base units.
use anchor_lang::prelude::*;

use crate::state::{LpRequestKind, Market, PriceThreshold, RiskParams, Side, TriggerKind};

/// The market's pool and aggregate state after an action: free liquidity, reserves, shares, the
/// borrow index and the per-side aggregates (open interest, base quantity, borrow-index sums), and
/// the current pool sweep (its value + free liquidity is the exact pool value while complete).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolSnapshot {
    pub free_liquidity: u64,
    pub total_reserved: u64,
    pub lp_supply: u64,
    pub borrow_index: u64,
    pub borrow_rate: u64,
    pub open_interest_long: u64,
    pub open_interest_short: u64,
    pub qty_long: u128,
    pub qty_short: u128,
    pub size_index_long: u128,
    pub size_index_short: u128,
    pub positions_open: u64,
    /// Tokens of pending deposit requests (in the pool vault, not in the pool).
    pub pending_deposits: u64,
    /// Tokens of executed withdrawals awaiting their claim (in the pool vault, not in the pool).
    pub pending_payouts: u64,
    /// Shares held by nobody (created by the first deposit).
    pub dead_shares: u64,
    pub sweep_epoch: u64,
    /// Positions the current sweep has valued, and their total worth to the pool.
    pub sweep_counted: u64,
    pub sweep_value: u64,
    /// What trader actions booked back since the sweep started: the sweep measures
    /// `free_liquidity + sweep_value + sweep_adjust`.
    pub sweep_adjust: i128,
}

impl PoolSnapshot {
    pub fn of(m: &Market) -> Self {
        let (l, s) = (m.long.totals(), m.short.totals());
        PoolSnapshot {
            free_liquidity: m.free_liquidity,
            total_reserved: m.total_reserved,
            lp_supply: m.lp_supply,
            borrow_index: m.borrow_index,
            borrow_rate: m.borrow_rate,
            open_interest_long: l.oi,
            open_interest_short: s.oi,
            qty_long: l.qty,
            qty_short: s.qty,
            size_index_long: l.size_index,
            size_index_short: s.size_index,
            positions_open: m.positions_open,
            pending_deposits: m.pending_deposits,
            pending_payouts: m.pending_payouts,
            dead_shares: m.dead_shares,
            sweep_epoch: m.sweep.epoch,
            sweep_counted: m.sweep.counted,
            sweep_value: m.sweep.value,
            sweep_adjust: m.sweep_adjust(),
        }
    }
}

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
    pub lp_mint: Pubkey,
    pub params: RiskParams,
    pub timestamp: i64,
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
    /// Collateral kept in the vault (deposit minus the open fee).
    pub collateral: u64,
    pub open_fee: u64,
    /// Moved from the pool vault into the position's vault: the position's max profit.
    pub reserve: u64,
    pub qty: u128,
    /// Entry price: the oracle price plus its confidence for a long, minus for a short.
    pub entry_price: u64,
    pub oracle_price: u64,
    pub price_publish_time: i64,
    pub borrow_index: u64,
    /// Where the position becomes liquidatable (close fee counted; no borrow fee owed yet).
    pub liquidation_price: PriceThreshold,
    pub pool: PoolSnapshot,
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
pub struct MarginRemoved {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub collateral: u64,
    pub vault_balance: u64,
    pub oracle_price: u64,
    pub price_publish_time: i64,
    pub pool: PoolSnapshot,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PositionDecreased {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub side: Side,
    pub size_delta: u64,
    pub size: u64,
    pub exit_price: u64,
    pub oracle_price: u64,
    pub price_publish_time: i64,
    pub realized_pnl: i128,
    pub borrow_fee: u64,
    pub close_fee: u64,
    pub to_trader: u64,
    pub to_pool: u64,
    pub collateral: u64,
    pub reserve: u64,
    pub qty: u128,
    pub borrow_index: u64,
    pub pool: PoolSnapshot,
    pub timestamp: i64,
}

/// An open position grew (`increase_position`).
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PositionIncreased {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub side: Side,
    /// Notional added, at `added_entry_price`.
    pub size_delta: u64,
    /// The price the added notional traded at (oracle price + conf for a long, - conf for a short).
    pub added_entry_price: u64,
    pub oracle_price: u64,
    pub price_publish_time: i64,
    /// Collateral deposited by the owner with the increase.
    pub deposit: u64,
    /// Open fee on `size_delta`, to the pool (out of the collateral).
    pub open_fee: u64,
    /// Borrow fee owed so far on the old notional, settled first, to the pool.
    pub borrow_fee: u64,
    /// Reserve the pool added to the vault for `size_delta`.
    pub reserve_added: u64,
    /// The position after: notional, entry price (base-quantity weighted), collateral, reserve,
    /// base quantity and borrow index.
    pub size: u64,
    pub entry_price: u64,
    pub collateral: u64,
    pub reserve: u64,
    pub qty: u128,
    pub borrow_index: u64,
    pub pool: PoolSnapshot,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PositionClosed {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub side: Side,
    pub size: u64,
    pub collateral: u64,
    pub reserve: u64,
    pub entry_price: u64,
    pub exit_price: u64,
    pub oracle_price: u64,
    pub price_publish_time: i64,
    /// Realized PnL (capped at the reserve), rounded against the trader.
    pub pnl: i128,
    pub borrow_fee: u64,
    pub close_fee: u64,
    pub vault_balance: u64,
    /// The trader's part of the settlement.
    pub to_trader: u64,
    /// Paid to the owner beside the settlement: standby margin, escrowed trigger fees and any
    /// residual of keeper-run partial closes (the vault's holdings apart from the position).
    pub returned_apart: u64,
    pub to_pool: u64,
    pub pool: PoolSnapshot,
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
    pub reserve: u64,
    pub entry_price: u64,
    /// Oracle mid price.
    pub oracle_price: u64,
    /// Oracle confidence interval (half-width), same decimals.
    pub oracle_conf: u64,
    /// The price health was judged at: the interval's side that favours the trader (a long at
    /// `oracle_price + oracle_conf`, a short at `oracle_price - oracle_conf`).
    pub mark_price: u64,
    pub price_publish_time: i64,
    /// PnL at `oracle_price`, the price the vault is split at (capped at the reserve; negative is
    /// a loss), rounded against the trader.
    pub pnl: i128,
    pub borrow_fee: u64,
    pub close_fee: u64,
    /// Collateral + PnL at `mark_price` - fees: the equity the liquidation test judged.
    pub equity: i128,
    pub maintenance_requirement: u64,
    /// Tokens the vault held when liquidated.
    pub vault_balance: u64,
    pub keeper_reward: u64,
    /// The owner's whole claim left in the vault for `claim_residual`: residual equity plus what
    /// the vault held apart (standby margin, escrowed trigger fees, earlier residual).
    pub residual: u64,
    /// The part of `residual` that the vault held apart from the position (never seized).
    pub returned_apart: u64,
    /// Returned to the pool vault.
    pub to_pool: u64,
    /// What the trader's equity failed to cover (losses, fees and reward beyond equity).
    pub bad_debt: u128,
    pub pool: PoolSnapshot,
    pub timestamp: i64,
}

/// A pool sweep started: every open position will be valued at `price` (see `crate::sweep`).
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct SweepStarted {
    pub market: Pubkey,
    pub caller: Pubkey,
    /// The sweep's number.
    pub epoch: u64,
    /// Oracle mid price positions are valued at.
    pub price: u64,
    pub price_publish_time: i64,
    /// Borrow index up to which borrow fees owed are counted.
    pub borrow_index: u64,
    /// Last second at which LP requests can be executed against it.
    pub expires_at: i64,
    pub positions_open: u64,
    pub pool: PoolSnapshot,
    pub timestamp: i64,
}

/// A batch of positions was valued in the current sweep.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PositionsSwept {
    pub market: Pubkey,
    pub epoch: u64,
    /// Positions valued by this batch (already valued ones are skipped).
    pub valued: u64,
    /// Positions valued by the sweep so far.
    pub counted: u64,
    pub positions_open: u64,
    /// Σ of the valued positions' worth to the pool.
    pub value: u64,
    /// Whether every open position is now valued (LP requests can execute).
    pub complete: bool,
    pub timestamp: i64,
}

/// An LP deposit or withdrawal was requested; its tokens or shares are escrowed.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct LpRequested {
    pub market: Pubkey,
    pub provider: Pubkey,
    pub request: Pubkey,
    pub kind: LpRequestKind,
    /// Tokens (deposit) or shares (withdrawal) escrowed.
    pub amount: u64,
    /// Tokens of all pending deposits after this one (in the pool vault, not in the pool).
    pub pending_deposits: u64,
    pub timestamp: i64,
}

/// An LP request was executed at the exact pool value of a complete sweep.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct LpRequestExecuted {
    pub market: Pubkey,
    pub provider: Pubkey,
    pub request: Pubkey,
    pub kind: LpRequestKind,
    /// The request could not complete (too small, or more than the free liquidity) and was
    /// refunded: its escrow less the LP fee comes back on the claim; `shares` / `amount` are what
    /// is returned and `lp_fee` what was kept (tokens) or burned (shares).
    pub refunded: bool,
    /// Shares minted (deposit) or burned (withdrawal).
    pub shares: u64,
    /// Tokens that joined the pool (deposit, fee included) or are owed to the LP (withdrawal, net,
    /// held for its claim).
    pub amount: u64,
    /// LP fee kept by the pool.
    pub lp_fee: u64,
    /// Pool value the shares were priced at: free liquidity + the sweep's value of every position.
    pub pool_value: u64,
    pub sweep_epoch: u64,
    pub sweep_price: u64,
    pub sweep_publish_time: i64,
    pub requested_at: i64,
    pub pool: PoolSnapshot,
    pub timestamp: i64,
}

/// A pending LP request was cancelled and its escrow returned, less the LP fee.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct LpRequestCancelled {
    pub market: Pubkey,
    pub provider: Pubkey,
    pub request: Pubkey,
    pub kind: LpRequestKind,
    /// Tokens (deposit) or shares (withdrawal) returned.
    pub amount: u64,
    /// Tokens kept by the pool (deposit) or shares burned (withdrawal).
    pub lp_fee: u64,
    pub timestamp: i64,
}

/// An executed LP request's shares or tokens left escrow for the provider's account.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct LpRequestClaimed {
    pub market: Pubkey,
    pub provider: Pubkey,
    pub request: Pubkey,
    pub kind: LpRequestKind,
    /// Shares (deposit) or tokens (withdrawal) paid out.
    pub amount: u64,
    pub destination: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct AdminProposed {
    pub market: Pubkey,
    pub admin: Pubkey,
    pub proposed: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct AdminAccepted {
    pub market: Pubkey,
    pub previous: Pubkey,
    pub admin: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
/// A change that can hurt positions was scheduled (the traders' exit window starts).
pub struct MarketChangeScheduled {
    pub market: Pubkey,
    /// Mask of the fields it changes (`state::RISK_FIELDS` bits, `state::field::ORACLE`).
    pub fields: u32,
    /// The parameters it would leave in force if applied now (current ones with its fields).
    pub params: RiskParams,
    /// The oracle account it would leave pinned.
    pub oracle: Pubkey,
    pub effective_at: i64,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MarketChangeCancelled {
    pub market: Pubkey,
    /// Mask of the fields the cancelled change would have changed.
    pub fields: u32,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct MarketParamsUpdated {
    pub market: Pubkey,
    /// Mask of the fields that changed (`state::RISK_FIELDS` bits, `state::field::ORACLE`).
    pub fields: u32,
    /// The parameters now in force.
    pub params: RiskParams,
    /// The oracle account now pinned.
    pub oracle: Pubkey,
    /// Whether this applied a timelocked change (else it applied at once).
    pub from_timelock: bool,
    pub pool: PoolSnapshot,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PauseSet {
    pub market: Pubkey,
    /// The pause flags now in force (`state::pause`).
    pub paused: u8,
    pub timestamp: i64,
}

/// A position changed owner (`transfer_position`); its address, vault and everything in it stay.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct PositionTransferred {
    pub market: Pubkey,
    pub position: Pubkey,
    /// The owner before.
    pub from: Pubkey,
    /// The owner now: the only signer of later trader actions on it.
    pub to: Pubkey,
    pub timestamp: i64,
}

/// A liquidated position's owner claimed its residual; the position and its vault are closed.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct ResidualClaimed {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    /// Token account paid.
    pub destination: Pubkey,
    /// The residual recorded in the position (at liquidation or keeper close, or by keeper-run
    /// partial closes of an open position).
    pub residual: u64,
    /// Tokens paid: for a closed claim the vault's whole balance (the residual plus anything sent
    /// to it since); for an open position its residual.
    pub amount: u64,
    /// True when the position and its vault were closed (liquidated or keeper-closed position).
    pub closed: bool,
    pub timestamp: i64,
}

/// The owner parked standby margin in a position's vault (`add_standby`).
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct StandbyAdded {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    /// Tokens moved from the owner into the vault as standby.
    pub amount: u64,
    /// The position's standby after it.
    pub standby: u64,
    pub timestamp: i64,
}

/// The owner took standby margin back (`withdraw_standby`).
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct StandbyWithdrawn {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    /// The token account paid.
    pub destination: Pubkey,
    /// Tokens paid out of the vault's standby.
    pub amount: u64,
    /// The position's standby after it.
    pub standby: u64,
    pub timestamp: i64,
}

/// The owner set or cleared the position's top-up rule (`set_topup_rule`; all zero: cleared).
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct TopUpRuleSet {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    /// Equity below this share of the maintenance requirement (basis points) makes a top-up due.
    pub ratio_bps: u16,
    /// Collateral moved per top-up.
    pub step: u64,
    /// The keeper's fee per top-up, paid from the standby.
    pub fee: u64,
    pub timestamp: i64,
}

/// Standby margin moved into collateral: by `top_up` under the owner's rule, or by `liquidate`
/// when it restores health (`rescue`, and then nothing is liquidated).
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct StandbyApplied {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub keeper: Pubkey,
    /// True when `liquidate` applied it (the position was liquidatable and this restored it).
    pub rescue: bool,
    /// Tokens moved from standby into collateral.
    pub moved: u64,
    /// The keeper's fee, paid from the standby.
    pub keeper_fee: u64,
    /// The position's standby and collateral after it.
    pub standby: u64,
    pub collateral: u64,
    /// Equity (as the liquidation rule judges it) and maintenance requirement before the move.
    pub equity_before: i128,
    pub maintenance_requirement: u64,
    pub oracle_price: u64,
    pub oracle_conf: u64,
    pub price_publish_time: i64,
    pub timestamp: i64,
}

/// The owner set, changed or cleared (`price == 0`) a take-profit or stop-loss trigger.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerSet {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub kind: TriggerKind,
    /// Trigger price (`PRICE_DECIMALS`); 0: cleared.
    pub price: u64,
    /// Notional to close; 0: the whole position.
    pub size: u64,
    /// Execution fee now escrowed in the vault for it.
    pub fee: u64,
    /// Escrowed fee of the trigger it replaced, returned to the owner.
    pub fee_refunded: u64,
    pub timestamp: i64,
}

/// A keeper executed a trigger at the oracle price. The owner's part of the close stays in the
/// vault as `residual` (claimed with `claim_residual`), as after a liquidation.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerExecuted {
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub keeper: Pubkey,
    pub kind: TriggerKind,
    /// The trigger price it executed.
    pub trigger_price: u64,
    /// True when it closed the whole position (the position is then `CLOSED`).
    pub full_close: bool,
    /// Notional closed.
    pub size_closed: u64,
    /// Notional left (0 after a full close).
    pub size: u64,
    pub exit_price: u64,
    pub oracle_price: u64,
    pub price_publish_time: i64,
    /// Realized PnL of the closed part (capped at its reserve).
    pub pnl: i128,
    pub borrow_fee: u64,
    pub close_fee: u64,
    /// The keeper's execution fee (from the escrow).
    pub keeper_fee: u64,
    /// The trader's part of the close, added to `residual`.
    pub to_owner: u64,
    /// Returned to the pool vault.
    pub to_pool: u64,
    /// The owner's claimable residual in the vault after it (on a full close it includes the
    /// standby and the other trigger's escrowed fee).
    pub residual: u64,
    /// Collateral and reserve left (0 after a full close).
    pub collateral: u64,
    pub reserve: u64,
    pub pool: PoolSnapshot,
    pub timestamp: i64,
}

/// A trigger as an order carries it until its position opens.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TriggerArgs {
    /// Trigger price (`PRICE_DECIMALS`); 0: none.
    pub price: u64,
    /// Notional to close; 0: the whole position.
    pub size: u64,
    /// Execution fee escrowed for it.
    pub fee: u64,
}

/// A limit open was placed (`place_limit_order`).
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct OrderPlaced {
    pub market: Pubkey,
    pub order: Pubkey,
    pub owner: Pubkey,
    /// The position (and its vault) it will open.
    pub position: Pubkey,
    pub vault: Pubkey,
    pub id: u64,
    pub side: Side,
    /// Tokens escrowed as the position's deposit (the open fee comes out of it at fill).
    pub collateral: u64,
    pub size: u64,
    pub limit_price: u64,
    pub expiry: i64,
    /// Escrowed for the filling keeper.
    pub exec_fee: u64,
    pub take_profit: TriggerArgs,
    pub stop_loss: TriggerArgs,
    /// Lamports held for the rent of the position and its vault.
    pub rent_prefund: u64,
    pub timestamp: i64,
}

/// A keeper filled a limit order: the position was opened (see the `PositionOpened` of the same
/// instruction), the escrow moved into its vault and closed, the order closed.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct OrderExecuted {
    pub market: Pubkey,
    pub order: Pubkey,
    pub owner: Pubkey,
    pub position: Pubkey,
    pub keeper: Pubkey,
    pub entry_price: u64,
    pub limit_price: u64,
    pub oracle_price: u64,
    pub price_publish_time: i64,
    /// Paid to the keeper from the escrow.
    pub exec_fee: u64,
    /// Escrowed trigger fees moved into the position's vault.
    pub trigger_fees: u64,
    pub timestamp: i64,
}

/// A limit order was closed unfilled and refunded in full: cancelled by its owner, or closed by
/// anyone after its expiry.
#[event]
#[derive(Debug, Clone, PartialEq)]
pub struct OrderClosed {
    pub market: Pubkey,
    pub order: Pubkey,
    pub owner: Pubkey,
    /// True when closed after expiry (by anyone), false when the owner cancelled.
    pub expired: bool,
    /// The token account refunded.
    pub destination: Pubkey,
    /// Tokens refunded: the escrow's whole balance.
    pub refunded: u64,
    /// Lamports returned to the owner (the order's and the escrow's rent, and the prefund).
    pub lamports: u64,
    pub timestamp: i64,
}
