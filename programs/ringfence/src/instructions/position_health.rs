use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{bankruptcy_price, liquidation_price};

use crate::error::{MathResultExt, RingfenceError};
use crate::liquidation::check_liquidation;
use crate::state::{Market, Position, PriceThreshold, Side};

/// A position's health as the liquidation rule sees it now (returned by `position_health`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthView {
    pub side: Side,
    pub size: u64,
    pub collateral: u64,
    pub reserve: u64,
    pub entry_price: u64,
    /// Oracle mid price.
    pub oracle_price: u64,
    /// Oracle confidence interval (half-width).
    pub oracle_conf: u64,
    /// The price health is judged at: the confidence interval's side that favours the trader.
    pub mark_price: u64,
    pub price_publish_time: i64,
    /// PnL at mark, capped at the reserve.
    pub pnl: i128,
    pub borrow_fee: u64,
    pub close_fee: u64,
    pub equity: i128,
    pub maintenance_requirement: u64,
    /// Whether `liquidate` would succeed now with this price.
    pub liquidatable: bool,
    /// Keeper reward a liquidation would pay.
    pub keeper_reward: u64,
    /// What a liquidation now would leave the owner to claim (the vault's current balance split at
    /// the oracle mid price).
    pub residual: u64,
    /// Where the position becomes liquidatable (fees owed now included): the first judged price
    /// (`mark_price`, i.e. mid + conf for a long, mid - conf for a short) at which `liquidatable`
    /// is true, `AnyPrice` when even its whole reserve cannot lift it above maintenance, `Never`
    /// when no positive price gets there.
    pub liquidation_price: PriceThreshold,
    /// Where its equity (fees owed now included) becomes negative, same convention.
    pub bankruptcy_price: PriceThreshold,
}

/// Read-only: returns an open position's [`HealthView`] by the liquidation rule itself
/// (`crate::liquidation::check_liquidation`, the same call `liquidate` makes: same price checks,
/// same judged price, same split). Writes nothing; call it through simulation.
///
/// # Accounts
/// - `market`: must be `position.market`. `oracle`: must be `market.oracle`. `position`.
/// - `vault`: must be `position.vault` (its balance is what a liquidation would split).
///
/// # Errors
/// - `MarketMismatch`, `VaultMismatch`, `PositionNotOpen`; the liquidation price errors.
#[derive(Accounts)]
pub struct PositionHealth<'info> {
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
    )]
    pub position: AccountLoader<'info, Position>,
    /// CHECK: address is `position.vault` (has_one); read for its token balance.
    pub vault: UncheckedAccount<'info>,
}

pub fn handler(ctx: Context<PositionHealth>) -> Result<HealthView> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?; // a copy: accrued for the view, never written
    let pos: Position = *a.position.load()?;
    let vault_balance = crate::token_account::token_balance(&a.vault)?;
    let c = check_liquidation(&mut m, &pos, &a.oracle, vault_balance, now)?;
    let r = c.report;
    let (fees, mm) = (r.health.fees, u64::from(m.params.maintenance_margin_bps));
    let side = c.side;
    Ok(HealthView {
        side,
        size: pos.size,
        collateral: pos.collateral,
        reserve: pos.reserve,
        entry_price: pos.entry_price,
        oracle_price: c.px.price,
        oracle_conf: c.px.conf,
        mark_price: r.mark,
        price_publish_time: c.px.publish_time,
        pnl: r.health.pnl,
        borrow_fee: r.borrow_fee,
        close_fee: r.close_fee,
        equity: r.health.equity,
        maintenance_requirement: r.health.maintenance_requirement,
        liquidatable: r.health.liquidatable,
        keeper_reward: r.settlement.keeper,
        residual: r.settlement.trader,
        liquidation_price: liquidation_price(
            side.into(),
            pos.size,
            pos.collateral,
            pos.reserve,
            pos.entry_price,
            fees,
            mm,
        )
        .or_err()?
        .into(),
        bankruptcy_price: bankruptcy_price(side.into(), pos.size, pos.collateral, pos.reserve, pos.entry_price, fees)
            .or_err()?
            .into(),
    })
}
