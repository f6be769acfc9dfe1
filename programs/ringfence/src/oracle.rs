//! Reading the market's pinned Pyth `PriceUpdateV2` account.
//!
//! The account itself is checked by Anchor (`Account<PriceUpdateV2>`: owner is the Pyth receiver
//! program, discriminator) and by the instruction's `address = market.oracle` constraint. This
//! module checks the content: full Wormhole verification, the market's feed id, age, sign and
//! confidence, and normalizes the price with checked math.
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};
use ringfence_math::{confidence_ok, normalize_conf, normalize_price};

use crate::error::{MathResultExt, RingfenceError};
use crate::state::RiskParams;

/// A validated oracle price, normalized to `ringfence_math::PRICE_DECIMALS`.
#[derive(Clone, Copy, Debug)]
pub struct OraclePrice {
    pub price: u64,
    pub conf: u64,
    pub publish_time: i64,
}

/// Validates `update` for a market's `feed_id` and `params` at cluster time `now`; returns its price.
pub fn read_price(update: &PriceUpdateV2, feed_id: &[u8; 32], params: &RiskParams, now: i64) -> Result<OraclePrice> {
    require!(update.verification_level == VerificationLevel::Full, RingfenceError::OracleNotFullyVerified);
    let msg = &update.price_message;
    require!(msg.feed_id == *feed_id, RingfenceError::OracleFeedMismatch);
    let oldest = now.checked_sub(i64::from(params.max_price_age_secs)).ok_or(RingfenceError::MathOverflow)?;
    require!(msg.publish_time >= oldest, RingfenceError::OraclePriceStale);
    require!(msg.price > 0, RingfenceError::OraclePriceNotPositive);
    let price = normalize_price(msg.price, msg.exponent).or_err()?;
    let conf = normalize_conf(msg.conf, msg.exponent).or_err()?;
    require!(confidence_ok(price, conf, u64::from(params.max_conf_bps)), RingfenceError::OracleConfidenceTooWide);
    Ok(OraclePrice { price, conf, publish_time: msg.publish_time })
}
