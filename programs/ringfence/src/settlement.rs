//! What closing, decreasing and liquidating share: fees owed, the exit price, paying out of a
//! position's vault.
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{borrow_fee, notional_fee, Settlement};

use crate::cpi::{token_close, token_transfer};
use crate::error::MathResultExt;
use crate::oracle::{read_price, OraclePrice, PriceUse};
use crate::state::{Market, Position, Side};

/// Fees a position owes if `size_part` of it closes now: the borrow fee on its whole notional
/// since its last settlement, and the close fee on `size_part`.
pub fn fees_owed(pos: &Position, market: &Market, size_part: u64) -> Result<(u64, u64)> {
    let borrow = borrow_fee(pos.size, pos.borrow_index, market.borrow_index).or_err()?;
    let close = notional_fee(size_part, u64::from(market.params.close_fee_bps)).or_err()?;
    Ok((borrow, close))
}

/// The price a trader action on a position gets.
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

impl<'a, 'info> VaultAuthority<'a, 'info> {
    pub fn new(vault: &'a AccountInfo<'info>, position: &'a AccountInfo<'info>, pos: &Position) -> Self {
        VaultAuthority {
            vault,
            position,
            id_bytes: pos.id.to_le_bytes(),
            bump: [pos.bump],
            market: pos.market,
            seed_owner: pos.seed_owner,
        }
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

    /// Pays the trader's and the pool's parts of a close and closes the emptied vault, rent to
    /// `rent_to`.
    pub fn pay_and_close(
        &self,
        s: &Settlement,
        trader: &AccountInfo<'info>,
        pool: &AccountInfo<'info>,
        rent_to: &AccountInfo<'info>,
    ) -> Result<()> {
        self.pay(trader, s.trader)?;
        self.pay(pool, s.pool)?;
        self.close(rent_to)
    }

    /// Closes the (emptied) vault, rent to `rent_to`.
    pub fn close(&self, rent_to: &AccountInfo<'info>) -> Result<()> {
        self.with_seeds(|seeds| token_close(self.vault, rent_to, self.position, seeds))
    }
}
