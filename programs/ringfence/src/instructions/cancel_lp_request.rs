use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::cpi::{token_burn, token_transfer};
use crate::error::{MathResultExt, RingfenceError};
use crate::events::LpRequestCancelled;
use crate::state::{LpRequest, LpRequestKind, Market};

/// How long a request must wait unexecuted before its provider may cancel it. Long enough that a
/// keeper has executed it if it could be, so cancelling is not a free option on the next price.
pub const LP_REQUEST_CANCEL_AFTER_SECS: i64 = 600;

/// Cancels a pending LP request that has not been executed for `LP_REQUEST_CANCEL_AFTER_SECS`:
/// the escrowed tokens (deposit) or shares (withdrawal) go back, less the LP fee (kept by the
/// pool: tokens join the free liquidity, shares are burned), so waiting out a request is never a
/// free option against the price.
///
/// # Accounts
/// - `provider`: signer, `request.provider`; receives the rent.
/// - `market`; `request`; `pool_vault`, `lp_escrow`: the market's.
/// - `token_account`: `request.token_account`; `lp_account`: `request.lp_account`.
///
/// # Errors
/// - `RequestTooRecent`: fewer than `LP_REQUEST_CANCEL_AFTER_SECS` since the request.
/// - `RequestAlreadyExecuted`: claim it instead.
/// - `OwnerMismatch`, `MarketMismatch`, `RequestAccountMismatch`, `PoolVaultMismatch`,
///   `LpEscrowMismatch`, `LpMintMismatch`.
#[derive(Accounts)]
pub struct CancelLpRequest<'info> {
    #[account(mut)]
    pub provider: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(
        mut,
        close = provider,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = provider @ RingfenceError::OwnerMismatch,
    )]
    pub request: AccountLoader<'info, LpRequest>,
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    /// CHECK: address is `market.lp_escrow`, created by this program as an LP token account.
    #[account(mut, address = market.load()?.lp_escrow @ RingfenceError::LpEscrowMismatch)]
    pub lp_escrow: UncheckedAccount<'info>,
    /// CHECK: address is `market.lp_mint` (a cancelled withdrawal's fee shares are burned).
    #[account(mut, address = market.load()?.lp_mint @ RingfenceError::LpMintMismatch)]
    pub lp_mint: UncheckedAccount<'info>,
    /// CHECK: must be `request.token_account`.
    #[account(mut, address = request.load()?.token_account @ RingfenceError::RequestAccountMismatch)]
    pub token_account: UncheckedAccount<'info>,
    /// CHECK: must be `request.lp_account`.
    #[account(mut, address = request.load()?.lp_account @ RingfenceError::RequestAccountMismatch)]
    pub lp_account: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<CancelLpRequest>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let req: LpRequest = *a.request.load()?;
    require!(req.executed == 0, RingfenceError::RequestAlreadyExecuted);
    let earliest = req.requested_at.checked_add(LP_REQUEST_CANCEL_AFTER_SECS).ok_or(RingfenceError::MathOverflow)?;
    require!(now >= earliest, RingfenceError::RequestTooRecent);
    let bump = [m.bump];
    let seeds = m.signer_seeds(&bump);
    let market_info = a.market.to_account_info();
    let kind = req.kind()?;
    let fee = ringfence_math::bps_ceil(req.amount, u64::from(m.params.lp_fee_bps)).or_err()?;
    let back = req.amount.checked_sub(fee).ok_or(RingfenceError::MathOverflow)?;
    match kind {
        LpRequestKind::Deposit => {
            token_transfer(&a.pool_vault, &a.token_account, &market_info, back, &[&seeds])?;
            m.pending_deposits = m.pending_deposits.checked_sub(req.amount).ok_or(RingfenceError::MathOverflow)?;
            m.free_liquidity = m.free_liquidity.checked_add(fee).ok_or(RingfenceError::MathOverflow)?;
        }
        LpRequestKind::Withdrawal => {
            token_transfer(&a.lp_escrow, &a.lp_account, &market_info, back, &[&seeds])?;
            token_burn(&a.lp_escrow, &a.lp_mint, &market_info, fee, &[&seeds])?;
            m.lp_supply = m.lp_supply.checked_sub(fee).ok_or(RingfenceError::MathOverflow)?;
        }
    }
    m.pending_requests = m.pending_requests.checked_sub(1).ok_or(RingfenceError::MathOverflow)?;
    if req.seq <= m.sweep.seq_at_start {
        m.sweep.requests_due = m.sweep.requests_due.saturating_sub(1);
    }
    m.refresh_rate()?;
    *a.market.load_mut()? = m;
    emit!(LpRequestCancelled {
        market: a.market.key(),
        provider: req.provider,
        request: a.request.key(),
        kind,
        amount: back,
        lp_fee: fee,
        timestamp: now,
    });
    Ok(())
}
