use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::state::{Side, Trigger};

/// Seed prefix of [`LimitOrder`]: `["order", market, owner, id (u64 LE)]`.
pub const ORDER_SEED: &[u8] = b"order";
/// Seed prefix of an order's token escrow: `["order_escrow", order]`.
pub const ORDER_ESCROW_SEED: &[u8] = b"order_escrow";

/// A limit open: a position the owner wants opened when the entry price reaches `limit_price`.
/// Its escrow (a token account whose authority is this PDA) holds the collateral and every fee
/// the order will pay; the account's lamports hold its own rent plus the rent of the position and
/// the vault it will create, so the executing keeper pays only the transaction fee. The position's
/// id and addresses are fixed at placement.
#[account(zero_copy)]
#[derive(Debug)]
pub struct LimitOrder {
    pub market: Pubkey,
    pub owner: Pubkey,
    /// The token escrow, `["order_escrow", order]`.
    pub escrow: Pubkey,
    /// The token account the escrow is refunded to when anyone closes the expired order (the
    /// owner's source account at placement; the owner's own cancel pays any account they choose).
    pub refund_to: Pubkey,
    /// The position it opens: `["position", market, owner, id]` at `position_bump`.
    pub position: Pubkey,
    /// That position's vault: `["vault", position]` at `vault_bump`.
    pub vault: Pubkey,
    /// The order's id, also the position's id.
    pub id: u64,
    /// Tokens deposited as the position's collateral (the open fee comes out of it, as in
    /// `open_position`).
    pub collateral: u64,
    /// Notional to open.
    pub size: u64,
    /// Worst entry price (`PRICE_DECIMALS`): a long fills at or below it, a short at or above,
    /// the entry being the oracle price plus conf for a long, minus conf for a short.
    pub limit_price: u64,
    /// Cluster time after which it cannot fill; anyone may then close it, refunding the owner.
    pub expiry: i64,
    /// Cluster time of placement: only a price published more than `MAX_CLOCK_SKEW_SECS` after
    /// it (certainly not on chain at placement) can fill the order.
    pub placed_at: i64,
    /// Paid from the escrow to the keeper that fills it.
    pub exec_fee: u64,
    /// Lamports held beyond the order's own rent for the position's and the vault's rent.
    pub rent_prefund: u64,
    /// Take-profit and stop-loss set on the position when it opens (`set_at` is then the fill
    /// time); their fees are escrowed here until then.
    pub take_profit: Trigger,
    pub stop_loss: Trigger,
    /// [`Side`] as `u8`.
    pub side: u8,
    pub bump: u8,
    pub escrow_bump: u8,
    pub position_bump: u8,
    pub vault_bump: u8,
    pub _reserved: [u8; 3],
}

impl LimitOrder {
    pub fn side(&self) -> Result<Side> {
        Side::from_u8(self.side)
    }

    /// Tokens the escrow should hold: collateral + execution fee + both triggers' fees.
    pub fn escrowed(&self) -> Result<u64> {
        [self.collateral, self.exec_fee, self.take_profit.fee, self.stop_loss.fee]
            .into_iter()
            .try_fold(0u64, |acc, x| acc.checked_add(x))
            .ok_or_else(|| error!(RingfenceError::MathOverflow))
    }
}

/// Bytes of a `LimitOrder` account, discriminator included.
pub const ORDER_SPACE: usize = 8 + core::mem::size_of::<LimitOrder>();
const _: () = assert!(ORDER_SPACE == 8 + 32 * 6 + 8 * 8 + 32 * 2 + 8);
