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
    /// Tokens in the vault owed to the owner, apart from collateral: after a liquidation or a
    /// keeper-run close, the owner's whole claim (the vault then holds only this); while open, the
    /// proceeds of keeper-run partial closes (take-profit / stop-loss). Paid by `claim_residual`.
    pub residual: u64,
    /// Standby margin: owner tokens parked in the vault that are not collateral (not in health,
    /// settlement or the pool value). Moved into collateral by `top_up` and by `liquidate` when that
    /// restores health; returned to the owner on close and liquidation; never seized.
    pub standby: u64,
    /// Top-up rule: the collateral moved per `top_up` call (`min(step, standby)`); 0: no rule.
    pub topup_step: u64,
    /// Top-up rule: the keeper's fee per `top_up` call, paid from what standby is left after the
    /// step (`min(fee, standby left)`).
    pub topup_fee: u64,
    /// Take-profit trigger (`price == 0`: none).
    pub take_profit: Trigger,
    /// Stop-loss trigger (`price == 0`: none).
    pub stop_loss: Trigger,
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
    /// Top-up rule: `top_up` runs while equity < `topup_ratio_bps` / 10,000 × the maintenance
    /// requirement (both judged as `liquidate` judges them); 0: no rule.
    pub topup_ratio_bps: u16,
    pub _reserved: [u8; 2],
}

/// A take-profit or stop-loss order on a position, executed by any keeper with `execute_trigger`.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Trigger {
    /// Trigger price (`PRICE_DECIMALS`); 0: no trigger. Crossed when the exit price (oracle price
    /// minus conf for a long, plus conf for a short) is at or beyond it: for a take-profit, a long
    /// at or above, a short at or below; for a stop-loss, the reverse.
    pub price: u64,
    /// Notional to close; 0 (or at least the size at execution): the whole position.
    pub size: u64,
    /// Execution fee escrowed in the vault, paid to the executing keeper.
    pub fee: u64,
    /// Cluster time it was set: only a price published more than `MAX_CLOCK_SKEW_SECS` after it
    /// (certainly not on chain when it was set) can execute it.
    pub set_at: i64,
}

impl Trigger {
    pub fn is_set(&self) -> bool {
        self.price != 0
    }
}

/// A position as a buyer agrees to take it over (`transfer_position`): everything of it that the
/// seller could change before the transfer lands. The transfer fails with `PositionChanged` unless
/// the position matches exactly.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferTerms {
    pub size: u64,
    pub entry_price: u64,
    pub collateral: u64,
    pub reserve: u64,
    /// Borrow index of its last fee settlement (what it owes).
    pub borrow_index: u64,
    pub residual: u64,
    pub standby: u64,
    pub topup_ratio_bps: u16,
    pub topup_step: u64,
    pub topup_fee: u64,
    /// Take-profit and stop-loss, exactly (`set_at` included: re-setting one restarts its clock).
    pub take_profit: TriggerTerms,
    pub stop_loss: TriggerTerms,
}

/// A [`Trigger`] as `TransferTerms` states it.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TriggerTerms {
    pub price: u64,
    pub size: u64,
    pub fee: u64,
    pub set_at: i64,
}

impl TransferTerms {
    pub fn of(p: &Position) -> TransferTerms {
        let t = |t: &Trigger| TriggerTerms { price: t.price, size: t.size, fee: t.fee, set_at: t.set_at };
        TransferTerms {
            size: p.size,
            entry_price: p.entry_price,
            collateral: p.collateral,
            reserve: p.reserve,
            borrow_index: p.borrow_index,
            residual: p.residual,
            standby: p.standby,
            topup_ratio_bps: p.topup_ratio_bps,
            topup_step: p.topup_step,
            topup_fee: p.topup_fee,
            take_profit: t(&p.take_profit),
            stop_loss: t(&p.stop_loss),
        }
    }
}

/// Which trigger of a position.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriggerKind {
    TakeProfit,
    StopLoss,
}

/// Values of [`Position::status`].
pub mod status {
    pub const OPEN: u8 = 0;
    pub const LIQUIDATED: u8 = 1;
    /// Closed in full by a keeper's trigger: the vault holds only `residual`, the owner's claim.
    pub const CLOSED: u8 = 2;
}

impl Position {
    pub fn side(&self) -> Result<Side> {
        Side::from_u8(self.side)
    }

    pub fn is_open(&self) -> bool {
        self.status == status::OPEN
    }

    /// Tokens the vault holds for the owner apart from the position itself: standby, escrowed
    /// trigger fees and the residual. They are never part of a settlement, health or pool value.
    pub fn held_apart(&self) -> Result<u64> {
        [self.standby, self.take_profit.fee, self.stop_loss.fee, self.residual]
            .into_iter()
            .try_fold(0u64, |acc, x| acc.checked_add(x))
            .ok_or_else(|| error!(RingfenceError::MathOverflow))
    }

    /// What of `vault_balance` a settlement of this position splits: the vault minus what it
    /// holds apart (so tokens donated to the vault settle with the position, to the pool).
    pub fn settleable(&self, vault_balance: u64) -> Result<u64> {
        vault_balance.checked_sub(self.held_apart()?).ok_or_else(|| error!(RingfenceError::VaultBelowAccounted))
    }

    /// Tokens this position's vault should hold: collateral + reserve + what it holds apart.
    pub fn vault_claim(&self) -> Result<u64> {
        self.collateral
            .checked_add(self.reserve)
            .and_then(|v| v.checked_add(self.held_apart().ok()?))
            .ok_or_else(|| error!(RingfenceError::MathOverflow))
    }

    pub fn trigger(&self, kind: TriggerKind) -> &Trigger {
        match kind {
            TriggerKind::TakeProfit => &self.take_profit,
            TriggerKind::StopLoss => &self.stop_loss,
        }
    }

    pub fn trigger_mut(&mut self, kind: TriggerKind) -> &mut Trigger {
        match kind {
            TriggerKind::TakeProfit => &mut self.take_profit,
            TriggerKind::StopLoss => &mut self.stop_loss,
        }
    }

    /// Everything the owner gets back beside a settlement when the position ends (close,
    /// liquidation, keeper close): standby and escrowed trigger fees, zeroed here.
    pub fn release_apart(&mut self) -> Result<u64> {
        let out = [self.standby, self.take_profit.fee, self.stop_loss.fee]
            .into_iter()
            .try_fold(0u64, |acc, x| acc.checked_add(x))
            .ok_or_else(|| error!(RingfenceError::MathOverflow))?;
        self.standby = 0;
        self.take_profit = Trigger::default();
        self.stop_loss = Trigger::default();
        Ok(out)
    }
}

/// Bytes of a `Position` account, discriminator included.
pub const POSITION_SPACE: usize = 8 + core::mem::size_of::<Position>();
const _: () = assert!(POSITION_SPACE == 8 + 32 * 4 + 8 * 5 + 16 + 8 * 3 + 8 * 4 + 8 * 3 + 32 * 2 + 8);
