use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::automation::{check_trigger, TriggerCheck};
use crate::error::RingfenceError;
use crate::events::{PoolSnapshot, TriggerExecuted};
use crate::settlement::{book_close, book_decrease, ClosedBooks, DecreasedBooks, ExitQuote, VaultAuthority};
use crate::state::{status, Market, Position, Trigger, TriggerKind};
use crate::token_account::{check_token_account, token_balance};

/// Executes a position's take-profit or stop-loss. Anyone may call it (the keeper); it needs no
/// account the owner controls. The rule is `crate::automation::check_trigger`: an oracle price
/// published after the trigger was set, valid for an owner's close, whose exit price has crossed
/// the trigger, on a position that is not liquidatable. It settles exactly as the owner's
/// `close_position` / `decrease_position` would at that oracle price (not at the trigger price),
/// all from this position's vault:
/// - the keeper gets the trigger's escrowed fee;
/// - the pool gets its part (losses, fees, released reserve);
/// - the owner's part stays in the vault as `residual`, claimed with `claim_residual` (as after a
///   liquidation, so no owner account can block the execution).
///
/// A partial trigger (size below the position's) decreases the position and clears itself; it
/// closes the whole position instead when what would remain is below `min_position_size` or the
/// decrease is not covered by the collateral left. A full close marks the position `CLOSED`: it
/// leaves the market, and its standby, the other trigger's fee and its settlement wait in the
/// vault for the owner's claim. Never paused.
///
/// # Accounts
/// - `keeper`: signer; `keeper_token`: any SPL Token account of the collateral mint (the fee).
/// - `market`: must be `position.market`; `oracle`: must be `market.oracle`;
///   `pool_vault`: must be `market.pool_vault`.
/// - `position`: an open position; `vault`: must be `position.vault`.
///
/// # Errors
/// - `TriggerNotSet`, `PriceNotAfterOrder`, `TriggerNotCrossed`, `PositionLiquidatable`,
///   `PositionNotOpen`.
/// - `MarketMismatch`, `VaultMismatch`, `PoolVaultMismatch`, `MintMismatch`, `NotTokenAccount`;
///   oracle errors (trade rules, including `OraclePriceOlderThanPosition`).
#[derive(Accounts)]
pub struct ExecuteTrigger<'info> {
    pub keeper: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(
        mut,
        has_one = market @ RingfenceError::MarketMismatch,
        has_one = vault @ RingfenceError::VaultMismatch,
    )]
    pub position: AccountLoader<'info, Position>,
    /// CHECK: address is `position.vault` (has_one); created by this program as a token account.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint.
    #[account(mut)]
    pub keeper_token: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<ExecuteTrigger>, kind: TriggerKind) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let mut pos: Position = *a.position.load()?;
    check_token_account(&a.keeper_token, &m.collateral_mint, None)?;
    let vault_balance = token_balance(&a.vault)?;
    let TriggerCheck { quote: ExitQuote { px, exit, .. }, trigger } =
        check_trigger(&mut m, &pos, &a.oracle, kind, now)?;
    // The fee leaves the vault to the keeper; the trigger is consumed.
    *pos.trigger_mut(kind) = Trigger::default();
    let balance = vault_balance.checked_sub(trigger.fee).ok_or(RingfenceError::VaultBelowAccounted)?;

    let size_before = pos.size;
    let partial = trigger.size > 0
        && trigger.size < pos.size
        && pos.size.checked_sub(trigger.size).is_some_and(|left| left >= m.params.min_position_size);
    let decreased =
        if partial { book_decrease(&mut m, &mut pos, trigger.size, exit, px.publish_time, now)? } else { None };
    let (pnl, borrow_fee, close_fee, to_owner, to_pool) = match decreased {
        Some(DecreasedBooks { borrow_fee, close_fee, d, .. }) => (d.pnl, borrow_fee, close_fee, d.to_trader, d.to_pool),
        None => {
            let ClosedBooks { pnl, borrow_fee, close_fee, s, .. } =
                book_close(&mut m, &mut pos, exit, px.publish_time, balance, now)?;
            let apart = pos.held_apart()?;
            pos.release_apart()?;
            pos.residual = apart; // standby, the other trigger's fee, earlier residual
            pos.status = status::CLOSED;
            pos.last_price_time = px.publish_time;
            (pnl, borrow_fee, close_fee, s.trader, s.pool)
        }
    };
    pos.residual = pos.residual.checked_add(to_owner).ok_or(RingfenceError::MathOverflow)?;
    let full_close = pos.status == status::CLOSED;
    let position_info = a.position.to_account_info();
    let vault = VaultAuthority::new(&a.vault, &position_info, &pos);
    vault.pay(&a.keeper_token, trigger.fee)?;
    vault.pay(&a.pool_vault, to_pool)?;
    *a.position.load_mut()? = pos;
    *a.market.load_mut()? = m;

    let (size, collateral, reserve) = if full_close { (0, 0, 0) } else { (pos.size, pos.collateral, pos.reserve) };
    emit!(TriggerExecuted {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        keeper: a.keeper.key(),
        kind,
        trigger_price: trigger.price,
        full_close,
        size_closed: size_before.checked_sub(size).ok_or(RingfenceError::MathOverflow)?,
        size,
        exit_price: exit,
        oracle_price: px.price,
        price_publish_time: px.publish_time,
        pnl,
        borrow_fee,
        close_fee,
        keeper_fee: trigger.fee,
        to_owner,
        to_pool,
        residual: pos.residual,
        collateral,
        reserve,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
