//! Program-derived addresses, exactly as the program derives them.
use anchor_lang::prelude::Pubkey;
use ringfence::state::{
    LP_ESCROW_SEED, LP_MINT_SEED, LP_REQUEST_SEED, MARKET_SEED, ORDER_ESCROW_SEED, ORDER_SEED, POOL_VAULT_SEED,
    POSITION_SEED, VAULT_SEED,
};

use crate::PROGRAM_ID;

pub fn market(creator: &Pubkey, collateral_mint: &Pubkey, feed_id: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(&[MARKET_SEED, creator.as_ref(), collateral_mint.as_ref(), feed_id], &PROGRAM_ID).0
}

pub fn pool_vault(market: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[POOL_VAULT_SEED, market.as_ref()], &PROGRAM_ID).0
}

pub fn lp_mint(market: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[LP_MINT_SEED, market.as_ref()], &PROGRAM_ID).0
}

pub fn lp_escrow(market: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[LP_ESCROW_SEED, market.as_ref()], &PROGRAM_ID).0
}

/// The pending LP request of `provider` on `market`.
pub fn lp_request(market: &Pubkey, provider: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[LP_REQUEST_SEED, market.as_ref(), provider.as_ref()], &PROGRAM_ID).0
}

/// Where `open_position` creates the position `id` of `owner` (the canonical PDA). Only for
/// opening: an existing position is addressed by its own address, and its vault, market and
/// owner are read from its account (positions become transferable: the owner in the seeds is
/// not the current owner forever).
pub fn position(market: &Pubkey, owner: &Pubkey, id: u64) -> Pubkey {
    position_with_bump(market, owner, id).0
}

/// The canonical position PDA and its bump (passed to `open_position`).
pub fn position_with_bump(market: &Pubkey, owner: &Pubkey, id: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[POSITION_SEED, market.as_ref(), owner.as_ref(), &id.to_le_bytes()], &PROGRAM_ID)
}

/// Where `open_position` creates the vault of a new `position` (the canonical PDA); read an
/// existing position's vault from `Position::vault`.
pub fn vault(position: &Pubkey) -> Pubkey {
    vault_with_bump(position).0
}

/// The canonical vault PDA of a new position and its bump (passed to `open_position`).
pub fn vault_with_bump(position: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[VAULT_SEED, position.as_ref()], &PROGRAM_ID)
}

/// The limit order `id` of `owner` (its position will have the same id).
pub fn order(market: &Pubkey, owner: &Pubkey, id: u64) -> Pubkey {
    order_with_bump(market, owner, id).0
}

/// The canonical order PDA and its bump (passed to `place_limit_order`).
pub fn order_with_bump(market: &Pubkey, owner: &Pubkey, id: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[ORDER_SEED, market.as_ref(), owner.as_ref(), &id.to_le_bytes()], &PROGRAM_ID)
}

/// The token escrow of a new `order` (read an existing order's from `LimitOrder::escrow`).
pub fn order_escrow(order: &Pubkey) -> Pubkey {
    order_escrow_with_bump(order).0
}

/// The canonical escrow PDA of a new order and its bump.
pub fn order_escrow_with_bump(order: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[ORDER_ESCROW_SEED, order.as_ref()], &PROGRAM_ID)
}
