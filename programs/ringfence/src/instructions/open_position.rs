use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::error::RingfenceError;
use crate::limits::TradeLimit;
use crate::opening::{open, Funding, OpenAccounts, OpenTerms};
use crate::oracle::{read_price, PriceUse};
use crate::state::{pause, Market, Side, Trigger};
use crate::token_account::check_token_account;

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
    check_token_account(&a.owner_token, &m.collateral_mint, Some(a.owner.key))?;

    let owner = a.owner.to_account_info();
    let accounts = OpenAccounts {
        market: &a.market.to_account_info(),
        collateral_mint: &a.collateral_mint,
        pool_vault: &a.pool_vault,
        position: &a.position,
        vault: &a.vault,
        system_program: &a.system_program.to_account_info(),
    };
    let terms = OpenTerms {
        id,
        owner: owner.key(),
        side,
        collateral,
        size,
        position_bump,
        vault_bump,
        take_profit: Trigger::default(),
        stop_loss: Trigger::default(),
        extra_to_vault: 0,
        px,
        entry,
    };
    let funding = Funding { token: &a.owner_token, authority: &owner, seeds: &[], rent_payer: &owner };
    open(&accounts, &mut m, &terms, &funding, held, now)?;
    *a.market.load_mut()? = m;
    Ok(())
}
