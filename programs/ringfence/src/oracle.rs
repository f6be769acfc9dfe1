//! Reading the market's pinned Pyth `PriceUpdateV2` account.
//!
//! The account itself is checked by Anchor (`Account<PriceUpdateV2>`: owner is the Pyth receiver
//! program, discriminator) and by each instruction's `address = market.oracle` constraint. This
//! module checks the content: full Wormhole verification and the market's feed id here, then
//! `ringfence_math::check_price` (age, clock skew, not older than the newest price the market or
//! the position has used, sign, confidence; a short age and a narrow interval for trader and LP
//! actions, wider ones for liquidations).
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};
use ringfence_math::{check_price, PriceMessage, PriceRejection, PriceRules};

use crate::error::RingfenceError;
use crate::state::{Market, Side};

/// What a price is used for: it decides the age limit and the market-recency check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceUse {
    /// Trader and LP actions: `max_price_age_trade_secs`, `max_conf_bps`.
    Trade,
    /// Liquidations and the health view: `max_price_age_liquidate_secs`, `max_conf_liquidate_bps`.
    Liquidate,
}

/// A validated oracle price, normalized to `ringfence_math::PRICE_DECIMALS`.
#[derive(Clone, Copy, Debug)]
pub struct OraclePrice {
    pub price: u64,
    pub conf: u64,
    pub publish_time: i64,
}

impl OraclePrice {
    /// The price a trader gets: the confidence interval's worse side. Opening a long or closing a
    /// short pays `price + conf`; opening a short or closing a long gets `price - conf`.
    pub fn against_trader(&self, side: Side, opening: bool) -> Result<u64> {
        let p = if crate::limits::buys(side, opening) {
            self.price.checked_add(self.conf)
        } else {
            self.price.checked_sub(self.conf)
        };
        // conf <= 10% of price (bounded by max_conf_bps), so the low side stays positive.
        p.filter(|p| *p > 0).ok_or_else(|| error!(RingfenceError::OraclePriceNotPositive))
    }
}

/// Validates `update` for `market` at cluster time `now` for `use_` (not older than
/// `position_price_time`, the position's newest used price, or 0); returns its price. The checks
/// are `ringfence_math::check_price`, shared with the keeper and the clients.
pub fn read_price(
    update: &PriceUpdateV2,
    market: &Market,
    now: i64,
    use_: PriceUse,
    position_price_time: i64,
) -> Result<OraclePrice> {
    require!(update.verification_level == VerificationLevel::Full, RingfenceError::OracleNotFullyVerified);
    let msg = &update.price_message;
    require!(msg.feed_id == market.feed_id, RingfenceError::OracleFeedMismatch);
    let p = &market.params;
    let (max_age_secs, max_conf_bps) = match use_ {
        PriceUse::Trade => (p.max_price_age_trade_secs, p.max_conf_bps),
        PriceUse::Liquidate => (p.max_price_age_liquidate_secs, p.max_conf_liquidate_bps),
    };
    let rules = PriceRules {
        max_age_secs: u32::from(max_age_secs),
        max_conf_bps: u64::from(max_conf_bps),
        not_before_market: market.last_price_time,
        not_before_position: position_price_time,
    };
    let raw =
        PriceMessage { mantissa: msg.price, conf: msg.conf, exponent: msg.exponent, publish_time: msg.publish_time };
    let c = check_price(&raw, &rules, now).map_err(|e| {
        error!(match e {
            PriceRejection::Stale => RingfenceError::OraclePriceStale,
            PriceRejection::InFuture => RingfenceError::OraclePriceInFuture,
            PriceRejection::OlderThanMarket => RingfenceError::OraclePriceOlderThanMarket,
            PriceRejection::OlderThanPosition => RingfenceError::OraclePriceOlderThanPosition,
            PriceRejection::NotPositive => RingfenceError::OraclePriceNotPositive,
            PriceRejection::ConfidenceTooWide => RingfenceError::OracleConfidenceTooWide,
            PriceRejection::Overflow => RingfenceError::MathOverflow,
        })
    })?;
    Ok(OraclePrice { price: c.price, conf: c.conf, publish_time: c.publish_time })
}
