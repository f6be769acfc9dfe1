use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::amount_for_withdraw;

use crate::cpi::{token_burn, token_transfer};
use crate::error::{MathResultExt, RingfenceError};
use crate::events::{LiquidityWithdrawn, PoolSnapshot};
use crate::oracle::{read_price, PriceUse};
use crate::state::Market;
use crate::token_account::check_token_account;

/// Burns `shares` LP shares and pays their value (NAV at the oracle price, rounded down) from the
/// pool vault. Only free liquidity can leave: reserves backing open positions sit in those
/// positions' vaults and are never touched. Never paused.
///
/// # Accounts
/// - `provider`: signer, owner of `provider_lp`.
/// - `market`, `oracle` (`market.oracle`), `pool_vault` (`market.pool_vault`), `lp_mint` (`market.lp_mint`).
/// - `provider_token`: SPL Token account of the collateral mint (destination; any owner).
/// - `provider_lp`: SPL Token account of the LP mint owned by `provider` (burned from).
///
/// # Errors
/// - `ZeroAmount`, `WithdrawTooSmall`, `InsufficientFreeLiquidity`.
/// - `PoolVaultMismatch`, `LpMintMismatch`, `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`.
/// - Oracle errors (trade age, not older than the market's last price).
#[derive(Accounts)]
pub struct WithdrawLiquidity<'info> {
    pub provider: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    /// CHECK: address is `market.lp_mint`, created by this program as a mint.
    #[account(mut, address = market.load()?.lp_mint @ RingfenceError::LpMintMismatch)]
    pub lp_mint: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint.
    #[account(mut)]
    pub provider_token: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the LP mint owned by `provider`.
    #[account(mut)]
    pub provider_lp: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<WithdrawLiquidity>, shares: u64) -> Result<()> {
    require!(shares > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    check_token_account(&a.provider_token, &m.collateral_mint, None)?;
    check_token_account(&a.provider_lp, &m.lp_mint, Some(a.provider.key))?;
    m.accrue(now)?;
    let px = read_price(&a.oracle, &m, now, PriceUse::Trade)?;
    let nav = m.nav(px.price)?;
    let amount = amount_for_withdraw(shares, nav, m.lp_supply).or_err()?;
    require!(amount > 0, RingfenceError::WithdrawTooSmall);
    require!(amount <= m.free_liquidity, RingfenceError::InsufficientFreeLiquidity);

    token_burn(&a.provider_lp, &a.lp_mint, &a.provider, shares)?;
    let bump = [m.bump];
    let seeds = m.signer_seeds(&bump);
    token_transfer(&a.pool_vault, &a.provider_token, &a.market.to_account_info(), amount, &[&seeds])?;

    m.free_liquidity = m.free_liquidity.checked_sub(amount).ok_or(RingfenceError::MathOverflow)?;
    m.lp_supply = m.lp_supply.checked_sub(shares).ok_or(RingfenceError::MathOverflow)?;
    m.refresh_rate()?;
    m.note_price_time(px.publish_time);
    *a.market.load_mut()? = m;

    emit!(LiquidityWithdrawn {
        market: a.market.key(),
        provider: a.provider.key(),
        amount,
        shares,
        nav,
        oracle_price: px.price,
        price_publish_time: px.publish_time,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
