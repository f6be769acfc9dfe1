//! Opening a position: what `open_position` (the owner, at the market price) and
//! `execute_limit_order` (a keeper, from the order's escrow) share. One implementation of the
//! open's rules (fee, initial margin, reserve, pool capacity), of creating the position and its
//! vault at their PDAs, of moving collateral, fee and reserve, and of the market's books.
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use anchor_spl::token::ID as TOKEN_PROGRAM_ID;
use ringfence_math::{base_qty, liquidation_price, meets_initial_margin, notional_fee, reserve_for};

use crate::cpi::{create_pda_account, token_initialize_account, token_transfer};
use crate::error::{MathResultExt, RingfenceError};
use crate::events::{PoolSnapshot, PositionOpened};
use crate::oracle::OraclePrice;
use crate::state::{status, wide_set, Market, Position, Side, Trigger, POSITION_SEED, POSITION_SPACE, VAULT_SEED};

/// SPL Token account size.
pub const TOKEN_ACCOUNT_LEN: usize = 165;

/// The accounts an open writes.
pub struct OpenAccounts<'a, 'info> {
    pub market: &'a AccountInfo<'info>,
    pub collateral_mint: &'a AccountInfo<'info>,
    pub pool_vault: &'a AccountInfo<'info>,
    pub position: &'a AccountInfo<'info>,
    pub vault: &'a AccountInfo<'info>,
    pub system_program: &'a AccountInfo<'info>,
}

