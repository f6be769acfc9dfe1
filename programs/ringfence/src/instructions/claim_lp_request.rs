use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::cpi::token_transfer;
use crate::error::RingfenceError;
use crate::events::LpRequestClaimed;
use crate::state::{LpRequest, Market};
use crate::token_account::check_token_account;

/// The provider takes the result of its executed LP request out of escrow: a deposit's shares
/// (from the LP escrow) or a withdrawal's tokens (from the pool vault) — or, for a refunded
/// request, its own tokens or shares back — into any token account of its own; the request closes
/// (rent to the provider). Never paused.
///
/// # Accounts
/// - `provider`: signer, `request.provider`; receives the rent.
/// - `market`; `request`; `pool_vault`, `lp_escrow`: the market's.
/// - `destination`: an SPL Token account owned by `provider`, of the LP mint (shares) or the
///   collateral mint (tokens).
///
/// # Errors
/// - `RequestNotExecuted`; `OwnerMismatch`, `MarketMismatch`, `PoolVaultMismatch`,
///   `LpEscrowMismatch`, `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`.
#[derive(Accounts)]
pub struct ClaimLpRequest<'info> {
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
    /// CHECK: checked in the handler: a token account of the right mint owned by `provider`.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<ClaimLpRequest>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let req: LpRequest = *a.request.load()?;
    require!(req.executed == 1, RingfenceError::RequestNotExecuted);
    let kind = req.kind()?;
    let bump = [m.bump];
    let seeds = m.signer_seeds(&bump);
    let market_info = a.market.to_account_info();
    if req.claims_shares()? {
        check_token_account(&a.destination, &m.lp_mint, Some(a.provider.key))?;
        token_transfer(&a.lp_escrow, &a.destination, &market_info, req.claimable, &[&seeds])?;
    } else {
        check_token_account(&a.destination, &m.collateral_mint, Some(a.provider.key))?;
        token_transfer(&a.pool_vault, &a.destination, &market_info, req.claimable, &[&seeds])?;
        m.pending_payouts = m.pending_payouts.checked_sub(req.claimable).ok_or(RingfenceError::MathOverflow)?;
    }
    *a.market.load_mut()? = m;
    emit!(LpRequestClaimed {
        market: a.market.key(),
        provider: req.provider,
        request: a.request.key(),
        kind,
        amount: req.claimable,
        destination: a.destination.key(),
        timestamp: now,
    });
    Ok(())
}
