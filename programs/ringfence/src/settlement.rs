//! What closing, decreasing and liquidating share: fees owed, the exit price, paying out of a
//! position's vault.
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{
    borrow_fee, capped_pnl, notional_fee, prorata_qty, settle, split_decrease, unrealized_pnl, DecreaseSplit,
    Settlement,
};

use crate::cpi::{token_close, token_transfer};
use crate::error::{MathResultExt, RingfenceError};
use crate::oracle::{read_price, OraclePrice, PriceUse};
use crate::state::{wide_get, wide_set, Market, Position, Side};

/// Fees a position owes if `size_part` of it closes now: the borrow fee on its whole notional
/// since its last settlement, and the close fee on `size_part`.
pub fn fees_owed(pos: &Position, market: &Market, size_part: u64) -> Result<(u64, u64)> {
    let borrow = borrow_fee(pos.size, pos.borrow_index, market.borrow_index).or_err()?;
    let close = notional_fee(size_part, u64::from(market.params.close_fee_bps)).or_err()?;
    Ok((borrow, close))
}

/// The price a trader action on a position gets.
#[derive(Clone, Copy, Debug)]
pub struct ExitQuote {
    pub px: OraclePrice,
    pub side: Side,
    /// The confidence interval's worse side for the trader (long exits at price - conf).
    pub exit: u64,
}

/// Accrues the market's borrow index to `now`, validates the oracle for a trader action (trade
/// age, not older than the market's or the position's last price) and quotes the exit price.
pub fn exit_quote(oracle: &PriceUpdateV2, m: &mut Market, pos: &Position, now: i64) -> Result<ExitQuote> {
    m.accrue(now)?;
    let px = read_price(oracle, m, now, PriceUse::Trade, pos.last_price_time)?;
    let side = pos.side()?;
    let exit = px.against_trader(side, false)?;
    Ok(ExitQuote { px, side, exit })
}

/// A full close of a position at one exit price, booked in the market.
#[derive(Clone, Copy, Debug)]
pub struct ClosedBooks {
    /// PnL at the exit price, capped at the reserve.
    pub pnl: i128,
    pub borrow_fee: u64,
    pub close_fee: u64,
    /// What the settlement split: the vault minus what it holds apart for the owner.
    pub settleable: u64,
    pub s: Settlement,
}

/// The one close rule (the owner's `close_position` and a keeper's full trigger execution):
/// realizes PnL at `exit` capped at the reserve, charges the borrow fee owed and the close fee,
/// splits the vault's settleable part (`Position::settleable`) between trader and pool, and
/// takes the position out of the market's books, the sweep and the pool. Moves no tokens: the
/// caller pays `s.trader` and `s.pool` out of the vault.
pub fn book_close(
    m: &mut Market,
    pos: &mut Position,
    exit: u64,
    publish_time: i64,
    vault_balance: u64,
    now: i64,
) -> Result<ClosedBooks> {
    let held = m.sweep_touch(Some(pos), now)?;
    let pnl = capped_pnl(unrealized_pnl(pos.side()?.into(), pos.size, pos.entry_price, exit).or_err()?, pos.reserve);
    let (borrow_fee, close_fee) = fees_owed(pos, m, pos.size)?;
    let fees = borrow_fee.checked_add(close_fee).ok_or(RingfenceError::MathOverflow)?;
    let settleable = pos.settleable(vault_balance)?;
    let s = settle(settleable, pos.collateral, pnl, fees, 0).or_err()?;
    m.sweep_remove(pos, now)?;
    m.book_release(pos, s.pool)?;
    m.sweep_hold(held)?;
    m.note_price_time(publish_time);
    Ok(ClosedBooks { pnl, borrow_fee, close_fee, settleable, s })
}

/// A partial close of a position, booked in the market and the position.
#[derive(Clone, Copy, Debug)]
pub struct DecreasedBooks {
    pub borrow_fee: u64,
    pub close_fee: u64,
    pub d: DecreaseSplit,
    /// The position's base quantity left.
    pub qty_left: u128,
}

