use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::automation::{check_order, OrderCheck};
use crate::cpi::move_lamports;
use crate::error::RingfenceError;
use crate::events::OrderExecuted;
use crate::opening::{open, Funding, OpenAccounts, OpenTerms};
use crate::orders::OrderAuthority;
use crate::state::{pause, LimitOrder, Market, Trigger};
use crate::token_account::{check_token_account, token_balance};

/// Fills a limit order. Anyone may call it (the keeper). The rule is
/// `crate::automation::check_order`: not expired; an oracle price valid for an open and
/// published after the order was placed; the entry price an open would get (oracle price plus
/// conf for a long, minus for a short) at or better than the limit. The position and its vault
/// are then created at the addresses fixed at placement, exactly as `open_position` would (the
/// same fee, margin, reserve, capacity rules and books; `crate::opening::open`), funded from the
/// escrow, with their rent from the order's prefund. The take-profit / stop-loss of the order are
/// set on the position as of now (so only a price published after the fill executes them) with
/// their fees moved into the vault; the keeper gets the execution fee; the escrow and the order
/// close, their lamports to the owner. The keeper pays only the transaction fee: it fronts the
/// rent of the position and its vault (it signs the account creations) and is repaid exactly that
/// from the order's prefund within the instruction.
///
/// When the pool cannot fund the reserve, the side's cap is reached or opening is paused, the
/// transaction fails and the order stays open.
///
/// # Accounts
/// - `keeper`: signer, writable (fronts the rent); `keeper_token`: any SPL Token account of the collateral mint (the fee).
/// - `market`, `oracle` (`market.oracle`), `collateral_mint`, `pool_vault`: as `open_position`.
/// - `order`: the order; `escrow`: `order.escrow`; `owner`: `order.owner` (receives lamports).
/// - `position`, `vault`: `order.position`, `order.vault`, created.
///
/// # Errors
/// - `OrderExpired`, `PriceNotAfterOrder`, `LimitNotReached`, `MarketPaused`.
/// - The open's errors: `PositionTooSmall`, `CollateralBelowFee`, `LeverageTooHigh`,
///   `InsufficientPoolLiquidity`, `OpenInterestCapExceeded`, `PositionAlreadyExists`; oracle errors.
/// - `MarketMismatch`, `VaultMismatch`, `OwnerMismatch`, `PositionMismatch`, `MintMismatch`,
///   `PoolVaultMismatch`, `NotTokenAccount`.
#[derive(Accounts)]
pub struct ExecuteLimitOrder<'info> {
    /// Fronts the rent of the position and its vault, repaid from the order in the same instruction.
    #[account(mut)]
    pub keeper: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    /// CHECK: must be the market's collateral mint (address checked).
    #[account(address = market.load()?.collateral_mint @ RingfenceError::MintMismatch)]
    pub collateral_mint: UncheckedAccount<'info>,
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    #[account(
        mut,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = escrow @ RingfenceError::VaultMismatch,
        has_one = owner @ RingfenceError::OwnerMismatch,
        has_one = position @ RingfenceError::PositionMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
    )]
    pub order: AccountLoader<'info, LimitOrder>,
    /// CHECK: address is `order.escrow` (has_one); created by this program as a token account.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    /// CHECK: address is `order.owner` (has_one); receives lamports only.
    #[account(mut)]
    pub owner: UncheckedAccount<'info>,
    /// CHECK: address is `order.position` (has_one); created by the handler.
    #[account(mut)]
    pub position: UncheckedAccount<'info>,
    /// CHECK: address is `order.vault` (has_one); created by the handler.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint.
    #[account(mut)]
    pub keeper_token: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<ExecuteLimitOrder>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let o: LimitOrder = *a.order.load()?;
    m.require_not_paused(pause::OPEN)?;
    check_token_account(&a.keeper_token, &m.collateral_mint, None)?;
    let OrderCheck { px, side, entry } = check_order(&mut m, &o, &a.oracle, now)?;
    require!(o.size >= m.params.min_position_size, RingfenceError::PositionTooSmall);
    let held = m.sweep_touch(None, now)?;

    let order_info = a.order.to_account_info();
    let authority = OrderAuthority::new(&order_info, &a.escrow, &o);
    let set_now = |t: Trigger| if t.is_set() { Trigger { set_at: now, ..t } } else { Trigger::default() };
    let trigger_fees = o.take_profit.fee.checked_add(o.stop_loss.fee).ok_or(RingfenceError::MathOverflow)?;
    // Tokens sent to the escrow since placement go with the position's vault (they reach the pool
    // when it settles, as donations to a vault do); the escrow must end empty to close.
    let donated = token_balance(&a.escrow)?.checked_sub(o.escrowed()?).ok_or(RingfenceError::VaultBelowAccounted)?;
    let terms = OpenTerms {
        id: o.id,
        owner: o.owner,
        side,
        collateral: o.collateral,
        size: o.size,
        position_bump: o.position_bump,
        vault_bump: o.vault_bump,
        take_profit: set_now(o.take_profit),
        stop_loss: set_now(o.stop_loss),
        extra_to_vault: trigger_fees.checked_add(donated).ok_or(RingfenceError::MathOverflow)?,
        px,
        entry,
    };
    let accounts = OpenAccounts {
        market: &a.market.to_account_info(),
        collateral_mint: &a.collateral_mint,
        pool_vault: &a.pool_vault,
        position: &a.position,
        vault: &a.vault,
        system_program: &a.system_program.to_account_info(),
    };
    // The keeper fronts the rent of the position and its vault; the order's prefund repays it
    // below, after the last CPI (the runtime requires balanced accounts at every CPI).
    let keeper = a.keeper.to_account_info();
    let keeper_lamports = keeper.lamports();
    authority.with_seeds(|seeds| {
        let funding = Funding { token: &a.escrow, authority: &order_info, seeds, rent_payer: &keeper };
        open(&accounts, &mut m, &terms, &funding, held, now).map(|_| ())
    })?;
    let rent_paid = keeper_lamports.checked_sub(keeper.lamports()).ok_or(RingfenceError::MathOverflow)?;
    require!(rent_paid <= o.rent_prefund, RingfenceError::RentPrefundShort);
    authority.pay(&a.keeper_token, o.exec_fee)?;
    authority.close_escrow(&a.owner)?;
    move_lamports(&order_info, &keeper, rent_paid)?;
    a.order.close(a.owner.to_account_info())?;
    *a.market.load_mut()? = m;

    emit!(OrderExecuted {
        market: o.market,
        order: a.order.key(),
        owner: o.owner,
        position: a.position.key(),
        keeper: a.keeper.key(),
        entry_price: entry,
        limit_price: o.limit_price,
        oracle_price: px.price,
        price_publish_time: px.publish_time,
        exec_fee: o.exec_fee,
        trigger_fees,
        timestamp: now,
    });
    Ok(())
}
