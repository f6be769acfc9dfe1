use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::cpi::token_transfer;
use crate::error::RingfenceError;
use crate::state::{LpRequest, LpRequestKind, Market, RequestParties, LP_REQUEST_SEED, LP_REQUEST_SPACE};
use crate::token_account::check_token_account;

/// Requests an LP withdrawal: `shares` move into the market's LP escrow and wait there until the
/// request is executed against a pool sweep started after it (`execute_lp_request`), which pays
/// their exact value net of the LP fee from free liquidity. Never paused.
///
/// # Accounts
/// - `provider`: signer, owner of `provider_lp`, pays the request's rent.
/// - `market`; `oracle`: `market.oracle`; `lp_escrow`: `market.lp_escrow`.
/// - `provider_lp`: SPL Token account of the LP mint owned by `provider` (source; a cancelled
///   request is refunded here).
/// - `provider_token`: SPL Token account of the collateral mint (recorded; the tokens are claimed
///   with `claim_lp_request` into an account the provider owns).
/// - `request`: PDA `["lp_request", market, provider]`, created.
///
/// # Errors
/// - `ZeroAmount`; `LpEscrowMismatch`, `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`;
///   SPL Token's insufficient funds for more shares than held; "already in use" when pending.
#[derive(Accounts)]
pub struct RequestWithdrawal<'info> {
    #[account(mut)]
    pub provider: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    /// The market's pinned price account: the executing sweep's price must be newer than its.
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    /// CHECK: address is `market.lp_escrow`, created by this program as an LP token account.
    #[account(mut, address = market.load()?.lp_escrow @ RingfenceError::LpEscrowMismatch)]
    pub lp_escrow: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the LP mint owned by `provider`.
    #[account(mut)]
    pub provider_lp: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint.
    pub provider_token: UncheckedAccount<'info>,
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

pub fn handler(ctx: Context<RequestWithdrawal>, shares: u64) -> Result<()> {
    require!(shares > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    check_token_account(&a.provider_lp, &m.lp_mint, Some(a.provider.key))?;
    check_token_account(&a.provider_token, &m.collateral_mint, None)?;
    token_transfer(&a.provider_lp, &a.lp_escrow, &a.provider, shares, &[])?;
    let parties = RequestParties {
        market: a.market.key(),
        provider: a.provider.key(),
        token_account: a.provider_token.key(),
        lp_account: a.provider_lp.key(),
    };
    let published = a.oracle.price_message.publish_time;
    let kind = LpRequestKind::Withdrawal;
    let bump = ctx.bumps.request;
    LpRequest::file(&a.market, &mut m, &a.request, parties, kind, shares, published, now, bump)?;
    Ok(())
}
