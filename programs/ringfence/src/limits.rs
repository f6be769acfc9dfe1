//! The trader's bound on a trade at the oracle price: the worst execution price they accept and an
//! optional deadline. Every instruction that trades at the oracle price takes one; a worse price
//! or a passed deadline fails with a named error before anything moves.
use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::state::Side;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeLimit {
    /// Worst acceptable execution price (`PRICE_DECIMALS`): the most a buyer pays (opening a long,
    /// closing a short), the least a seller gets (opening a short, closing a long).
    pub acceptable_price: u64,
    /// Unix time (cluster clock) after which the trade must not execute; `None`: no deadline.
    pub deadline: Option<i64>,
}

impl TradeLimit {
    /// No bound: any price, any time (what a client sends when the trader opts out).
    pub fn any(side: Side, opening: bool) -> TradeLimit {
        let acceptable_price = if buys(side, opening) { u64::MAX } else { 0 };
        TradeLimit { acceptable_price, deadline: None }
    }

    /// Fails with `TradeDeadlinePassed` after the deadline, `PriceWorseThanAcceptable` when
    /// `execution_price` (a trade of `side`, opening or closing) is worse than the bound.
    pub fn check(&self, side: Side, opening: bool, execution_price: u64, now: i64) -> Result<()> {
        if let Some(deadline) = self.deadline {
            require!(now <= deadline, RingfenceError::TradeDeadlinePassed);
        }
        let ok = if buys(side, opening) {
            execution_price <= self.acceptable_price
        } else {
            execution_price >= self.acceptable_price
        };
        require!(ok, RingfenceError::PriceWorseThanAcceptable);
        Ok(())
    }
}

/// Whether the trader buys the base asset: opening a long or closing a short.
pub fn buys(side: Side, opening: bool) -> bool {
    matches!((side, opening), (Side::Long, true) | (Side::Short, false))
}
