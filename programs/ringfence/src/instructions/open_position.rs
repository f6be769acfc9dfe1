use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use anchor_spl::token::{Token, ID as TOKEN_PROGRAM_ID};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{base_qty, liquidation_price, meets_initial_margin, notional_fee, reserve_for};

use crate::cpi::{create_pda_account, token_initialize_account, token_transfer};
use crate::error::{MathResultExt, RingfenceError};
use crate::events::{PoolSnapshot, PositionOpened};
use crate::limits::TradeLimit;
use crate::oracle::{read_price, PriceUse};
use crate::state::{pause, status, wide_set, Market, Position, Side, POSITION_SEED, POSITION_SPACE, VAULT_SEED};
use crate::token_account::check_token_account;

/// SPL Token account size.
pub const TOKEN_ACCOUNT_LEN: usize = 165;

/// Opens an isolated position: creates the position and its own token vault, moves the trader's
/// collateral into the vault, the open fee to the pool, and the position's reserve (its maximum
/// profit, `max_profit_bps` of notional) from the pool vault into the position's vault, so the
/// position can always be settled from its vault alone.
///
/// `collateral` is what the trader deposits: the open fee is taken from it and the rest stays in
/// the vault. The entry price is the oracle price plus its confidence interval for a long (minus
/// for a short): against the trader.
///
/// The position is created at `["position", market, owner, id]` with the client's
/// `position_bump`, its vault at `["vault", position]` with `vault_bump` (the SDK passes the
/// canonical bumps; finding them on chain costs ~1,500 CU per try, a number of tries that varies by
/// address). The runtime lets the program sign only for the address the seeds derive, so no bump
/// can create an account anywhere else. A trader may thus hold two positions with the same id at
/// two addresses; that is harmless: no instruction, event or client identifies a position by
/// (market, owner, id) — each is addressed by its own address, holds its own vault (recorded in
/// `Position::vault`), collateral and reserve, counts once in the market's aggregates and the pool
/// sweep, and is liquidated, closed or claimed on its own.
///
/// # Accounts
/// - `owner`: signer, pays rent, funds the collateral.
/// - `market`: the market (pool accounting, aggregates, borrow index are updated).
/// - `oracle`: must be `market.oracle`.
/// - `collateral_mint`: must be `market.collateral_mint`.
/// - `owner_token`: SPL Token account of the collateral mint owned by `owner` (source).
/// - `pool_vault`: must be `market.pool_vault` (receives the fee, funds the reserve).
/// - `position`: PDA `["position", market, owner, id (u64 LE)]`, created.
/// - `vault`: PDA `["vault", position]`, created as a token account whose authority is `position`.
///
/// `limit` is the trader's bound: the entry price (oracle price + conf for a long, - conf for a
/// short) must be no worse than `limit.acceptable_price`, before `limit.deadline` if any.
///
/// # Errors
/// - `MarketPaused`: opening is paused.
/// - `PriceWorseThanAcceptable`, `TradeDeadlinePassed`: outside the trader's bound.
/// - `ZeroAmount`: zero collateral or size. `CollateralBelowFee`: collateral does not exceed the fee.
/// - `PositionTooSmall`: `size` below the market's `min_position_size`.
/// - `LeverageTooHigh`: collateral net of the fee below the initial margin of `size`.
/// - `InsufficientPoolLiquidity`: the pool's free liquidity cannot fund the reserve.
/// - `OpenInterestCapExceeded`: the side's open interest would exceed its cap.
/// - `PositionAlreadyExists`: `position` is already in use.
/// - Oracle: `OracleAccountMismatch`, `OracleFeedMismatch`, `OracleNotFullyVerified`,
///   `OraclePriceStale`, `OraclePriceOlderThanMarket`, `OraclePriceNotPositive`,
///   `OracleConfidenceTooWide`.
/// - `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`, `PoolVaultMismatch`: wrong accounts.
#[derive(Accounts)]
pub struct OpenPosition<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    /// CHECK: must be the market's collateral mint (address checked); the token program checks it
    /// is a mint when it initializes the vault.
    #[account(address = market.load()?.collateral_mint @ RingfenceError::MintMismatch)]
    pub collateral_mint: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint owned by `owner`.
    #[account(mut)]
    pub owner_token: UncheckedAccount<'info>,
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    /// CHECK: created by the handler at its PDA (signer seeds checked by the runtime); must be unused.
    #[account(mut)]
    pub position: UncheckedAccount<'info>,
    /// CHECK: created by the handler at its PDA (signer seeds checked by the runtime).
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

