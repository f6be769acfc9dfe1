use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::error::RingfenceError;
use crate::events::MarketChangeScheduled;
use crate::state::{field, Market, PendingChange};

/// Schedules a new pinned oracle account for the market's feed (same feed id: the feed is part of
/// the market's address). Always timelocked (a new account can fail or move every price-taking
/// instruction); applied by `apply_pending_change`. The pending change holds only the oracle.
///
/// # Accounts
/// - `admin`: signer, must be `market.admin`. `market`.
/// - `new_oracle`: a `PriceUpdateV2` account carrying the market's feed id.
///
/// # Errors
/// - `NotAdmin`, `OracleFeedMismatch`, `ChangeAlreadyPending`.
#[derive(Accounts)]
pub struct SetOracle<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ RingfenceError::NotAdmin)]
    pub market: AccountLoader<'info, Market>,
    #[account(constraint = new_oracle.price_message.feed_id == market.load()?.feed_id @ RingfenceError::OracleFeedMismatch)]
    pub new_oracle: Box<Account<'info, PriceUpdateV2>>,
}

pub fn handler(ctx: Context<SetOracle>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let key = ctx.accounts.market.key();
    let oracle = ctx.accounts.new_oracle.key();
    let mut m = ctx.accounts.market.load_mut()?;
    require!(!m.pending.is_pending(now)?, RingfenceError::ChangeAlreadyPending);
    let effective_at = m.timelocked_from(now)?;
    m.pending = PendingChange {
        params: bytemuck::Zeroable::zeroed(),
        oracle,
        effective_at,
        fields: field::ORACLE,
        _reserved: [0; 4],
    };
    emit!(MarketChangeScheduled {
        market: key,
        fields: field::ORACLE,
        params: m.params,
        oracle,
        effective_at,
        timestamp: now,
    });
    Ok(())
}
