use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::error::RingfenceError;
use crate::events::MarketChangeScheduled;
use crate::state::Market;

/// Schedules a new pinned oracle account for the market's feed (same feed id: the feed is part of
/// the market's address). Always timelocked; applied by `apply_pending_change`. Replaces a pending
/// change (keeping the current parameters).
///
/// # Accounts
/// - `admin`: signer, must be `market.admin`. `market`.
/// - `new_oracle`: a `PriceUpdateV2` account carrying the market's feed id.
///
/// # Errors
/// - `NotAdmin`, `OracleFeedMismatch`.
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
    let delay = i64::try_from(m.params.timelock_secs).map_err(|_| error!(RingfenceError::MathOverflow))?;
    let effective_at = now.checked_add(delay).ok_or(RingfenceError::MathOverflow)?;
    m.pending.params = m.params;
    m.pending.oracle = oracle;
    m.pending.effective_at = effective_at;
    m.pending.active = 1;
    emit!(MarketChangeScheduled { market: key, params: m.params, oracle, effective_at });
    Ok(())
}