#[allow(clippy::too_many_arguments)] // the instruction's arguments, as the IDL shows them
pub fn handler(
    ctx: Context<OpenPosition>,
    id: u64,
    side: Side,
    collateral: u64,
    size: u64,
    position_bump: u8,
    vault_bump: u8,
    limit: TradeLimit,
) -> Result<()> {
    require!(collateral > 0 && size > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    // Work on a copy; write it back after the CPIs (which borrow the market account).
    let mut m: Market = *a.market.load()?;
    m.require_not_paused(pause::OPEN)?;
    require!(size >= m.params.min_position_size, RingfenceError::PositionTooSmall);
    m.accrue(now)?;
    let held = m.sweep_touch(None, now)?;
    let px = read_price(&a.oracle, &m, now, PriceUse::Trade, 0)?;
    let entry = px.against_trader(side, true)?;
    limit.check(side, true, entry, now)?;
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
    check_token_account(&a.owner_token, &m.collateral_mint, Some(a.owner.key))?;
    require!(a.position.data_is_empty() && a.position.owner == &System::id(), RingfenceError::PositionAlreadyExists);

    // The position PDA `["position", market, owner, id, position_bump]`, then its vault (a token
    // account whose authority is the position) at `["vault", position, vault_bump]`, both with the
    // client's bumps: the runtime lets the program sign only for the addresses those seeds derive,
    // and the position records its vault, so every instruction and client takes it from there.
    // A second position for the same id (another bump) is harmless: see the handler's docs.
    let market_key = a.market.key();
    let owner_key = a.owner.key();
    let id_bytes = id.to_le_bytes();
    let position_key = a.position.key();
    let position_seeds: [&[u8]; 5] =
        [POSITION_SEED, market_key.as_ref(), owner_key.as_ref(), &id_bytes, &[position_bump]];
    let system = a.system_program.to_account_info();
    let payer = a.owner.to_account_info();
    create_pda_account(&payer, &a.position, &system, POSITION_SPACE, ctx.program_id, &position_seeds)?;
    let vault_seeds: [&[u8]; 3] = [VAULT_SEED, position_key.as_ref(), &[vault_bump]];
    create_pda_account(&payer, &a.vault, &system, TOKEN_ACCOUNT_LEN, &TOKEN_PROGRAM_ID, &vault_seeds)?;
    token_initialize_account(&a.vault, &a.collateral_mint, &position_key)?;

    // Collateral in, fee to the pool, reserve from the pool (the market PDA signs for the pool).
    token_transfer(&a.owner_token, &a.vault, &payer, net, &[])?;
    token_transfer(&a.owner_token, &a.pool_vault, &payer, fee, &[])?;
    let market_bump = [m.bump];
    let market_seeds = m.signer_seeds(&market_bump);
    token_transfer(&a.pool_vault, &a.vault, &a.market.to_account_info(), reserve, &[&market_seeds])?;

    let qty = base_qty(side.into(), size, entry).or_err()?;
    m.book_open(side, size, qty, reserve, fee)?;
    m.note_price_time(px.publish_time);

    let mut position = Position {
        market: market_key,
        owner: owner_key,
        vault: a.vault.key(),
        seed_owner: owner_key,
        id,
        size,
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
        side: side.to_u8(),
        bump: position_bump,
        vault_bump,
        status: status::OPEN,
        _reserved: [0; 4],
    };
    m.sweep_open(&mut position, px.price, now)?;
    m.sweep_hold(held)?;
    {
        let mut data = a.position.try_borrow_mut_data()?;
        let (disc, body) = data.split_at_mut_checked(8).ok_or(RingfenceError::InvalidAccountData)?;
        disc.copy_from_slice(Position::DISCRIMINATOR);
        body.get_mut(..POSITION_SPACE - 8)
            .ok_or(RingfenceError::InvalidAccountData)?
            .copy_from_slice(bytemuck::bytes_of(&position));
    }
    *a.market.load_mut()? = m;

    emit!(PositionOpened {
        market: market_key,
        position: position_key,
        owner: owner_key,
        vault: position.vault,
        id,
        side,
        size,
        collateral: net,
        open_fee: fee,
        reserve,
        qty,
        entry_price: entry,
        oracle_price: px.price,
        price_publish_time: px.publish_time,
        borrow_index: m.borrow_index,
        liquidation_price: liquidation_price(
            side.into(),
            size,
            net,
            reserve,
            entry,
            notional_fee(size, u64::from(params.close_fee_bps)).or_err()?,
            u64::from(params.maintenance_margin_bps)
        )
        .or_err()?
        .into(),
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
