use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::error::RingfenceError;
use crate::events::OrderClosed;
use crate::orders::OrderAuthority;
use crate::state::LimitOrder;

/// Anyone closes a limit order after its expiry, refunding the owner in full: the escrow's whole
/// balance to the order's `refund_to` account (the owner's source account at placement), every
/// lamport of the escrow and the order to the owner. (If the owner has since closed or frozen that
/// account, only the owner's `cancel_limit_order` can refund it.) Never paused.
///
/// # Accounts
/// - `order`: an expired order; `escrow`: must be `order.escrow`.
/// - `refund_to`: must be `order.refund_to`; `owner`: must be `order.owner` (lamports).
///
/// # Errors
/// - `OrderNotExpired`; `VaultMismatch` (escrow), `TokenOwnerMismatch` (refund account),
///   `OwnerMismatch`.
#[derive(Accounts)]
pub struct CloseExpiredOrder<'info> {
    #[account(
        mut,
        has_one = owner @ RingfenceError::OwnerMismatch,
        has_one = escrow @ RingfenceError::VaultMismatch,
        has_one = refund_to @ RingfenceError::TokenOwnerMismatch,
    )]
    pub order: AccountLoader<'info, LimitOrder>,
    /// CHECK: address is `order.escrow` (has_one); created by this program as a token account.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    /// CHECK: address is `order.refund_to` (has_one); the token program checks the transfer.
    #[account(mut)]
    pub refund_to: UncheckedAccount<'info>,
    /// CHECK: address is `order.owner` (has_one); receives lamports only.
    #[account(mut)]
    pub owner: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<CloseExpiredOrder>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let o: LimitOrder = *a.order.load()?;
    require!(now > o.expiry, RingfenceError::OrderNotExpired);
    let order_info = a.order.to_account_info();
    let (refunded, lamports) = OrderAuthority::new(&order_info, &a.escrow, &o).refund(&a.refund_to, &a.owner)?;
    a.order.close(a.owner.to_account_info())?;
    emit!(OrderClosed {
        market: o.market,
        order: a.order.key(),
        owner: o.owner,
        expired: true,
        destination: a.refund_to.key(),
        refunded,
        lamports,
        timestamp: now,
    });
    Ok(())
}
