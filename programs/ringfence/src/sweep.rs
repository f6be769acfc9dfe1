//! The exact pool value that prices LP shares, and how it is kept exact.
//!
//! A position's worth to the pool is what its vault would return to the pool if it were settled
//! now with no close fee (`ringfence_math::pool_claim`): the profit cap, bad debt and a
//! liquidatable position's keeper reward are all per-position, which per-side sums cannot express.
//! So the pool is valued position by position, by a *sweep*:
//!
//! 1. `start_sweep` (anyone) fixes an oracle mid price and the borrow index.
//! 2. `sweep_positions` (anyone, in batches) values each open position at that price and records
//!    the sweep and the value on the position.
//! 3. Every instruction that changes a valued position re-values it at the price it was valued at
//!    (`revalue`); a position opened during the sweep is valued at its own opening mid price; a
//!    settled position leaves the sum. So the sum stays the exact value of the current positions.
//! 4. When every open position is valued (`counted == positions_open`), the pool is worth exactly
//!    `free_liquidity + value`, and LP requests made before the sweep started are executed at it.
//!
//! A sweep whose price is older than `max_price_age_liquidate_secs` (as it was at the sweep's
//! start) is stale: nothing can execute against it any more, so changes stop maintaining it
//! (staleness never ends: time only grows) and a new one may replace it. A parameter change ends
//! the sweep at once (the values depend on the parameters), and so does a margin change that moves
//! a valued position's worth at the sweep's price (only possible for a position bankrupt or short
//! of its keeper reward there): its owner could otherwise move the pool value an LP request is
//! about to execute at and move it back after.
use anchor_lang::prelude::*;
use ringfence_math::{borrow_fee, liquidation_reward, notional_fee, pool_claim};

use crate::error::{MathResultExt, RingfenceError};
use crate::state::{Market, Position};

/// What `pos` would return to the pool if settled at `price` with borrow fees owed up to the
/// sweep's index (see the module docs). One implementation for the sweep, every re-valuation and
/// off-chain clients.
pub fn position_value(pos: &Position, m: &Market, price: u64) -> Result<u64> {
    let side = pos.side()?.into();
    let index = m.sweep.borrow_index.max(pos.borrow_index);
    let borrow = borrow_fee(pos.size, pos.borrow_index, index).or_err()?;
    let close = notional_fee(pos.size, u64::from(m.params.close_fee_bps)).or_err()?;
    let reward = liquidation_reward(pos.size, u64::from(m.params.liquidation_fee_bps)).or_err()?;
    let mm = u64::from(m.params.maintenance_margin_bps);
    pool_claim(side, pos.size, pos.collateral, pos.reserve, pos.entry_price, price, borrow, close, reward, mm).or_err()
}

impl Market {
    /// Whether the current sweep can still be executed against (its price is not stale).
    pub fn sweep_live(&self, now: i64) -> bool {
        self.sweep.epoch > 0 && now <= self.sweep.expires_at
    }

    /// Whether the current sweep has valued every open position and is still live.
    pub fn sweep_complete(&self, now: i64) -> bool {
        self.sweep_live(now) && self.sweep.counted == self.positions_open
    }

    /// The exact pool value while the sweep is complete.
    pub fn swept_pool_value(&self) -> Result<u64> {
        self.free_liquidity.checked_add(self.sweep.value).ok_or_else(|| error!(RingfenceError::MathOverflow))
    }

    /// Adds `pos` to the live sweep at `price` (a position being valued, or opened during it).
    pub fn sweep_add(&mut self, pos: &mut Position, price: u64) -> Result<()> {
        let v = position_value(pos, self, price)?;
        self.sweep.value = self.sweep.value.checked_add(v).ok_or(RingfenceError::MathOverflow)?;
        self.sweep.counted = self.sweep.counted.checked_add(1).ok_or(RingfenceError::MathOverflow)?;
        pos.sweep_epoch = self.sweep.epoch;
        pos.sweep_price = price;
        pos.sweep_value = v;
        Ok(())
    }

    /// Takes a settled (closed or liquidated) position out of the live sweep.
    pub fn sweep_remove(&mut self, pos: &Position, now: i64) -> Result<()> {
        if !self.sweep_live(now) || pos.sweep_epoch != self.sweep.epoch {
            return Ok(());
        }
        self.sweep.value = self.sweep.value.checked_sub(pos.sweep_value).ok_or(RingfenceError::MathOverflow)?;
        self.sweep.counted = self.sweep.counted.checked_sub(1).ok_or(RingfenceError::MathOverflow)?;
        Ok(())
    }

    /// Re-values a changed position at the price it was valued at (its state is already updated).
    /// Returns whether its value changed.
    pub fn sweep_revalue(&mut self, pos: &mut Position, now: i64) -> Result<bool> {
        if !self.sweep_live(now) || pos.sweep_epoch != self.sweep.epoch {
            return Ok(false);
        }
        let v = position_value(pos, self, pos.sweep_price)?;
        self.sweep.value = self
            .sweep
            .value
            .checked_sub(pos.sweep_value)
            .and_then(|x| x.checked_add(v))
            .ok_or(RingfenceError::MathOverflow)?;
        let changed = v != pos.sweep_value;
        pos.sweep_value = v;
        Ok(changed)
    }

    /// A margin change: re-values the position, and ends the sweep if that moved its value (see
    /// the module docs).
    pub fn sweep_margin_change(&mut self, pos: &mut Position, now: i64) -> Result<()> {
        if self.sweep_revalue(pos, now)? {
            self.end_sweep();
        }
        Ok(())
    }

    /// Ends the current sweep (its values depend on the parameters, which just changed).
    pub fn end_sweep(&mut self) {
        self.sweep.expires_at = i64::MIN;
    }

    /// Values a position opened now (at `mid`, the oracle mid price of its opening) if a sweep is live.
    pub fn sweep_open(&mut self, pos: &mut Position, mid: u64, now: i64) -> Result<()> {
        if self.sweep_live(now) {
            self.sweep_add(pos, mid)?;
        }
        Ok(())
    }
}
