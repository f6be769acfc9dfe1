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
//! 3. A trader instruction on a position first values it if the sweep has not (in its state
//!    before the change, at the sweep's price), re-values it afterwards at the price it was valued
//!    at (a position opened during the sweep at its own opening mid price; a settled one leaves
//!    the sum), and books everything it moved in free liquidity and values into `adjust`. So the
//!    measured value `free + value + adjust` is the pool's exact value at the sweep's price as of
//!    the sweep's start, and only LP flows executed against it move it: no close, decrease,
//!    margin move or liquidation at another price, in any order with an execution, can.
//! 4. When every open position is valued (`counted == positions_open`), LP requests due at the
//!    sweep are executed at the measured value.
//!
//! A sweep whose price is older than `max_price_age_liquidate_secs` (as it was at the sweep's
//! start) is stale: nothing can execute against it any more, so changes stop maintaining it
//! (staleness never ends: time only grows) and a new one may replace it. A parameter change ends
//! the sweep at once (the values depend on the parameters).
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
    // The parameters as of the sweep's start (`PoolSweep`), not the ones in force now.
    let close = notional_fee(pos.size, u64::from(m.sweep.close_fee_bps)).or_err()?;
    let reward = liquidation_reward(pos.size, u64::from(m.sweep.liquidation_fee_bps)).or_err()?;
    let mm = u64::from(m.sweep.maintenance_margin_bps);
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

    /// What trader actions booked back since the sweep started (`PoolSweep::adjust`).
    pub fn sweep_adjust(&self) -> i128 {
        bytemuck::cast(self.sweep.adjust)
    }

    /// The pool value the sweep measures: `free + value + adjust` (see `PoolSweep::adjust`).
    pub fn sweep_measured(&self) -> Result<i128> {
        i128::from(self.free_liquidity)
            .checked_add(i128::from(self.sweep.value))
            .and_then(|v| v.checked_add(self.sweep_adjust()))
            .ok_or_else(|| error!(RingfenceError::MathOverflow))
    }

    /// The exact pool value LP requests execute at while the sweep is complete.
    pub fn swept_pool_value(&self) -> Result<u64> {
        u64::try_from(self.sweep_measured()?).map_err(|_| error!(RingfenceError::MathOverflow))
    }

    /// Before a trader instruction changes `pos` (`None` for an open): if a sweep is live and has
    /// not valued the position yet, values it now, in its state before the change; returns the
    /// measured pool value, which the instruction keeps unchanged with [`Self::sweep_hold`]. So
    /// no trader action — at whatever price, in whatever order with an LP execution — moves the
    /// value LP requests execute at: it stays the pool's value at the sweep's price as of its start.
    pub fn sweep_touch(&mut self, pos: Option<&mut Position>, now: i64) -> Result<Option<i128>> {
        if !self.sweep_live(now) {
            return Ok(None);
        }
        if let Some(pos) = pos {
            if pos.sweep_epoch != self.sweep.epoch {
                let price = self.sweep.price;
                self.sweep_add(pos, price)?;
            }
        }
        Ok(Some(self.sweep_measured()?))
    }

    /// After a trader instruction: books what it moved into `adjust` so the measured value is the
    /// one [`Self::sweep_touch`] returned.
    pub fn sweep_hold(&mut self, before: Option<i128>) -> Result<()> {
        let Some(before) = before else { return Ok(()) };
        let moved = i128::from(self.free_liquidity)
            .checked_add(i128::from(self.sweep.value))
            .ok_or(RingfenceError::MathOverflow)?;
        let adjust = before.checked_sub(moved).ok_or(RingfenceError::MathOverflow)?;
        self.sweep.adjust = bytemuck::cast(adjust);
        Ok(())
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
    pub fn sweep_revalue(&mut self, pos: &mut Position, now: i64) -> Result<()> {
        if !self.sweep_live(now) || pos.sweep_epoch != self.sweep.epoch {
            return Ok(());
        }
        let v = position_value(pos, self, pos.sweep_price)?;
        self.sweep.value = self
            .sweep
            .value
            .checked_sub(pos.sweep_value)
            .and_then(|x| x.checked_add(v))
            .ok_or(RingfenceError::MathOverflow)?;
        pos.sweep_value = v;
        Ok(())
    }

    /// Records a new LP request that knew of prices up to `oracle_publish_time` (the pinned
    /// account's): counts it pending and returns its sequence number and the newest publish time
    /// it knew of (its own or the market's), which the sweep serving it must exceed.
    pub fn record_request(&mut self, oracle_publish_time: i64) -> Result<(u64, i64)> {
        let after = oracle_publish_time.max(self.last_price_time);
        self.pending_requests = self.pending_requests.checked_add(1).ok_or(RingfenceError::MathOverflow)?;
        self.request_seq = self.request_seq.checked_add(1).ok_or(RingfenceError::MathOverflow)?;
        self.newest_request_price_time = self.newest_request_price_time.max(after);
        Ok((self.request_seq, after))
    }

    /// Ends the current sweep (its price came from an oracle account that was just replaced).
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
