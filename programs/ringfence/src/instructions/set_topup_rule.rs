use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::TopUpRuleSet;
use crate::state::Position;

/// Largest top-up ratio: 10x the maintenance requirement.
pub const MAX_TOPUP_RATIO_BPS: u16 = 50_000;

/// Sets (or, all zero, clears) a position's automatic top-up rule: while equity — judged as the
/// liquidation rule judges it — is below `ratio_bps` / 10,000 of the maintenance requirement, any
/// keeper may call `top_up`, which moves `min(step, standby)` of standby margin into collateral
/// and pays the keeper `min(fee, standby left)`. Moves no tokens. Never paused.
///
/// # Accounts
/// - `owner`: signer, must be `position.owner`.
/// - `position`: an open position.
///
/// # Errors
/// - `InvalidTopUpRule`: a rule whose ratio is below 10,000 (a top-up would only be due once the
///   position is liquidatable) or above `MAX_TOPUP_RATIO_BPS`, or whose step is zero; or a
///   cleared rule with a fee.
/// - `OwnerMismatch`, `PositionNotOpen`.
#[derive(Accounts)]
pub struct SetTopUpRule<'info> {
    pub owner: Signer<'info>,
    #[account(
        mut,
        has_one = owner @ RingfenceError::OwnerMismatch,
        constraint = position.load()?.is_open() @ RingfenceError::PositionNotOpen,
    )]
    pub position: AccountLoader<'info, Position>,
}

pub fn handler(ctx: Context<SetTopUpRule>, ratio_bps: u16, step: u64, fee: u64) -> Result<()> {
    let cleared = ratio_bps == 0 && step == 0 && fee == 0;
    let valid = (10_000..=MAX_TOPUP_RATIO_BPS).contains(&ratio_bps) && step > 0;
    require!(cleared || valid, RingfenceError::InvalidTopUpRule);
    let now = Clock::get()?.unix_timestamp;
    let mut pos = ctx.accounts.position.load_mut()?;
    pos.topup_ratio_bps = ratio_bps;
    pos.topup_step = step;
    pos.topup_fee = fee;
    emit!(TopUpRuleSet {
        market: pos.market,
        position: ctx.accounts.position.key(),
        owner: pos.owner,
        ratio_bps,
        step,
        fee,
        timestamp: now,
    });
    Ok(())
}
