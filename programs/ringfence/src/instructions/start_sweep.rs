use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::error::RingfenceError;
use crate::events::{PoolSnapshot, SweepStarted};
use crate::oracle::{read_price, PriceUse};
use crate::state::{Market, PoolSweep};

/// Starts a pool sweep (see `crate::sweep`): fixes the oracle mid price and the borrow index at
/// which every open position will be valued. Anyone may call it (the keeper does, for pending LP
/// requests). A new sweep may only replace one that is stale, or complete with every LP request
/// due at it executed or cancelled: nobody can keep a sweep from completing by restarting it, nor
/// skip a request's first sweep to pick a later price. It lives for the liquidation price age.
///
/// # Accounts
/// - `caller`: signer (anyone).
/// - `market`; `oracle`: must be `market.oracle` (trade age, not older than the market's last price).
///
/// # Errors
/// - `SweepInProgress`: the current sweep is live and not complete.
/// - `SweepRequestsDue`: it is complete but LP requests due at it are still pending.
/// - `SweepPriceNotNewer`: LP requests are pending and the price is not newer than the newest one
///   they knew of (so a sweep always serves every request pending at its start).
/// - Oracle errors (`OracleAccountMismatch`, `OraclePriceStale`, `OraclePriceOlderThanMarket`, ...).
#[derive(Accounts)]
pub struct StartSweep<'info> {
    pub caller: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
}

pub fn handler(ctx: Context<StartSweep>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    require!(!m.sweep_live(now) || m.sweep_complete(now), RingfenceError::SweepInProgress);
    require!(!m.sweep_live(now) || m.sweep.requests_due == 0, RingfenceError::SweepRequestsDue);
    m.accrue(now)?;
    let px = read_price(&a.oracle, &m, now, PriceUse::Trade, 0)?;
    require!(
        m.pending_requests == 0 || px.publish_time > m.newest_request_price_time,
        RingfenceError::SweepPriceNotNewer
    );
    let epoch = m.sweep.epoch.checked_add(1).ok_or(RingfenceError::MathOverflow)?;
    let expires_at = px
        .publish_time
        .checked_add(i64::from(m.params.max_price_age_liquidate_secs))
        .ok_or(RingfenceError::MathOverflow)?;
    m.sweep = PoolSweep {
        epoch,
        price: px.price,
        publish_time: px.publish_time,
        borrow_index: m.borrow_index,
        started_at: now,
        seq_at_start: m.request_seq,
        expires_at,
        counted: 0,
        value: 0,
        requests_due: m.pending_requests,
        adjust: [0; 2],
        maintenance_margin_bps: m.params.maintenance_margin_bps,
        liquidation_fee_bps: m.params.liquidation_fee_bps,
        close_fee_bps: m.params.close_fee_bps,
        _reserved: 0,
    };
    m.note_price_time(px.publish_time);
    *a.market.load_mut()? = m;
    emit!(SweepStarted {
        market: a.market.key(),
        caller: a.caller.key(),
        epoch,
        price: px.price,
        price_publish_time: px.publish_time,
        borrow_index: m.borrow_index,
        expires_at,
        positions_open: m.positions_open,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
