//! Moving tokens and lamports out of a limit order: its PDA signs for its escrow.
use anchor_lang::prelude::*;

use crate::cpi::{token_close, token_transfer};
use crate::error::RingfenceError;
use crate::state::{LimitOrder, ORDER_SEED};
use crate::token_account::token_balance;

/// Signs for an order's escrow (its token authority is the order PDA).
pub struct OrderAuthority<'a, 'info> {
    pub order: &'a AccountInfo<'info>,
    pub escrow: &'a AccountInfo<'info>,
    market: Pubkey,
    owner: Pubkey,
    id_bytes: [u8; 8],
    bump: [u8; 1],
}

impl<'a, 'info> OrderAuthority<'a, 'info> {
    pub fn new(order: &'a AccountInfo<'info>, escrow: &'a AccountInfo<'info>, o: &LimitOrder) -> Self {
        OrderAuthority { order, escrow, market: o.market, owner: o.owner, id_bytes: o.id.to_le_bytes(), bump: [o.bump] }
    }

    /// Runs `f` with the order's signer seeds.
    pub fn with_seeds<T>(&self, f: impl FnOnce(&[&[&[u8]]]) -> Result<T>) -> Result<T> {
        let seeds: [&[u8]; 5] = [ORDER_SEED, self.market.as_ref(), self.owner.as_ref(), &self.id_bytes, &self.bump];
        f(&[&seeds])
    }

    /// Transfers `amount` out of the escrow (no-op for zero).
    pub fn pay(&self, to: &AccountInfo<'info>, amount: u64) -> Result<()> {
        self.with_seeds(|s| token_transfer(self.escrow, to, self.order, amount, s))
    }

    /// Closes the emptied escrow, its rent to `owner`. The caller closes the order account.
    pub fn close_escrow(&self, owner: &AccountInfo<'info>) -> Result<()> {
        self.with_seeds(|s| token_close(self.escrow, owner, self.order, s))
    }

    /// Refunds the escrow's whole balance to `destination` and closes it (rent to `owner`):
    /// (tokens refunded, lamports the escrow and the order return to the owner once the caller
    /// closes the order).
    pub fn refund(&self, destination: &AccountInfo<'info>, owner: &AccountInfo<'info>) -> Result<(u64, u64)> {
        let refunded = token_balance(self.escrow)?;
        let lamports = self.escrow.lamports().checked_add(self.order.lamports()).ok_or(RingfenceError::MathOverflow)?;
        self.pay(destination, refunded)?;
        self.close_escrow(owner)?;
        Ok((refunded, lamports))
    }
}
