use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::automation::{check_topup, TopUpCheck};
use crate::error::RingfenceError;
use crate::events::StandbyApplied;
use crate::settlement::VaultSigner;
use crate::state::{Market, Position};

use crate::token_account::check_token_account;

/// Runs one step of a position's top-up rule. Anyone may call it (the keeper). With a price that
/// `liquidate` would accept (`crate::liquidation::check_topup`: the same price checks and the same
/// judged equity), when equity is below the rule's ratio of the maintenance requirement, moves
/// exactly `min(step, standby)` of the vault's standby into collateral and pays the keeper
/// `min(fee, standby left)` from the standby. Every token moved stays in, or leaves from, this
/// position's vault. Never paused.
///
/// # Accounts
/// - `keeper`: signer; receives the fee into `keeper_token`.
/// - `market`: must be `position.market`; `oracle`: must be `market.oracle`.
/// - `position`: an open position; `vault`: must be `position.vault`.
/// - `keeper_token`: any SPL Token account of the collateral mint.
///
/// # Errors
/// - `NoTopUpRule`, `NoStandby`, `TopUpNotDue`, `PositionNotOpen`.
/// - `MarketMismatch`, `VaultMismatch`, `MintMismatch`, `NotTokenAccount`; oracle errors.
#[derive(Accounts)]
pub struct TopUp<'info> {
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
    /// CHECK: checked in the handler: SPL Token account of the collateral mint.
    #[account(mut)]
    pub keeper_token: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<TopUp>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    // In place (no copies of the two accounts); released before the fee's CPI.
    let mut m = a.market.load_mut()?;
    let mut pos = a.position.load_mut()?;
    check_token_account(&a.keeper_token, &m.collateral_mint, None)?;
    let TopUpCheck { px, health, step: t } = check_topup(&mut m, &pos, &a.oracle, now)?;
    let held = m.sweep_touch(Some(&mut pos), now)?;
    pos.standby = t.standby_left;
    pos.collateral = pos.collateral.checked_add(t.moved).ok_or(RingfenceError::MathOverflow)?;
    pos.last_price_time = px.publish_time;
    m.note_price_time(px.publish_time);
    m.sweep_revalue(&mut pos, now)?;
    m.sweep_hold(held)?;
    emit!(StandbyApplied {
        market: pos.market,
        position: a.position.key(),
        owner: pos.owner,
        keeper: a.keeper.key(),
        rescue: false,
        moved: t.moved,
        keeper_fee: t.fee,
        standby: pos.standby,
        collateral: pos.collateral,
        equity_before: health.health.equity,
        maintenance_requirement: health.health.maintenance_requirement,
        oracle_price: px.price,
        oracle_conf: px.conf,
        price_publish_time: px.publish_time,
        timestamp: now,
    });
    let signer = VaultSigner::of(&pos);
    drop((m, pos));
    signer.authority(&a.vault, &a.position.to_account_info()).pay(&a.keeper_token, t.fee)
}
