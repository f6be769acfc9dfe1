use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::{MarketChangeScheduled, MarketParamsUpdated, PoolSnapshot};
use crate::state::{Market, PendingChange, RiskParams};

/// Sets the market's parameters (each within its on-chain bounds), field by field:
/// - a field whose change can make an exit (close, decrease, remove margin, LP withdrawal), a
///   margin top-up or a liquidation fail or cost more (`state::RISK_FIELDS`: e.g. any change of a
///   confidence bound or the liquidation price age, a higher maintenance margin, a shorter trade
///   price age) waits for the timelock: those fields, and only those, become the pending change,
///   applied by `apply_pending_change` at `now + timelock`;
/// - every other changed field applies at once.
///
/// One change can be pending at a time (a lapsed one, not applied within
/// `bounds::APPLY_WINDOW_SECS` of its effective time, can be replaced); the parameters in force in
/// between are validated as they are, and the pending fields are validated again on top of them
/// when applied. No parameter change ends a live pool sweep (it values with the parameters of its
/// start).
///
/// # Accounts
/// - `admin`: signer, must be `market.admin`. `market`.
///
/// # Errors
/// - `NotAdmin`; `NoParamsChange`: `params` equal the current ones; `ChangeAlreadyPending`: a
///   field waits for the timelock and a change is already pending; any parameter-bound error of
///   `initialize_market` (for `params`, and for the current parameters with the instant fields).
#[derive(Accounts)]
pub struct SetParams<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ RingfenceError::NotAdmin)]
    pub market: AccountLoader<'info, Market>,
}

pub fn handler(ctx: Context<SetParams>, params: RiskParams) -> Result<()> {
    params.validate()?;
    let now = Clock::get()?.unix_timestamp;
    let key = ctx.accounts.market.key();
    let mut m = ctx.accounts.market.load_mut()?;
    let changed = m.params.changed_fields(&params);
    require!(changed != 0, RingfenceError::NoParamsChange);
    let delayed = m.params.hurting_fields(&params);
    let instant = changed & !delayed;
    require!(delayed == 0 || !m.pending.is_pending(now)?, RingfenceError::ChangeAlreadyPending);

    if instant != 0 {
        let next = m.params.with_fields(&params, instant);
        next.validate()?;
        // The borrow rate may change: accrue at the old rate up to now first.
        m.accrue(now)?;
        m.params = next;
        // A live sweep is not ended: it values positions with the parameters of its start.
        m.refresh_rate()?;
        emit!(MarketParamsUpdated {
            market: key,
            fields: instant,
            params: next,
            oracle: m.oracle,
            from_timelock: false,
            pool: PoolSnapshot::of(&m),
            timestamp: now,
        });
    }
    if delayed != 0 {
        let effective_at = m.timelocked_from(now)?;
        m.pending = PendingChange {
            params: bytemuck::Zeroable::zeroed(),
            oracle: Pubkey::default(),
            effective_at,
            fields: delayed,
            _reserved: [0; 4],
        };
        m.pending.params = m.pending.params.with_fields(&params, delayed);
        emit!(MarketChangeScheduled {
            market: key,
            fields: delayed,
            params: m.params.with_fields(&params, delayed),
            oracle: m.oracle,
            effective_at,
            timestamp: now,
        });
    }
    Ok(())
}
