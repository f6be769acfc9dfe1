use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::cpi::{create_pda_account, token_initialize_account, token_initialize_mint};
use crate::error::RingfenceError;
use crate::events::MarketInitialized;
use crate::state::{
    Market, PendingChange, PoolSweep, RiskParams, SideAggregate, LP_ESCROW_SEED, LP_MINT_SEED, MARKET_SEED,
    MARKET_SPACE, POOL_VAULT_SEED,
};

/// SPL Token mint size.
const MINT_LEN: usize = 82;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct InitializeMarketArgs {
    /// Pyth feed id of the base asset.
    pub feed_id: [u8; 32],
    pub params: RiskParams,
}

/// Creates a market for one base asset, its pool vault (the traders' counterparty) and its LP
/// share mint.
///
/// # Accounts
/// - `admin`: signer, pays rent; becomes the market's creator and admin.
/// - `market`: PDA `["market", admin, collateral_mint, feed_id]`, created.
/// - `collateral_mint`: SPL Token mint of the collateral.
/// - `oracle`: the `PriceUpdateV2` account the market pins (owner: Pyth receiver); must carry `feed_id`.
/// - `pool_vault`: PDA `["pool_vault", market]`, created as a token account owned by `market`.
/// - `lp_mint`: PDA `["lp_mint", market]`, created as a mint (collateral's decimals) of `market`.
/// - `lp_escrow`: PDA `["lp_escrow", market]`, created as an LP token account of `market` (holds
///   the shares of pending withdrawal requests).
///
/// # Errors
/// - Any parameter out of its on-chain bounds: `InitialMarginOutOfRange`,
///   `MaintenanceMarginOutOfRange`, `LiquidationFeeOutOfRange`, `MaxConfidenceOutOfRange`,
///   `MaxPriceAgeOutOfRange`, `TradeFeeOutOfRange`, `MaxProfitOutOfRange`,
///   `BorrowRateOutOfRange`, `TimelockOutOfRange`.
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
    /// CHECK: created by the handler at this PDA as an SPL Token mint whose authority is `market`.
    #[account(mut, seeds = [LP_MINT_SEED, market.key().as_ref()], bump)]
    pub lp_mint: UncheckedAccount<'info>,
    /// CHECK: created by the handler at this PDA as an LP token account whose authority is `market`.
    #[account(mut, seeds = [LP_ESCROW_SEED, market.key().as_ref()], bump)]
    pub lp_escrow: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializeMarket>, args: InitializeMarketArgs) -> Result<()> {
    args.params.validate()?;
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let market_key = a.market.key();
    let lp_seeds: [&[u8]; 3] = [LP_MINT_SEED, market_key.as_ref(), &[ctx.bumps.lp_mint]];
    let admin = a.admin.to_account_info();
    create_pda_account(
        &admin,
        &a.lp_mint,
        &a.system_program.to_account_info(),
        MINT_LEN,
        &anchor_spl::token::ID,
        &lp_seeds,
    )?;
    token_initialize_mint(&a.lp_mint, a.collateral_mint.decimals, &market_key)?;
    let escrow_seeds: [&[u8]; 3] = [LP_ESCROW_SEED, market_key.as_ref(), &[ctx.bumps.lp_escrow]];
    create_pda_account(
        &admin,
        &a.lp_escrow,
        &a.system_program.to_account_info(),
        crate::opening::TOKEN_ACCOUNT_LEN,
        &anchor_spl::token::ID,
        &escrow_seeds,
    )?;
    token_initialize_account(&a.lp_escrow, &a.lp_mint, &market_key)?;
    let mut market = Market {
        creator: a.admin.key(),
        admin: a.admin.key(),
        pending_admin: Pubkey::default(),
        collateral_mint: a.collateral_mint.key(),
        feed_id: args.feed_id,
        oracle: a.oracle.key(),
        pool_vault: a.pool_vault.key(),
        lp_mint: a.lp_mint.key(),
        free_liquidity: 0,
        total_reserved: 0,
        lp_supply: 0,
        long: SideAggregate::default(),
        short: SideAggregate::default(),
        positions_open: 0,
        borrow_index: 0,
        borrow_rate: 0,
        last_accrual_time: now,
        last_price_time: 0,
        params: args.params,
        pending: PendingChange::none(),
        lp_escrow: a.lp_escrow.key(),
        dead_shares: 0,
        pending_deposits: 0,
        pending_payouts: 0,
        pending_requests: 0,
        request_seq: 0,
        newest_request_price_time: 0,
        sweep: PoolSweep::default(),
        paused: 0,
        bump: ctx.bumps.market,
        pool_vault_bump: ctx.bumps.pool_vault,
        lp_mint_bump: ctx.bumps.lp_mint,
        lp_escrow_bump: ctx.bumps.lp_escrow,
        _reserved: [0; 3],
    };
    market.refresh_rate()?;
    *a.market.load_init()? = market;
    emit!(MarketInitialized {
        market: a.market.key(),
        creator: market.creator,
        admin: market.admin,
        collateral_mint: market.collateral_mint,
        feed_id: market.feed_id,
        oracle: market.oracle,
        pool_vault: market.pool_vault,
        lp_mint: market.lp_mint,
        params: market.params,
        timestamp: now,
    });
    Ok(())
}
