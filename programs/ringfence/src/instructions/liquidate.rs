use anchor_lang::prelude::*;
use anchor_spl::token::{self, CloseAccount, Token, TokenAccount, Transfer};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{health, liquidation_reward, split_liquidation};

use crate::error::{MathResultExt, RingfenceError};
use crate::events::PositionLiquidated;
use crate::oracle::read_price;
use crate::state::{Market, Position, Side};

/// Liquidates an underwater position. Anyone may call it (the keeper). Every token moved comes
/// out of this position's own vault: keeper reward first, then the owner's residual equity, then
/// the rest to the pool vault. The vault and position are closed and their rent returned to the
/// owner. No other position's accounts are part of the instruction.
///
/// # Accounts
/// - `keeper`: signer; receives the reward into `keeper_token`.
/// - `market`: must be `position.market` (open interest is updated).
/// - `oracle`: must be `market.oracle`.
/// - `position`: the position; closed, rent to `owner`.
/// - `owner`: must be `position.owner`; receives rent and residual.
/// - `vault`: must be `position.vault`; emptied and closed.
/// - `pool_vault`: must be `market.pool_vault`.
/// - `keeper_token`: any token account of the collateral mint.
/// - `owner_token`: a token account of the collateral mint owned by `owner` (keepers pass the
///   owner's associated token account, creating it idempotently if needed).
///
/// # Errors
/// - `PositionHealthy`: equity at mark meets the maintenance requirement.
/// - `MarketMismatch`, `OwnerMismatch`, `VaultMismatch`, `PoolVaultMismatch`, `MintMismatch`,
///   `TokenOwnerMismatch`: accounts not of this position/market.
/// - Oracle: `OracleAccountMismatch`, `OracleFeedMismatch`, `OracleNotFullyVerified`,
///   `OraclePriceStale`, `OraclePriceNotPositive`, `OracleConfidenceTooWide`.
#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub keeper: Signer<'info>,
    #[account(mut)]
    pub market: Box<Account<'info, Market>>,
    #[account(address = market.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(
        mut,
        close = owner,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = owner @ RingfenceError::OwnerMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
    )]
    pub position: Box<Account<'info, Position>>,
    /// CHECK: only receives lamports (rent); its address is checked by `has_one = owner`.
    #[account(mut)]
    pub owner: UncheckedAccount<'info>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = market.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = keeper_token.mint == market.collateral_mint @ RingfenceError::MintMismatch)]
    pub keeper_token: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = owner_token.mint == market.collateral_mint @ RingfenceError::MintMismatch,
        constraint = owner_token.owner == owner.key() @ RingfenceError::TokenOwnerMismatch,
    )]
    pub owner_token: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Liquidate>) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let px = read_price(&accounts.oracle, &accounts.market, now)?;
    let pos = &accounts.position;
    let params = accounts.market.params;
    let h = health(
        pos.side.into(),
        pos.size,
        pos.collateral,
        pos.entry_price,
        px.price,
        u64::from(params.maintenance_margin_bps),
    )
    .or_err()?;
    require!(h.liquidatable, RingfenceError::PositionHealthy);

    let vault_balance = accounts.vault.amount;
    let reward = liquidation_reward(pos.size, u64::from(params.liquidation_fee_bps)).or_err()?;
    let split = split_liquidation(vault_balance, h.equity, reward).or_err()?;

    // The vault's authority is the position PDA.
    let id_bytes = pos.id.to_le_bytes();
    let bump = [pos.bump];
    let seeds = pos.signer_seeds(&id_bytes, &bump);
    let signer: &[&[&[u8]]] = &[&seeds];
    let vault = &accounts.vault;
    let program = &accounts.token_program;
    pay_from_vault(program, vault, pos, &accounts.keeper_token, split.keeper, signer)?;
    pay_from_vault(program, vault, pos, &accounts.owner_token, split.trader, signer)?;
    pay_from_vault(program, vault, pos, &accounts.pool_vault, split.pool, signer)?;
    token::close_account(CpiContext::new_with_signer(
        accounts.token_program.key(),
        CloseAccount {
            account: accounts.vault.to_account_info(),
            destination: accounts.owner.to_account_info(),
            authority: pos.to_account_info(),
        },
        signer,
    ))?;

    let market = &mut accounts.market;
    match pos.side {
        Side::Long => {
            market.open_interest_long = market.open_interest_long.checked_sub(pos.size).ok_or(RingfenceError::MathOverflow)?
        }
        Side::Short => {
            market.open_interest_short = market.open_interest_short.checked_sub(pos.size).ok_or(RingfenceError::MathOverflow)?
        }
    }
    market.positions_open = market.positions_open.checked_sub(1).ok_or(RingfenceError::MathOverflow)?;

    emit!(PositionLiquidated {
        market: market.key(),
        position: pos.key(),
        owner: pos.owner,
        keeper: accounts.keeper.key(),
        side: pos.side,
        size: pos.size,
        collateral: pos.collateral,
        entry_price: pos.entry_price,
        mark_price: px.price,
        price_publish_time: px.publish_time,
        pnl: h.pnl,
        equity: h.equity,
        maintenance_requirement: h.maintenance_requirement,
        vault_balance,
        keeper_reward: split.keeper,
        to_trader: split.trader,
        to_pool: split.pool,
        bad_debt: split.bad_debt,
        open_interest_long: market.open_interest_long,
        open_interest_short: market.open_interest_short,
        timestamp: now,
    });
    Ok(())
}

/// Transfers `amount` out of a position's vault, signed by the position PDA (no-op for zero).
fn pay_from_vault<'info>(
    token_program: &Program<'info, Token>,
    vault: &Account<'info, TokenAccount>,
    position: &Account<'info, Position>,
    to: &Account<'info, TokenAccount>,
    amount: u64,
    signer: &[&[&[u8]]],
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    token::transfer(
        CpiContext::new_with_signer(
            token_program.key(),
            Transfer {
                from: vault.to_account_info(),
                to: to.to_account_info(),
                authority: position.to_account_info(),
            },
            signer,
        ),
        amount,
    )
}
