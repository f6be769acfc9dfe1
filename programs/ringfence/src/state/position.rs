use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::state::WideU128;

/// Seed prefix of [`Position`]: `["position", market, owner, id (u64 LE)]`.
pub const POSITION_SEED: &[u8] = b"position";
/// Seed prefix of a position's vault: `["vault", position]`.
pub const VAULT_SEED: &[u8] = b"vault";

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Long,
    Short,
}

impl Side {
    pub fn to_u8(self) -> u8 {
        match self {
            Side::Long => 0,
            Side::Short => 1,
        }
    }

    pub fn from_u8(v: u8) -> Result<Side> {
        match v {
            0 => Ok(Side::Long),
            1 => Ok(Side::Short),
            _ => err!(RingfenceError::InvalidSide),
        }
    }
}

impl From<Side> for ringfence_math::Side {
    fn from(side: Side) -> Self {
        match side {
            Side::Long => ringfence_math::Side::Long,
            Side::Short => ringfence_math::Side::Short,
        }
    }
}

/// Where a position's liquidation or bankruptcy price lies (`ringfence_math::Threshold`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceThreshold {
    /// No positive price reaches it.
    Never,
    /// The first price, moving against the position, at which it is reached: a long at every
    /// mark at or below it, a short at every mark at or above it (`PRICE_DECIMALS` decimals).
    At(u64),
    /// Reached at every price (the position is liquidatable whatever the price does).
    AnyPrice,
}

impl PriceThreshold {
    /// How clients show it: the price through `price`, or "never" / "any price".
    pub fn describe(&self, price: impl Fn(u64) -> String) -> String {
        match self {
            PriceThreshold::Never => "never".into(),
            PriceThreshold::At(p) => price(*p),
            PriceThreshold::AnyPrice => "any price".into(),
        }
    }
}

impl From<ringfence_math::Threshold> for PriceThreshold {
    fn from(t: ringfence_math::Threshold) -> Self {
        match t {
            ringfence_math::Threshold::Never => PriceThreshold::Never,
            ringfence_math::Threshold::At(p) => PriceThreshold::At(p),
            ringfence_math::Threshold::Always => PriceThreshold::AnyPrice,
        }
    }
}

/// One isolated position. Its vault (a token account whose authority is this PDA) holds the
/// trader's collateral plus the reserve the pool placed there (the position's maximum profit), so
/// it can always be settled from the vault alone. Zero-copy (bytemuck).
#[account(zero_copy)]
#[derive(Debug)]
pub struct Position {
    pub market: Pubkey,
    /// The current owner: the only signer of trader actions and of the residual claim.
    pub owner: Pubkey,
    /// The position's token vault, `["vault", position]`.
    pub vault: Pubkey,
    /// The owner at open: part of this PDA's seeds, so the position keeps its address (and its
    /// vault's signer) when `owner` changes by `transfer_position`.
    pub seed_owner: Pubkey,
    /// Trader-chosen id: one trader may hold many isolated positions per market.
    pub id: u64,
    /// Notional in collateral units at entry.
    pub size: u64,
    /// Oracle price at open (confidence-adjusted against the trader), `PRICE_DECIMALS` decimals.
    pub entry_price: u64,
    /// The trader's collateral in the vault.
    pub collateral: u64,
    /// The pool's reserve in the vault: the cap on this position's profit.
    pub reserve: u64,
    /// Base quantity counted in the market's side aggregate (`size * QTY_SCALE / entry`).
    pub qty: WideU128,
    /// Borrow index at open or at the last fee settlement.
    pub borrow_index: u64,
    pub opened_at: i64,
    /// Publish time of the newest oracle price used on this position.
    pub last_price_time: i64,
    /// The pool sweep that valued this position (`Market::sweep.epoch`), 0 if none.
    pub sweep_epoch: u64,
    /// The price it was valued at: the sweep's price, or the mid price at open for a position
    /// opened during the sweep. Every later change re-values it at this same price.
    pub sweep_price: u64,
    /// Its value in that sweep: what its vault would return to the pool (`pool_claim`).
    pub sweep_value: u64,
    /// After liquidation: the owner's residual equity, left in the vault until the owner claims
    /// it with `claim_residual` (0 while open). The vault then holds only this claim.
    pub residual: u64,
    /// [`Side`] as `u8` (0 long, 1 short).
    pub side: u8,
    /// Bump of this PDA (`["position", market, owner, id]`) chosen at open.
    pub bump: u8,
    /// Bump of the vault PDA (`["vault", position]`) chosen at open (`vault` is its address).
    pub vault_bump: u8,
    /// [`status`]: open, or liquidated and waiting for the owner's claim. A liquidated position
    /// is out of the market: not in its aggregates, reserves, `positions_open` or pool value;
    /// `size`, `collateral`, `reserve` and `entry_price` keep their values at liquidation.
    pub status: u8,
    pub _reserved: [u8; 4],
}

/// Values of [`Position::status`].
pub mod status {
    pub const OPEN: u8 = 0;
    pub const LIQUIDATED: u8 = 1;
}

impl Position {
    pub fn side(&self) -> Result<Side> {
        Side::from_u8(self.side)
    }

    pub fn is_open(&self) -> bool {
        self.status == status::OPEN
    }

    /// Tokens this position's vault should hold.
    pub fn vault_claim(&self) -> Result<u64> {
        self.collateral.checked_add(self.reserve).ok_or_else(|| error!(RingfenceError::MathOverflow))
    }
}

/// Bytes of a `Position` account, discriminator included.
pub const POSITION_SPACE: usize = 8 + core::mem::size_of::<Position>();
const _: () = assert!(POSITION_SPACE == 8 + 32 * 4 + 8 * 5 + 16 + 8 * 3 + 8 * 4 + 8);
