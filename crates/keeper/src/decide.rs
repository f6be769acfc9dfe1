//! What the keeper does to a position or an order: the program's own rules
//! (`ringfence::liquidation::check_liquidation`, `ringfence::automation::{check_topup,
//! check_trigger, check_order}`, `ringfence::opening::open_checks` — the functions the
//! instructions call), run off chain on the same account bytes at the cluster's time. The keeper
//! decides nothing by itself.
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_sdk::ringfence::automation::{check_order, check_topup, check_trigger};
use ringfence_sdk::ringfence::liquidation::check_liquidation;
use ringfence_sdk::ringfence::opening::open_checks;
use ringfence_sdk::ringfence::state::pause;
use ringfence_sdk::{LimitOrder, Market, Position, TriggerKind};

/// One thing the program would accept now on a position, in the order the keeper tries them:
/// a liquidation first (it takes precedence over triggers and itself applies standby that can
/// save the position), then a due top-up, then a crossed take-profit, then a crossed stop-loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Liquidate,
    TopUp,
    Trigger(TriggerKind),
}

/// `Some((action, publish time of the price))` when the program would accept `action` on open
/// `position` at cluster time `now` with the market's pinned `oracle` account as it is: the same
/// price checks, the same judged price and the same tests as the instruction. The vault is taken
/// to hold what the position accounts for.
pub fn evaluate(
    market: &Market,
    oracle: Option<&PriceUpdateV2>,
    position: &Position,
    now: i64,
) -> Option<(Action, i64)> {
    let oracle = oracle?;
    let vault = position.vault_claim().ok()?;
    let mut m = *market;
    if let Ok(c) = check_liquidation(&mut m, position, oracle, vault, now) {
        if c.liquidatable() {
            return Some((Action::Liquidate, c.px.publish_time));
        }
    }
    let mut m = *market;
    if let Ok(t) = check_topup(&mut m, position, oracle, now) {
        return Some((Action::TopUp, t.px.publish_time));
    }
    for kind in [TriggerKind::TakeProfit, TriggerKind::StopLoss] {
        let mut m = *market;
        if let Ok(t) = check_trigger(&mut m, position, oracle, kind, now) {
            return Some((Action::Trigger(kind), t.quote.px.publish_time));
        }
    }
    None
}

/// `Some(publish time)` when `execute_limit_order` would fill `order` now: the order rule (not
/// expired, a price published after placement that reached the limit) and the open's own checks
/// (pause, minimum size, fee, margin, pool liquidity, open-interest cap) on the market as it is.
pub fn evaluate_order(market: &Market, oracle: Option<&PriceUpdateV2>, order: &LimitOrder, now: i64) -> Option<i64> {
    let oracle = oracle?;
    let mut m = *market;
    if m.require_not_paused(pause::OPEN).is_err() || order.size < m.params.min_position_size {
        return None;
    }
    let c = check_order(&mut m, order, oracle, now).ok()?;
    open_checks(&m, c.side, order.collateral, order.size).ok()?;
    Some(c.px.publish_time)
}
