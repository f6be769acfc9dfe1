use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::shares_for_deposit;

use crate::cpi::{token_mint_to, token_transfer};
use crate::error::{MathResultExt, RingfenceError};
use crate::events::{LiquidityDeposited, PoolSnapshot};
use crate::oracle::{read_price, PriceUse};
use crate::state::{pause, Market};
use crate::token_account::check_token_account;

/// Deposits `amount` of collateral into the pool vault and mints LP shares at the pool's value
/// (NAV at the oracle price: free liquidity + reserves - traders' aggregate PnL + borrow fees
/// owed), rounded down. A virtual offset of shares and assets makes first-depositor inflation
/// impossible, and tokens sent to the pool vault outside this program are not counted.
///
/// # Accounts
/// - `provider`: signer, funds the deposit.
/// - `market`, `oracle` (`market.oracle`), `pool_vault` (`market.pool_vault`), `lp_mint` (`market.lp_mint`).
/// - `provider_token`: SPL Token account of the collateral mint owned by `provider` (source).
/// - `provider_lp`: SPL Token account of the LP mint (receives the shares; any owner).
///
/// # Errors
/// - `MarketPaused`, `ZeroAmount`, `DepositTooSmall` (rounds to zero shares).
/// - `PoolVaultMismatch`, `LpMintMismatch`, `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`.
/// - Oracle errors (trade age, not older than the market's last price).
#[derive(Accounts)]
pub struct DepositLiquidity<'info> {
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
    /// CHECK: checked in the handler: SPL Token account of the collateral mint owned by `provider`.
    #[account(mut)]
    pub provider_token: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the LP mint.
    #[account(mut)]
    pub provider_lp: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<DepositLiquidity>, amount: u64) -> Result<()> {
    require!(amount > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    m.require_not_paused(pause::DEPOSIT)?;
    check_token_account(&a.provider_token, &m.collateral_mint, Some(a.provider.key))?;
    check_token_account(&a.provider_lp, &m.lp_mint, None)?;
    m.accrue(now)?;
    let px = read_price(&a.oracle, &m, now, PriceUse::Trade)?;
    let nav = m.nav(px.price)?;
    let shares = shares_for_deposit(amount, nav, m.lp_supply).or_err()?;
    require!(shares > 0, RingfenceError::DepositTooSmall);

    token_transfer(&a.provider_token, &a.pool_vault, &a.provider, amount, &[])?;
    let bump = [m.bump];
    let seeds = m.signer_seeds(&bump);
    token_mint_to(&a.lp_mint, &a.provider_lp, &a.market.to_account_info(), shares, &[&seeds])?;

    m.free_liquidity = m.free_liquidity.checked_add(amount).ok_or(RingfenceError::MathOverflow)?;
    m.lp_supply = m.lp_supply.checked_add(shares).ok_or(RingfenceError::MathOverflow)?;
    m.refresh_rate()?;
    m.note_price_time(px.publish_time);
    *a.market.load_mut()? = m;

    emit!(LiquidityDeposited {
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
