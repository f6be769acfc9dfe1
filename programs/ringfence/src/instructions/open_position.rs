use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, Transfer};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{liquidation_price, meets_initial_margin};

use crate::error::{MathResultExt, RingfenceError};
use crate::events::PositionOpened;
use crate::oracle::read_price;
use crate::state::{Market, Position, Side, POSITION_SEED, POSITION_SPACE, VAULT_SEED};

/// Opens an isolated position: creates the position and its own token vault, and moves the
/// collateral from the trader into that vault. Entry price is the oracle price.
///
/// # Accounts
/// - `owner`: signer, pays rent, funds the collateral.
/// - `market`: the market (open interest is updated).
/// - `oracle`: must be `market.oracle`.
/// - `collateral_mint`: must be `market.collateral_mint`.
/// - `owner_token`: the owner's token account of the collateral mint (source).
/// - `position`: PDA `["position", market, owner, id (u64 LE)]`, created.
/// - `vault`: PDA `["vault", position]`, created; token authority is `position`.
///
/// # Errors
/// - `ZeroAmount`: zero collateral or size.
/// - `LeverageTooHigh`: collateral below the initial margin of `size`.
/// - Oracle: `OracleAccountMismatch`, `OracleFeedMismatch`, `OracleNotFullyVerified`,
///   `OraclePriceStale`, `OraclePriceNotPositive`, `OracleConfidenceTooWide`.
/// - `MintMismatch`, `TokenOwnerMismatch`: wrong source token account.
#[derive(Accounts)]
#[instruction(id: u64)]
pub struct OpenPosition<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut)]
    pub market: Box<Account<'info, Market>>,
    #[account(address = market.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(address = market.collateral_mint @ RingfenceError::MintMismatch)]
    pub collateral_mint: Box<Account<'info, Mint>>,
    #[account(
        mut,
        constraint = owner_token.mint == market.collateral_mint @ RingfenceError::MintMismatch,
        constraint = owner_token.owner == owner.key() @ RingfenceError::TokenOwnerMismatch,
    )]
    pub owner_token: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = owner,
        space = POSITION_SPACE,
        seeds = [POSITION_SEED, market.key().as_ref(), owner.key().as_ref(), &id.to_le_bytes()],
        bump,
    )]
    pub position: Box<Account<'info, Position>>,
    #[account(
        init,
        payer = owner,
        seeds = [VAULT_SEED, position.key().as_ref()],
        bump,
        token::mint = collateral_mint,
        token::authority = position,
    )]
    pub vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<OpenPosition>, id: u64, side: Side, collateral: u64, size: u64) -> Result<()> {
    require!(collateral > 0 && size > 0, RingfenceError::ZeroAmount);
    let accounts = ctx.accounts;
    let params = accounts.market.params;
    require!(
        meets_initial_margin(size, collateral, u64::from(params.initial_margin_bps)).or_err()?,
        RingfenceError::LeverageTooHigh
    );
    let now = Clock::get()?.unix_timestamp;
    let px = read_price(&accounts.oracle, &accounts.market, now)?;

    token::transfer(
        CpiContext::new(
            accounts.token_program.key(),
            Transfer {
                from: accounts.owner_token.to_account_info(),
                to: accounts.vault.to_account_info(),
                authority: accounts.owner.to_account_info(),
            },
        ),
        collateral,
    )?;

    let market_key = accounts.market.key();
    let position_key = accounts.position.key();
    let vault_key = accounts.vault.key();
    accounts.position.set_inner(Position {
        market: market_key,
        owner: accounts.owner.key(),
        vault: vault_key,
        id,
        side,
        size,
        entry_price: px.price,
        collateral,
        opened_at: now,
        last_price_time: px.publish_time,
        bump: ctx.bumps.position,
        vault_bump: ctx.bumps.vault,
    });

    let market = &mut accounts.market;
    match side {
        Side::Long => {
            market.open_interest_long = market.open_interest_long.checked_add(size).ok_or(RingfenceError::MathOverflow)?
        }
        Side::Short => {
            market.open_interest_short = market.open_interest_short.checked_add(size).ok_or(RingfenceError::MathOverflow)?
        }
    }
    market.positions_open = market.positions_open.checked_add(1).ok_or(RingfenceError::MathOverflow)?;

    emit!(PositionOpened {
        market: market_key,
        position: position_key,
        owner: accounts.owner.key(),
        vault: vault_key,
        id,
        side,
        size,
        collateral,
        entry_price: px.price,
        price_publish_time: px.publish_time,
        liquidation_price: liquidation_price(
            side.into(),
            size,
            collateral,
            px.price,
            u64::from(params.maintenance_margin_bps)
        )
        .or_err()?,
        open_interest_long: market.open_interest_long,
        open_interest_short: market.open_interest_short,
        timestamp: now,
    });
    Ok(())
}
