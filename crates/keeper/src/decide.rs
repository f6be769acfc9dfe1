//! The liquidation decision, computed by the program's own code (the `ringfence` crate, off chain).
use ringfence_sdk::ringfence::settlement::health_now;
use ringfence_sdk::{Market, Position};

/// A normalized oracle price.
#[derive(Clone, Copy, Debug)]
pub struct OraclePrice {
    pub price: u64,
    pub publish_time: i64,
    pub feed_id: [u8; 32],
}

/// `Some(price)` when `position` is liquidatable at `price` by the program's rule, computed by
/// the program's own code (`Market::accrue`, `settlement::health_now`): equity at the oracle price
/// (PnL capped at the reserve, minus the borrow fee accrued to `now` and the close fee) below the
/// maintenance requirement, with a price the program would accept (its feed, not older than the
/// liquidation age limit nor than the position's last price).
pub fn evaluate(market: &Market, price: Option<&OraclePrice>, position: &Position, now: i64) -> Option<OraclePrice> {
    let px = price?;
    if px.feed_id != market.feed_id
        || px.publish_time < position.last_price_time
        || px.publish_time < now - i64::from(market.params.max_price_age_liquidate_secs)
    {
        return None;
    }
    let mut m = *market;
    m.accrue(now).ok()?;
    let side = position.side().ok()?;
    let (_, _, h) = health_now(position, &m, side, px.price).ok()?;
    h.liquidatable.then_some(*px)
}
