//! The account-reading side of the keeper-executed orders (`ringfence_math::automation` holds the
//! pure rules): a position's take-profit / stop-loss triggers, its standby top-ups, and limit
//! opens. Each instruction and the keeper (off chain, on the same account bytes) call the one
//! check here, so the keeper sends exactly what the program accepts.
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{
    limit_reached, topup_due, topup_step, trigger_crossed, LiquidationHealth, TopUp, MAX_CLOCK_SKEW_SECS,
};

use crate::error::{MathResultExt, RingfenceError};
use crate::liquidation::{check_health, judge_health};
use crate::oracle::{read_price, OraclePrice, PriceUse};
use crate::settlement::{exit_quote, ExitQuote};
use crate::state::{LimitOrder, Market, Position, Side, Trigger, TriggerKind};

/// Whether a price published at `publish_time` was certainly published after cluster time `at`:
/// later than `at + MAX_CLOCK_SKEW_SECS`, since a price up to that far ahead of the clock is
/// accepted and may already have been on chain at `at`.
pub fn published_after(publish_time: i64, at: i64) -> Result<bool> {
    let bound = at.checked_add(MAX_CLOCK_SKEW_SECS).ok_or(RingfenceError::MathOverflow)?;
    Ok(publish_time > bound)
}

/// A top-up that `top_up` would run: the price and health it was judged on, and the step.
#[derive(Clone, Copy, Debug)]
pub struct TopUpCheck {
    pub px: OraclePrice,
    pub health: LiquidationHealth,
    pub step: TopUp,
}

/// The top-up rule on the liquidation rule's price and equity: open `pos` has a rule and
/// standby, and its equity is below the rule's ratio of the maintenance requirement. Accrues
/// `market` (callers that must not write pass a copy).
pub fn check_topup(market: &mut Market, pos: &Position, oracle: &PriceUpdateV2, now: i64) -> Result<TopUpCheck> {
    require!(pos.is_open(), RingfenceError::PositionNotOpen);
    require!(pos.topup_step > 0 && pos.topup_ratio_bps > 0, RingfenceError::NoTopUpRule);
    require!(pos.standby > 0, RingfenceError::NoStandby);
    let (px, health) = check_health(market, pos, oracle, now)?;
    let h = health.health;
    // A liquidatable position is `liquidate`'s: it applies the standby only when that restores
    // health, and otherwise returns it to the owner; a top-up must not feed it to the pool first.
    require!(!h.liquidatable, RingfenceError::PositionLiquidatable);
    require!(
        topup_due(h.equity, h.maintenance_requirement, u64::from(pos.topup_ratio_bps)),
        RingfenceError::TopUpNotDue
    );
    let step = topup_step(pos.standby, pos.topup_step, pos.topup_fee).or_err()?;
    Ok(TopUpCheck { px, health, step })
}

/// A trigger that `execute_trigger` would execute.
#[derive(Clone, Copy, Debug)]
pub struct TriggerCheck {
    pub quote: ExitQuote,
    pub trigger: Trigger,
}

/// The trigger rule: open `pos` has the trigger; the oracle price passes the checks of an owner's
/// close (trade age and confidence, not older than the market's or the position's newest price)
/// and was **published after the trigger was set** ([`published_after`]); the exit price has crossed the trigger
/// (`ringfence_math::trigger_crossed`); and the position is not liquidatable at that price
/// (liquidation takes precedence). Accrues `market` (callers that must not write pass a copy).
pub fn check_trigger(
    market: &mut Market,
    pos: &Position,
    oracle: &PriceUpdateV2,
    kind: TriggerKind,
    now: i64,
) -> Result<TriggerCheck> {
    require!(pos.is_open(), RingfenceError::PositionNotOpen);
    let trigger = *pos.trigger(kind);
    require!(trigger.is_set(), RingfenceError::TriggerNotSet);
    let quote = exit_quote(oracle, market, pos, now)?;
    require!(published_after(quote.px.publish_time, trigger.set_at)?, RingfenceError::PriceNotAfterOrder);
    require!(
        trigger_crossed(quote.side.into(), kind == TriggerKind::TakeProfit, quote.exit, trigger.price),
        RingfenceError::TriggerNotCrossed
    );
    require!(!judge_health(market, pos, quote.px)?.health.liquidatable, RingfenceError::PositionLiquidatable);
    Ok(TriggerCheck { quote, trigger })
}

/// A limit order that `execute_limit_order` would fill.
#[derive(Clone, Copy, Debug)]
pub struct OrderCheck {
    pub px: OraclePrice,
    pub side: Side,
    /// The entry price (against the trader), at or better than the limit.
    pub entry: u64,
}

/// The limit-order rule: not expired; the oracle price passes an open's checks (trade age and
/// confidence, not older than the market's newest price) and was **published after the order was
/// placed** ([`published_after`]); the entry price an open would get now has reached the limit
/// (`ringfence_math::limit_reached`). Pool liquidity, open-interest caps and pauses are checked by
/// the open itself. Accrues `market` (callers that must not write pass a copy).
pub fn check_order(market: &mut Market, order: &LimitOrder, oracle: &PriceUpdateV2, now: i64) -> Result<OrderCheck> {
    require!(now <= order.expiry, RingfenceError::OrderExpired);
    market.accrue(now)?;
    let px = read_price(oracle, market, now, PriceUse::Trade, 0)?;
    require!(published_after(px.publish_time, order.placed_at)?, RingfenceError::PriceNotAfterOrder);
    let side = order.side()?;
    let entry = px.against_trader(side, true)?;
    require!(limit_reached(side.into(), entry, order.limit_price), RingfenceError::LimitNotReached);
    Ok(OrderCheck { px, side, entry })
}
