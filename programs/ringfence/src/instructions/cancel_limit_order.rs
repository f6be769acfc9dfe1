use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::error::RingfenceError;
use crate::events::OrderClosed;
use crate::orders::OrderAuthority;
use crate::state::{LimitOrder, Market};
use crate::token_account::check_token_account;

/// The owner cancels a limit order at any time: the escrow's whole balance goes to any token
/// account of the collateral mint the owner chooses, and the escrow's and the order's lamports
/// (rent and the position's prefunded rent) to the owner. Never paused.
///
/// # Accounts
/// - `owner`: signer, must be `order.owner`; receives the lamports.
/// - `market`: must be `order.market` (read for the collateral mint).
/// - `order`, `escrow` (must be `order.escrow`): closed.
/// - `destination`: any SPL Token account of the collateral mint.
///
/// # Errors
/// - `OwnerMismatch`, `MarketMismatch`, `VaultMismatch` (escrow), `MintMismatch`, `NotTokenAccount`.
#[derive(Accounts)]
pub struct CancelLimitOrder<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    #[account(
        mut,
        has_one = owner @ RingfenceError::OwnerMismatch,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = escrow @ RingfenceError::VaultMismatch,
    )]
    pub order: AccountLoader<'info, LimitOrder>,
    /// CHECK: address is `order.escrow` (has_one); created by this program as a token account.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<CancelLimitOrder>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    check_token_account(&a.destination, &a.market.load()?.collateral_mint, None)?;
    let o: LimitOrder = *a.order.load()?;
    let order_info = a.order.to_account_info();
    let (refunded, lamports) = OrderAuthority::new(&order_info, &a.escrow, &o).refund(&a.destination, &a.owner)?;
    a.order.close(a.owner.to_account_info())?;
    emit!(OrderClosed {
        market: o.market,
        order: a.order.key(),
        owner: o.owner,
        expired: false,
        destination: a.destination.key(),
        refunded,
        lamports,
        timestamp: now,
    });
    Ok(())
}
