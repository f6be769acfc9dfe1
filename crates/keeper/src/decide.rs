//! The liquidation decision, with the program's own math (`ringfence-math`).
use ringfence_sdk::math::{accrue_index, borrow_fee, health, notional_fee};
use ringfence_sdk::{Market, Position};

/// A normalized oracle price.
#[derive(Clone, Copy, Debug)]
pub struct OraclePrice {
    pub price: u64,
    pub publish_time: i64,
    pub feed_id: [u8; 32],
}

/// `Some(price)` when `position` is liquidatable at `price` by the program's rule: equity at the
/// oracle price (PnL capped at the reserve, minus the borrow fee accrued to `now` and the close
/// fee) below the maintenance requirement, with a price the program would accept (its feed, not
/// older than the liquidation age limit nor than the position's last price).
pub fn evaluate(market: &Market, price: Option<&OraclePrice>, position: &Position, now: i64) -> Option<OraclePrice> {
    let px = price?;
    if px.feed_id != market.feed_id
        || px.publish_time < position.last_price_time
        || px.publish_time < now - i64::from(market.params.max_price_age_liquidate_secs)
    {
        return None;
    }
    let elapsed = u64::try_from(now.saturating_sub(market.last_accrual_time)).unwrap_or(0);
    let index = accrue_index(market.borrow_index, market.borrow_rate, elapsed).ok()?;
    let fees = borrow_fee(position.size, position.borrow_index, index)
        .ok()?
        .checked_add(notional_fee(position.size, u64::from(market.params.close_fee_bps)).ok()?)?;
    let side = if position.side == 0 { ringfence_sdk::math::Side::Long } else { ringfence_sdk::math::Side::Short };
    let h = health(
        side,
        position.size,
        position.collateral,
        position.reserve,
        position.entry_price,
        px.price,
        fees,
        u64::from(market.params.maintenance_margin_bps),
    )
    .ok()?;
    h.liquidatable.then_some(*px)
}