/// The one decrease rule (the owner's `decrease_position` and a keeper's partial trigger
/// execution): closes `size_delta` at `exit` (`split_decrease`), pays the whole borrow fee owed and
/// the close fee on `size_delta`, and updates the market's books, the sweep and the position.
/// `Ok(None)`, with nothing changed, when fees and losses exceed the collateral left. Moves no
/// tokens: the caller pays `d.to_trader` and `d.to_pool` out of the vault.
pub fn book_decrease(
    m: &mut Market,
    pos: &mut Position,
    size_delta: u64,
    exit: u64,
    publish_time: i64,
    now: i64,
) -> Result<Option<DecreasedBooks>> {
    let pnl_delta = unrealized_pnl(pos.side()?.into(), size_delta, pos.entry_price, exit).or_err()?;
    let (borrow_fee, close_fee) = fees_owed(pos, m, size_delta)?;
    let fees = borrow_fee.checked_add(close_fee).ok_or(RingfenceError::MathOverflow)?;
    let Some(d) = split_decrease(pos.size, pos.collateral, pos.reserve, size_delta, pnl_delta, fees).or_err()? else {
        return Ok(None);
    };
    let held = m.sweep_touch(Some(pos), now)?;
    let qty = wide_get(&pos.qty);
    let qty_released = prorata_qty(qty, size_delta, pos.size).or_err()?;
    let qty_left = qty.checked_sub(qty_released).ok_or(RingfenceError::MathOverflow)?;
    let new_size = pos.size.checked_sub(size_delta).ok_or(RingfenceError::MathOverflow)?;
    m.book_decrease(pos, new_size, qty_left, d.reserve_released, d.to_pool)?;
    m.note_price_time(publish_time);
    pos.size = new_size;
    pos.collateral = d.new_collateral;
    pos.reserve = d.new_reserve;
    pos.qty = wide_set(qty_left);
    pos.borrow_index = m.borrow_index;
    pos.last_price_time = publish_time;
    m.sweep_revalue(pos, now)?;
    m.sweep_hold(held)?;
    Ok(Some(DecreasedBooks { borrow_fee, close_fee, d, qty_left }))
}

/// Signs for a position's vault (its token authority is the position PDA).
pub struct VaultAuthority<'a, 'info> {
    pub vault: &'a AccountInfo<'info>,
    pub position: &'a AccountInfo<'info>,
    pub id_bytes: [u8; 8],
    pub bump: [u8; 1],
    pub market: Pubkey,
    /// The owner at open (in the position's seeds), not necessarily the current one.
    pub seed_owner: Pubkey,
}

/// What a vault's signer seeds need from its position, kept so the position account can be
/// released before the CPI.
#[derive(Clone, Copy, Debug)]
pub struct VaultSigner {
    id: u64,
    bump: u8,
    market: Pubkey,
    seed_owner: Pubkey,
}

impl VaultSigner {
    pub fn of(pos: &Position) -> Self {
        VaultSigner { id: pos.id, bump: pos.bump, market: pos.market, seed_owner: pos.seed_owner }
    }

    pub fn authority<'a, 'info>(
        &self,
        vault: &'a AccountInfo<'info>,
        position: &'a AccountInfo<'info>,
    ) -> VaultAuthority<'a, 'info> {
        VaultAuthority {
            vault,
            position,
            id_bytes: self.id.to_le_bytes(),
            bump: [self.bump],
            market: self.market,
            seed_owner: self.seed_owner,
        }
    }
}

impl<'a, 'info> VaultAuthority<'a, 'info> {
    pub fn new(vault: &'a AccountInfo<'info>, position: &'a AccountInfo<'info>, pos: &Position) -> Self {
        VaultSigner::of(pos).authority(vault, position)
    }

    fn with_seeds<T>(&self, f: impl FnOnce(&[&[&[u8]]]) -> Result<T>) -> Result<T> {
        let seeds: [&[u8]; 5] =
            [crate::state::POSITION_SEED, self.market.as_ref(), self.seed_owner.as_ref(), &self.id_bytes, &self.bump];
        f(&[&seeds])
    }

    /// Transfers `amount` out of the vault (no-op for zero).
    pub fn pay(&self, to: &AccountInfo<'info>, amount: u64) -> Result<()> {
        self.with_seeds(|s| token_transfer(self.vault, to, self.position, amount, s))
    }

    /// Closes the (emptied) vault, rent to `rent_to`.
    pub fn close(&self, rent_to: &AccountInfo<'info>) -> Result<()> {
        self.with_seeds(|seeds| token_close(self.vault, rent_to, self.position, seeds))
    }
}
