use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::error::RingfenceError;
use crate::events::MarketInitialized;
use crate::state::{Market, RiskParams, MARKET_SEED, MARKET_SPACE, POOL_VAULT_SEED};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct InitializeMarketArgs {
    /// Pyth feed id of the base asset.
    pub feed_id: [u8; 32],
    pub params: RiskParams,
}

/// Creates a market for one base asset and its pool vault (the traders' counterparty).
///
/// # Accounts
/// - `admin`: signer, pays rent; becomes the market's creator and admin.
/// - `market`: PDA `["market", admin, collateral_mint, feed_id]`, created.
/// - `collateral_mint`: SPL Token mint of the collateral.
/// - `oracle`: the `PriceUpdateV2` account the market pins (owner: Pyth receiver); must carry `feed_id`.
/// - `pool_vault`: PDA `["pool_vault", market]`, created as a token account owned by `market`.
///
/// # Errors
/// - Any parameter out of its on-chain bounds: `InitialMarginOutOfRange`,
///   `MaintenanceMarginOutOfRange`, `LiquidationFeeOutOfRange`, `MaxConfidenceOutOfRange`,
///   `MaxPriceAgeOutOfRange`.
/// - `OracleFeedMismatch`: the pinned account is for another feed.
#[derive(Accounts)]
#[instruction(args: InitializeMarketArgs)]
pub struct InitializeMarket<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(
        init,
        payer = admin,
        space = MARKET_SPACE,
        seeds = [MARKET_SEED, admin.key().as_ref(), collateral_mint.key().as_ref(), args.feed_id.as_ref()],
        bump,
    )]
    pub market: AccountLoader<'info, Market>,
    pub collateral_mint: Box<Account<'info, Mint>>,
    #[account(
        constraint = oracle.price_message.feed_id == args.feed_id @ RingfenceError::OracleFeedMismatch,
    )]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(
        init,
        payer = admin,
        seeds = [POOL_VAULT_SEED, market.key().as_ref()],
        bump,
        token::mint = collateral_mint,
        token::authority = market,
    )]
    pub pool_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializeMarket>, args: InitializeMarketArgs) -> Result<()> {
    args.params.validate()?;
    let accounts = ctx.accounts;
    let market = Market {
        creator: accounts.admin.key(),
        admin: accounts.admin.key(),
        collateral_mint: accounts.collateral_mint.key(),
        feed_id: args.feed_id,
        oracle: accounts.oracle.key(),
        pool_vault: accounts.pool_vault.key(),
        open_interest_long: 0,
        open_interest_short: 0,
        positions_open: 0,
        params: args.params,
        bump: ctx.bumps.market,
        pool_vault_bump: ctx.bumps.pool_vault,
        _reserved: [0; 2],
    };
    *accounts.market.load_init()? = market;
    emit!(MarketInitialized {
        market: accounts.market.key(),
        creator: market.creator,
        admin: market.admin,
        collateral_mint: market.collateral_mint,
        feed_id: market.feed_id,
        oracle: market.oracle,
        pool_vault: market.pool_vault,
        params: market.params,
    });
    Ok(())
}
