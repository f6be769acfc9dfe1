use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::cpi::token_transfer;
use crate::error::RingfenceError;
use crate::state::{pause, LpRequest, LpRequestKind, Market, RequestParties, LP_REQUEST_SEED, LP_REQUEST_SPACE};
use crate::token_account::check_token_account;

/// Requests an LP deposit: `amount` collateral tokens move into the pool vault, where they wait,
/// outside the pool's value, until the request is executed (`execute_lp_request`) against a pool
/// sweep started after it at a price published after it. So a depositor cannot buy shares at a
/// stale price it knows to be wrong, nor wrap a trade in a deposit and a withdrawal in one go.
///
/// # Accounts
/// - `provider`: signer, pays the request's rent, funds the deposit.
/// - `market`; `oracle`: `market.oracle`; `pool_vault`: `market.pool_vault`.
/// - `provider_token`: SPL Token account of the collateral mint owned by `provider` (source; a
///   cancelled request is refunded here).
/// - `provider_lp`: SPL Token account of the LP mint (recorded; the shares are claimed with
///   `claim_lp_request` into an account the provider owns).
/// - `request`: PDA `["lp_request", market, provider]`, created (one pending request per LP).
///
/// # Errors
/// - `MarketPaused`, `ZeroAmount`; `PoolVaultMismatch`, `MintMismatch`, `TokenOwnerMismatch`,
///   `NotTokenAccount`; the system program's "already in use" when a request is pending.
#[derive(Accounts)]
pub struct RequestDeposit<'info> {
    #[account(mut)]
    pub provider: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    /// The market's pinned price account: the executing sweep's price must be newer than its.
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint owned by `provider`.
    #[account(mut)]
    pub provider_token: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the LP mint.
    pub provider_lp: UncheckedAccount<'info>,
    #[account(
        init,
        payer = provider,
        space = LP_REQUEST_SPACE,
        seeds = [LP_REQUEST_SEED, market.key().as_ref(), provider.key().as_ref()],
        bump,
    )]
    pub request: AccountLoader<'info, LpRequest>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<RequestDeposit>, amount: u64) -> Result<()> {
    require!(amount > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    m.require_not_paused(pause::DEPOSIT)?;
    check_token_account(&a.provider_token, &m.collateral_mint, Some(a.provider.key))?;
    check_token_account(&a.provider_lp, &m.lp_mint, None)?;
    token_transfer(&a.provider_token, &a.pool_vault, &a.provider, amount, &[])?;
    m.pending_deposits = m.pending_deposits.checked_add(amount).ok_or(RingfenceError::MathOverflow)?;
    let parties = RequestParties {
        market: a.market.key(),
        provider: a.provider.key(),
        token_account: a.provider_token.key(),
        lp_account: a.provider_lp.key(),
    };
    let published = a.oracle.price_message.publish_time;
    let kind = LpRequestKind::Deposit;
    let bump = ctx.bumps.request;
    LpRequest::file(&a.market, &mut m, &a.request, parties, kind, amount, published, now, bump)?;
    Ok(())
}
