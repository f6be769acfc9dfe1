//! Reading the market's pinned Pyth `PriceUpdateV2` account.
//!
//! The account itself is checked by Anchor (`Account<PriceUpdateV2>`: owner is the Pyth receiver
//! program, discriminator) and by each instruction's `address = market.oracle` constraint. This
//! module checks the content: full Wormhole verification, the market's feed id, age (a short limit
//! for trader and LP actions, a longer one for liquidations), sign and confidence, and that the
//! price is not older than the one last used on the market (trader actions) or on the position.
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};
use ringfence_math::{confidence_ok, normalize_conf, normalize_price};

use crate::error::{MathResultExt, RingfenceError};
use crate::state::{Market, Side};

/// Largest accepted lead of an oracle publish time over the cluster clock: Pyth's and the
/// cluster's clocks differ by a second or two; a price further in the future is refused, so it
/// cannot pass for one published after an LP request or outlive its age limit.
pub const MAX_CLOCK_SKEW_SECS: i64 = 10;

/// What a price is used for: it decides the age limit and the market-recency check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceUse {
    /// Trader and LP actions: `max_price_age_trade_secs`, not older than the market's last price.
    Trade,
    /// Liquidations: `max_price_age_liquidate_secs`.
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
        let up = matches!((side, opening), (Side::Long, true) | (Side::Short, false));
        let p = if up { self.price.checked_add(self.conf) } else { self.price.checked_sub(self.conf) };
        // conf <= 10% of price (bounded by max_conf_bps), so the low side stays positive.
        p.filter(|p| *p > 0).ok_or_else(|| error!(RingfenceError::OraclePriceNotPositive))
    }

    /// Rejects a price older than the newest one already used on a position.
    pub fn require_not_older_than_position(&self, last_used: i64) -> Result<()> {
        require!(self.publish_time >= last_used, RingfenceError::OraclePriceOlderThanPosition);
        Ok(())
    }
}

/// Validates `update` for `market` at cluster time `now` for `use_`; returns its price.
pub fn read_price(update: &PriceUpdateV2, market: &Market, now: i64, use_: PriceUse) -> Result<OraclePrice> {
    require!(update.verification_level == VerificationLevel::Full, RingfenceError::OracleNotFullyVerified);
    let msg = &update.price_message;
    require!(msg.feed_id == market.feed_id, RingfenceError::OracleFeedMismatch);
    let max_age = match use_ {
        PriceUse::Trade => u32::from(market.params.max_price_age_trade_secs),
        PriceUse::Liquidate => market.params.max_price_age_liquidate_secs,
    };
    let oldest = now.checked_sub(i64::from(max_age)).ok_or(RingfenceError::MathOverflow)?;
    require!(msg.publish_time >= oldest, RingfenceError::OraclePriceStale);
    let newest = now.checked_add(MAX_CLOCK_SKEW_SECS).ok_or(RingfenceError::MathOverflow)?;
    require!(msg.publish_time <= newest, RingfenceError::OraclePriceInFuture);
    if use_ == PriceUse::Trade {
        require!(msg.publish_time >= market.last_price_time, RingfenceError::OraclePriceOlderThanMarket);
    }
    require!(msg.price > 0, RingfenceError::OraclePriceNotPositive);
    let price = normalize_price(msg.price, msg.exponent).or_err()?;
    let conf = normalize_conf(msg.conf, msg.exponent).or_err()?;
    require!(
        confidence_ok(price, conf, u64::from(market.params.max_conf_bps)),
        RingfenceError::OracleConfidenceTooWide
    );
    Ok(OraclePrice { price, conf, publish_time: msg.publish_time })
}
