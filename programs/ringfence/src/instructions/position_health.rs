use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{bankruptcy_price, liquidation_price};

use crate::error::{MathResultExt, RingfenceError};
use crate::oracle::{read_price, PriceUse};
use crate::settlement::health_now;
use crate::state::{Market, Position, PriceThreshold, Side};

/// A position's health as the program sees it now (returned by `position_health`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthView {
    pub side: Side,
    pub size: u64,
    pub collateral: u64,
    pub reserve: u64,
    pub entry_price: u64,
    pub mark_price: u64,
    pub price_publish_time: i64,
    /// PnL at mark, capped at the reserve.
    pub pnl: i128,
    pub borrow_fee: u64,
    pub close_fee: u64,
    pub equity: i128,
    pub maintenance_requirement: u64,
    pub liquidatable: bool,
    /// Where the position becomes liquidatable (fees owed now included): the first mark price at
    /// which `liquidatable` is true, `AnyPrice` when even its whole reserve cannot lift it above
    /// maintenance, `Never` when no positive price gets there.
    pub liquidation_price: PriceThreshold,
    /// Where its equity (fees owed now included) becomes negative, same convention.
    pub bankruptcy_price: PriceThreshold,
}

/// Read-only: returns a position's [`HealthView`] at the oracle price (liquidation age limit),
/// computed with the shared math crate. Writes nothing; call it through simulation.
///
/// # Accounts
/// - `market`: must be `position.market`. `oracle`: must be `market.oracle`. `position`.
///
/// # Errors
/// - `MarketMismatch`; oracle errors.
#[derive(Accounts)]
pub struct PositionHealth<'info> {
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(has_one = market @ RingfenceError::MarketMismatch)]
    pub position: AccountLoader<'info, Position>,
}

pub fn handler(ctx: Context<PositionHealth>) -> Result<HealthView> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?; // a copy: accrued for the view, never written
    let pos: Position = *a.position.load()?;
    m.accrue(now)?;
    let px = read_price(&a.oracle, &m, now, PriceUse::Liquidate)?;
    let side = pos.side()?;
    let (borrow_fee, close_fee, h) = health_now(&pos, &m, side, px.price)?;
    let (fees, mm) = (h.fees, u64::from(m.params.maintenance_margin_bps));
    Ok(HealthView {
        side,
        size: pos.size,
        collateral: pos.collateral,
        reserve: pos.reserve,
        entry_price: pos.entry_price,
        mark_price: px.price,
        price_publish_time: px.publish_time,
        pnl: h.pnl,
        borrow_fee,
        close_fee,
        equity: h.equity,
        maintenance_requirement: h.maintenance_requirement,
        liquidatable: h.liquidatable,
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
