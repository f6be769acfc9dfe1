use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use anchor_spl::token::{Token, ID as TOKEN_PROGRAM_ID};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use ringfence_math::{liquidation_price, meets_initial_margin};

use crate::cpi::{create_pda_account, token_initialize_account, token_transfer};
use crate::error::{MathResultExt, RingfenceError};
use crate::events::PositionOpened;
use crate::oracle::read_price;
use crate::state::{Market, Position, Side, POSITION_SEED, POSITION_SPACE, VAULT_SEED};
use crate::token_account::check_token_account;

/// SPL Token account size.
const TOKEN_ACCOUNT_LEN: usize = 165;

/// Opens an isolated position: creates the position and its own token vault, and moves the
/// collateral from the trader into that vault. Entry price is the oracle price.
///
/// `position_bump` and `vault_bump` are the PDA bumps the client derived (the SDK derives the
/// canonical ones). The runtime only lets the program sign for the address those seeds derive,
/// so a wrong bump cannot create an account anywhere else; it is not searched on chain
/// (`find_program_address` costs ~1,500 CU per try).
///
/// # Accounts
/// - `owner`: signer, pays rent, funds the collateral.
/// - `market`: the market (open interest is updated).
/// - `oracle`: must be `market.oracle`.
/// - `collateral_mint`: must be `market.collateral_mint`.
/// - `owner_token`: SPL Token account of the collateral mint owned by `owner` (source).
/// - `position`: PDA `["position", market, owner, id (u64 LE)]`, created.
/// - `vault`: PDA `["vault", position]`, created as a token account whose authority is `position`.
///
/// # Errors
/// - `ZeroAmount`: zero collateral or size.
/// - `LeverageTooHigh`: collateral below the initial margin of `size`.
/// - `PositionAlreadyExists`: `position` is already in use.
/// - Oracle: `OracleAccountMismatch`, `OracleFeedMismatch`, `OracleNotFullyVerified`,
///   `OraclePriceStale`, `OraclePriceNotPositive`, `OracleConfidenceTooWide`.
/// - `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`: wrong collateral mint or source.
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
    /// CHECK: created by the handler at its PDA (signer seeds checked by the runtime); must be unused.
    #[account(mut)]
    pub position: UncheckedAccount<'info>,
    /// CHECK: created by the handler at its PDA (signer seeds checked by the runtime).
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(
    ctx: Context<OpenPosition>,
    id: u64,
    side: Side,
    collateral: u64,
    size: u64,
    position_bump: u8,
    vault_bump: u8,
) -> Result<()> {
    require!(collateral > 0 && size > 0, RingfenceError::ZeroAmount);
    let a = ctx.accounts;
    let market = *a.market.load()?;
    let params = market.params;
    require!(
        meets_initial_margin(size, collateral, u64::from(params.initial_margin_bps)).or_err()?,
        RingfenceError::LeverageTooHigh
    );
    let now = Clock::get()?.unix_timestamp;
    let px = read_price(&a.oracle, &market.feed_id, &params, now)?;
    check_token_account(&a.owner_token, &market.collateral_mint, Some(a.owner.key))?;
    require!(a.position.data_is_empty() && a.position.owner == &System::id(), RingfenceError::PositionAlreadyExists);

    // The position PDA, then its vault (a token account whose authority is the position).
    let market_key = a.market.key();
    let owner_key = a.owner.key();
    let id_bytes = id.to_le_bytes();
    let position_seeds: [&[u8]; 5] =
        [POSITION_SEED, market_key.as_ref(), owner_key.as_ref(), &id_bytes, &[position_bump]];
    let system = a.system_program.to_account_info();
    let payer = a.owner.to_account_info();
    create_pda_account(&payer, &a.position, &system, POSITION_SPACE, ctx.program_id, &position_seeds)?;
    let position_key = a.position.key();
    let vault_seeds: [&[u8]; 3] = [VAULT_SEED, position_key.as_ref(), &[vault_bump]];
    create_pda_account(&payer, &a.vault, &system, TOKEN_ACCOUNT_LEN, &TOKEN_PROGRAM_ID, &vault_seeds)?;
    token_initialize_account(&a.vault, &a.collateral_mint, &position_key)?;

    token_transfer(&a.owner_token, &a.vault, &payer, collateral, &[])?;

    let position = Position {
        market: market_key,
        owner: owner_key,
        vault: a.vault.key(),
        id,
        size,
        entry_price: px.price,
        collateral,
        opened_at: now,
        last_price_time: px.publish_time,
        side: side.to_u8(),
        bump: position_bump,
        vault_bump,
        _reserved: [0; 5],
    };
    {
        let mut data = a.position.try_borrow_mut_data()?;
        let (disc, body) = data.split_at_mut_checked(8).ok_or(RingfenceError::InvalidAccountData)?;
        disc.copy_from_slice(Position::DISCRIMINATOR);
        body.get_mut(..POSITION_SPACE - 8)
            .ok_or(RingfenceError::InvalidAccountData)?
            .copy_from_slice(bytemuck::bytes_of(&position));
    }

    let mut m = a.market.load_mut()?;
    match side {
        Side::Long => {
            m.open_interest_long = m.open_interest_long.checked_add(size).ok_or(RingfenceError::MathOverflow)?
        }
        Side::Short => {
            m.open_interest_short = m.open_interest_short.checked_add(size).ok_or(RingfenceError::MathOverflow)?
        }
    }
    m.positions_open = m.positions_open.checked_add(1).ok_or(RingfenceError::MathOverflow)?;

    emit!(PositionOpened {
        market: market_key,
        position: position_key,
        owner: owner_key,
        vault: position.vault,
        id,
        side,
        size,
        collateral,
        entry_price: px.price,
        price_publish_time: px.publish_time,
        liquidation_price: liquidation_price(
            side.into(),
            size,
            collateral,
            px.price,
            u64::from(params.maintenance_margin_bps)
        )
        .or_err()?,
        open_interest_long: m.open_interest_long,
        open_interest_short: m.open_interest_short,
        timestamp: now,
    });
    Ok(())
}
