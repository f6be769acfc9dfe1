use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{health, liquidation_reward, split_liquidation};

use crate::cpi::{token_close, token_transfer};
use crate::error::{MathResultExt, RingfenceError};
use crate::events::PositionLiquidated;
use crate::oracle::read_price;
use crate::state::{Market, Position, Side};
use crate::token_account::{check_token_account, token_balance};

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
/// - `owner`: must be `position.owner`; receives the rent of both closed accounts.
/// - `vault`: must be `position.vault`; emptied and closed.
/// - `pool_vault`: must be `market.pool_vault`.
/// - `keeper_token`: any SPL Token account of the collateral mint.
/// - `owner_token`: SPL Token account of the collateral mint owned by `owner` (keepers pass the
///   owner's associated token account, creating it idempotently if needed).
///
/// # Errors
/// - `PositionHealthy`: equity at mark meets the maintenance requirement.
/// - `MarketMismatch`, `OwnerMismatch`, `VaultMismatch`, `PoolVaultMismatch`: accounts not of
///   this position or market.
/// - `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`: wrong payout accounts.
/// - Oracle: `OracleAccountMismatch`, `OracleFeedMismatch`, `OracleNotFullyVerified`,
///   `OraclePriceStale`, `OraclePriceNotPositive`, `OracleConfidenceTooWide`.
#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub keeper: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(
        mut,
        close = owner,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = owner @ RingfenceError::OwnerMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
    )]
    pub position: AccountLoader<'info, Position>,
    /// CHECK: only receives lamports (rent); its address is checked by `has_one = owner`.
    #[account(mut)]
    pub owner: UncheckedAccount<'info>,
    /// CHECK: address is `position.vault` (has_one); created by this program as a token account.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint.
    #[account(mut)]
    pub keeper_token: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint owned by `owner`.
    #[account(mut)]
    pub owner_token: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Liquidate>) -> Result<()> {
    let a = ctx.accounts;
    let market = *a.market.load()?;
    let pos = *a.position.load()?;
    let side = pos.side()?;
    let params = market.params;
    let now = Clock::get()?.unix_timestamp;
    let px = read_price(&a.oracle, &market.feed_id, &params, now)?;
    check_token_account(&a.keeper_token, &market.collateral_mint, None)?;
    check_token_account(&a.owner_token, &market.collateral_mint, Some(&pos.owner))?;

    let h = health(
        side.into(),
        pos.size,
        pos.collateral,
        pos.entry_price,
        px.price,
        u64::from(params.maintenance_margin_bps),
    )
    .or_err()?;
    require!(h.liquidatable, RingfenceError::PositionHealthy);

    let vault_balance = token_balance(&a.vault)?;
    let reward = liquidation_reward(pos.size, u64::from(params.liquidation_fee_bps)).or_err()?;
    let split = split_liquidation(vault_balance, h.equity, reward).or_err()?;

    // The vault's token authority is the position PDA.
    let id_bytes = pos.id.to_le_bytes();
    let bump = [pos.bump];
    let seeds = pos.signer_seeds(&id_bytes, &bump);
    let signer: &[&[&[u8]]] = &[&seeds];
    let authority = a.position.to_account_info();
    token_transfer(&a.vault, &a.keeper_token, &authority, split.keeper, signer)?;
    token_transfer(&a.vault, &a.owner_token, &authority, split.trader, signer)?;
    token_transfer(&a.vault, &a.pool_vault, &authority, split.pool, signer)?;
    token_close(&a.vault, &a.owner, &authority, signer)?;

    let mut m = a.market.load_mut()?;
    match side {
        Side::Long => {
            m.open_interest_long = m.open_interest_long.checked_sub(pos.size).ok_or(RingfenceError::MathOverflow)?
        }
        Side::Short => {
            m.open_interest_short = m.open_interest_short.checked_sub(pos.size).ok_or(RingfenceError::MathOverflow)?
        }
    }
    m.positions_open = m.positions_open.checked_sub(1).ok_or(RingfenceError::MathOverflow)?;

    emit!(PositionLiquidated {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        keeper: a.keeper.key(),
        side,
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
        open_interest_long: m.open_interest_long,
        open_interest_short: m.open_interest_short,
        timestamp: now,
    });
    Ok(())
}