/// Where the collateral comes from: a token account and its authority (a wallet that signed, or
/// a PDA signing with `seeds`).
pub struct Funding<'a, 'info> {
    pub token: &'a AccountInfo<'info>,
    pub authority: &'a AccountInfo<'info>,
    pub seeds: &'a [&'a [&'a [u8]]],
    /// The signer that pays the rent of the position and its vault.
    pub rent_payer: &'a AccountInfo<'info>,
}

/// What to open.
#[derive(Clone, Copy, Debug)]
pub struct OpenTerms {
    pub id: u64,
    pub owner: Pubkey,
    pub side: Side,
    /// Deposited: the open fee comes out of it, the rest is the collateral.
    pub collateral: u64,
    pub size: u64,
    pub position_bump: u8,
    pub vault_bump: u8,
    pub take_profit: Trigger,
    pub stop_loss: Trigger,
    /// Tokens moved from the funding account into the vault beside the collateral, held apart
    /// (a filled order's trigger fees, and any tokens sent to its escrow since placement).
    pub extra_to_vault: u64,
    /// The validated oracle price, and the entry price (its side against the trader).
    pub px: OraclePrice,
    pub entry: u64,
}

/// What an open of `size` on `side` with a `collateral` deposit moves.
#[derive(Clone, Copy, Debug)]
pub struct OpenAmounts {
    pub fee: u64,
    /// The collateral: the deposit net of the fee.
    pub net: u64,
    pub reserve: u64,
}

/// The open's checks on `m` as it is: the fee below the deposit, the initial margin on the net
/// collateral, the pool's free liquidity for the reserve and the side's open-interest cap. `open`
/// runs them; the keeper runs them before filling a limit order, so it sends only fills the
/// program will make.
pub fn open_checks(m: &Market, side: Side, collateral: u64, size: u64) -> Result<OpenAmounts> {
    let params = m.params;
    let fee = notional_fee(size, u64::from(params.open_fee_bps)).or_err()?;
    require!(collateral > fee, RingfenceError::CollateralBelowFee);
    let net = collateral.checked_sub(fee).ok_or(RingfenceError::MathOverflow)?;
    require!(
        meets_initial_margin(size, net, u64::from(params.initial_margin_bps)).or_err()?,
        RingfenceError::LeverageTooHigh
    );
    let reserve = reserve_for(side.into(), size, u64::from(params.max_profit_bps)).or_err()?;
    m.require_capacity(side, size, reserve)?;
    Ok(OpenAmounts { fee, net, reserve })
}

/// Opens `t` at `t.entry` (the oracle price `t.px` against the trader) on `m` (accrued, sweep touched
/// with `held`, pause and price already checked by the caller): checks the open fee, the initial
/// margin on the collateral net of the fee, the pool's liquidity for the reserve and the side's
/// open-interest cap; creates the position at `["position", market, owner, id, position_bump]`
/// and its vault at `["vault", position, vault_bump]` (the runtime lets the program sign only
/// for the addresses those seeds derive); moves the net collateral into the vault, the fee to the
/// pool and the reserve from the pool; books it; emits `PositionOpened`. The caller writes `m`
/// back.
pub fn open<'info>(
    acc: &OpenAccounts<'_, 'info>,
    m: &mut Market,
    t: &OpenTerms,
    funding: &Funding<'_, 'info>,
    held: Option<i128>,
    now: i64,
) -> Result<Position> {
    let (px, entry) = (t.px, t.entry);
    let params = m.params;
    let OpenAmounts { fee, net, reserve } = open_checks(m, t.side, t.collateral, t.size)?;
    require!(
        acc.position.data_is_empty() && acc.position.owner == &System::id(),
        RingfenceError::PositionAlreadyExists
    );

    let market_key = acc.market.key();
    let id_bytes = t.id.to_le_bytes();
    let position_key = acc.position.key();
    let position_seeds: [&[u8]; 5] =
        [POSITION_SEED, market_key.as_ref(), t.owner.as_ref(), &id_bytes, &[t.position_bump]];
    create_pda_account(
        funding.rent_payer,
        acc.position,
        acc.system_program,
        POSITION_SPACE,
        &crate::ID,
        &position_seeds,
    )?;
    let vault_seeds: [&[u8]; 3] = [VAULT_SEED, position_key.as_ref(), &[t.vault_bump]];
    create_pda_account(
        funding.rent_payer,
        acc.vault,
        acc.system_program,
        TOKEN_ACCOUNT_LEN,
        &TOKEN_PROGRAM_ID,
        &vault_seeds,
    )?;
    token_initialize_account(acc.vault, acc.collateral_mint, &position_key)?;

    // Collateral in, fee to the pool, reserve from the pool (the market PDA signs for the pool).
    let into_vault = net.checked_add(t.extra_to_vault).ok_or(RingfenceError::MathOverflow)?;
    token_transfer(funding.token, acc.vault, funding.authority, into_vault, funding.seeds)?;
    token_transfer(funding.token, acc.pool_vault, funding.authority, fee, funding.seeds)?;
    let market_bump = [m.bump];
    let market_seeds = m.signer_seeds(&market_bump);
    token_transfer(acc.pool_vault, acc.vault, acc.market, reserve, &[&market_seeds])?;

    let qty = base_qty(t.side.into(), t.size, entry).or_err()?;
    m.book_open(t.side, t.size, qty, reserve, fee)?;
    m.note_price_time(px.publish_time);

    let mut position = Position {
        market: market_key,
        owner: t.owner,
        vault: acc.vault.key(),
        seed_owner: t.owner,
        id: t.id,
        size: t.size,
        entry_price: entry,
        collateral: net,
        reserve,
        qty: wide_set(qty),
        borrow_index: m.borrow_index,
        opened_at: now,
        last_price_time: px.publish_time,
        sweep_epoch: 0,
        sweep_price: 0,
        sweep_value: 0,
        residual: 0,
        standby: 0,
        topup_step: 0,
        topup_fee: 0,
        take_profit: t.take_profit,
        stop_loss: t.stop_loss,
        side: t.side.to_u8(),
        bump: t.position_bump,
        vault_bump: t.vault_bump,
        status: status::OPEN,
        topup_ratio_bps: 0,
        _reserved: [0; 2],
    };
    m.sweep_open(&mut position, px.price, now)?;
    m.sweep_hold(held)?;
    {
        let mut data = acc.position.try_borrow_mut_data()?;
        let (disc, body) = data.split_at_mut_checked(8).ok_or(RingfenceError::InvalidAccountData)?;
        disc.copy_from_slice(Position::DISCRIMINATOR);
        body.get_mut(..POSITION_SPACE - 8)
            .ok_or(RingfenceError::InvalidAccountData)?
            .copy_from_slice(bytemuck::bytes_of(&position));
    }

    emit!(PositionOpened {
        market: market_key,
        position: position_key,
        owner: t.owner,
        vault: position.vault,
        id: t.id,
        side: t.side,
        size: t.size,
        collateral: net,
        open_fee: fee,
        reserve,
        qty,
        entry_price: entry,
        oracle_price: px.price,
        price_publish_time: px.publish_time,
        borrow_index: m.borrow_index,
        liquidation_price: liquidation_price(
            t.side.into(),
            t.size,
            net,
            reserve,
            entry,
            notional_fee(t.size, u64::from(params.close_fee_bps)).or_err()?,
            u64::from(params.maintenance_margin_bps)
        )
        .or_err()?
        .into(),
        pool: PoolSnapshot::of(m),
        timestamp: now,
    });
    Ok(position)
}
