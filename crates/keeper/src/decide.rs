//! The liquidation decision: the program's own rule (`ringfence::liquidation::check_liquidation`,
//! the function the `liquidate` instruction and the `position_health` view call), run off chain
//! on the same account bytes. The keeper decides nothing by itself.
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_sdk::ringfence::liquidation::check_liquidation;
use ringfence_sdk::{Market, Position};

/// `Some(publish time of the price)` when `liquidate` would accept `position` at cluster time
/// `now` with the market's pinned `oracle` account as it is: the same price checks (verification,
/// feed, age, clock skew, not older than the market's or the position's newest price,
/// liquidation confidence bound), the same judged price and the same health test. The vault is
/// taken to hold what the position accounts for (the split does not change the verdict).
pub fn evaluate(market: &Market, oracle: Option<&PriceUpdateV2>, position: &Position, now: i64) -> Option<i64> {
    let oracle = oracle?;
    let mut m = *market;
    let vault = position.vault_claim().ok()?;
    let c = check_liquidation(&mut m, position, oracle, vault, now).ok()?;
    c.liquidatable().then_some(c.px.publish_time)
}
