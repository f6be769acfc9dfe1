use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use anchor_spl::token::Token;
use ringfence_math::{meets_initial_margin, notional_fee};

use crate::cpi::{create_pda_account, create_pda_account_holding, token_initialize_account, token_transfer};
use crate::error::{MathResultExt, RingfenceError};
use crate::events::{OrderPlaced, TriggerArgs};
use crate::opening::TOKEN_ACCOUNT_LEN;
use crate::state::{
    pause, LimitOrder, Market, Side, Trigger, ORDER_ESCROW_SEED, ORDER_SEED, ORDER_SPACE, POSITION_SEED,
    POSITION_SPACE, VAULT_SEED,
};
use crate::token_account::check_token_account;

/// Longest order life: 30 days.
pub const MAX_ORDER_LIFE_SECS: i64 = 30 * 86_400;

/// What a limit order asks for.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaceOrderArgs {
    /// The order's id, also the id of the position it opens.
    pub id: u64,
    pub side: Side,
    /// Deposit (the open fee comes out of it at fill, as in `open_position`).
    pub collateral: u64,
    pub size: u64,
    /// Worst entry price: a long fills at or below it, a short at or above.
    pub limit_price: u64,
    /// Cluster time after which it cannot fill.
    pub expiry: i64,
    /// Paid to the filling keeper.
    pub exec_fee: u64,
    /// Set on the position when it opens (price 0: none).
    pub take_profit: TriggerArgs,
    pub stop_loss: TriggerArgs,
    /// Bumps of the position and its vault (`["position", market, owner, id]`, `["vault",
    /// position]`), fixed now.
    pub position_bump: u8,
    pub vault_bump: u8,
    /// Bumps of the order and its escrow (the SDK passes the canonical ones; see
    /// `open_position` for why a client-chosen bump is harmless).
    pub order_bump: u8,
    pub escrow_bump: u8,
}

impl PlaceOrderArgs {
    /// What can be checked before a price exists: amounts, size, expiry, the open fee and the
    /// initial margin on the deposit net of it (as the fill will check), trigger shapes.
    pub fn validate(&self, m: &Market, now: i64) -> Result<()> {
        require!(self.collateral > 0 && self.size > 0 && self.limit_price > 0, RingfenceError::ZeroAmount);
        require!(self.size >= m.params.min_position_size, RingfenceError::PositionTooSmall);
        let latest = now.checked_add(MAX_ORDER_LIFE_SECS).ok_or(RingfenceError::MathOverflow)?;
        require!(self.expiry > now && self.expiry <= latest, RingfenceError::InvalidExpiry);
        let fee = notional_fee(self.size, u64::from(m.params.open_fee_bps)).or_err()?;
        require!(self.collateral > fee, RingfenceError::CollateralBelowFee);
        let net = self.collateral.checked_sub(fee).ok_or(RingfenceError::MathOverflow)?;
        require!(
            meets_initial_margin(self.size, net, u64::from(m.params.initial_margin_bps)).or_err()?,
            RingfenceError::LeverageTooHigh
        );
        for t in [&self.take_profit, &self.stop_loss] {
            require!(t.price > 0 || (t.size == 0 && t.fee == 0), RingfenceError::InvalidTrigger);
        }
        Ok(())
    }
}

impl From<TriggerArgs> for Trigger {
    fn from(t: TriggerArgs) -> Self {
        Trigger { price: t.price, size: t.size, fee: t.fee, set_at: 0 }
    }
}

/// Places a limit open: creates the order `["order", market, owner, id]` and its token escrow
/// `["order_escrow", order]`, and moves into the escrow the deposit, the keeper's execution fee
/// and the fees of the take-profit / stop-loss to set on the position. The order's lamports also
/// pre-fund the rent of the position and its vault, whose addresses (the position id and both
/// bumps) are fixed now. Any keeper fills it with `execute_limit_order`; the owner cancels it at
/// any time with `cancel_limit_order`; after `expiry` anyone closes it with `close_expired_order`.
/// Both refund everything.
///
/// # Accounts
/// - `owner`: signer; pays the rent and the prefund, funds the escrow.
/// - `market`: the market (read); `collateral_mint`: must be `market.collateral_mint`.
/// - `owner_token`: SPL Token account of the collateral mint owned by `owner` (source; the
///   refund account of an expired order).
/// - `order`, `escrow`: created at their PDAs with the client's bumps.
/// - `position`: the position's address (unused: checked empty).
///
/// # Errors
/// - `MarketPaused`: opening is paused.
/// - `ZeroAmount`, `PositionTooSmall`, `InvalidExpiry`, `CollateralBelowFee`, `LeverageTooHigh`,
///   `InvalidTrigger`: see [`PlaceOrderArgs::validate`].
/// - `InvalidBump`: a bump that derives no PDA; `OrderPositionInUse`: the position exists.
/// - `OrderAlreadyExists`: the order account is in use.
/// - `MintMismatch`, `TokenOwnerMismatch`, `NotTokenAccount`.
#[derive(Accounts)]
pub struct PlaceLimitOrder<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub market: AccountLoader<'info, Market>,
    /// CHECK: must be the market's collateral mint (address checked).
    #[account(address = market.load()?.collateral_mint @ RingfenceError::MintMismatch)]
    pub collateral_mint: UncheckedAccount<'info>,
    /// CHECK: checked in the handler: SPL Token account of the collateral mint owned by `owner`.
    #[account(mut)]
    pub owner_token: UncheckedAccount<'info>,
    /// CHECK: created by the handler at its PDA `["order", market, owner, id, order_bump]` (the
    /// runtime checks the signer seeds); must be unused.
    #[account(mut)]
    pub order: UncheckedAccount<'info>,
    /// CHECK: created by the handler as a token account at `["order_escrow", order, escrow_bump]`.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    /// CHECK: the position's PDA (derived in the handler from the args), which must be unused.
    pub position: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<PlaceLimitOrder>, args: PlaceOrderArgs) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let m: Market = *a.market.load()?;
    m.require_not_paused(pause::OPEN)?;
    args.validate(&m, now)?;
    check_token_account(&a.owner_token, &m.collateral_mint, Some(a.owner.key))?;

    let market_key = a.market.key();
    let owner_key = a.owner.key();
    let id_bytes = args.id.to_le_bytes();
    let position = Pubkey::create_program_address(
        &[POSITION_SEED, market_key.as_ref(), owner_key.as_ref(), &id_bytes, &[args.position_bump]],
        ctx.program_id,
    )
    .map_err(|_| error!(RingfenceError::InvalidBump))?;
    let vault = Pubkey::create_program_address(&[VAULT_SEED, position.as_ref(), &[args.vault_bump]], ctx.program_id)
        .map_err(|_| error!(RingfenceError::InvalidBump))?;
    require_keys_eq!(a.position.key(), position, RingfenceError::InvalidBump);
    require!(a.position.data_is_empty() && a.position.owner == &System::id(), RingfenceError::OrderPositionInUse);

    // Lamports for the position's and the vault's rent, held by the order until it fills.
    let rent = Rent::get()?;
    let rent_prefund = rent
        .minimum_balance(POSITION_SPACE)
        .checked_add(rent.minimum_balance(TOKEN_ACCOUNT_LEN))
        .ok_or(RingfenceError::MathOverflow)?;
    require!(a.order.data_is_empty() && a.order.owner == &System::id(), RingfenceError::OrderAlreadyExists);
    let owner = a.owner.to_account_info();
    let system = a.system_program.to_account_info();
    let order_seeds: [&[u8]; 5] = [ORDER_SEED, market_key.as_ref(), owner_key.as_ref(), &id_bytes, &[args.order_bump]];
    create_pda_account_holding(&owner, &a.order, &system, ORDER_SPACE, ctx.program_id, &order_seeds, rent_prefund)?;
    let order_key = a.order.key();
    let escrow_seeds: [&[u8]; 3] = [ORDER_ESCROW_SEED, order_key.as_ref(), &[args.escrow_bump]];
    create_pda_account(&owner, &a.escrow, &system, TOKEN_ACCOUNT_LEN, &anchor_spl::token::ID, &escrow_seeds)?;
    token_initialize_account(&a.escrow, &a.collateral_mint, &order_key)?;

    let order = LimitOrder {
        market: market_key,
        owner: owner_key,
        escrow: a.escrow.key(),
        refund_to: a.owner_token.key(),
        position,
        vault,
        id: args.id,
        collateral: args.collateral,
        size: args.size,
        limit_price: args.limit_price,
        expiry: args.expiry,
        placed_at: now,
        exec_fee: args.exec_fee,
        rent_prefund,
        take_profit: args.take_profit.into(),
        stop_loss: args.stop_loss.into(),
        side: args.side.to_u8(),
        bump: args.order_bump,
        escrow_bump: args.escrow_bump,
        position_bump: args.position_bump,
        vault_bump: args.vault_bump,
        _reserved: [0; 3],
    };
    let escrowed = order.escrowed()?;
    token_transfer(&a.owner_token, &a.escrow, &owner, escrowed, &[])?;
    {
        let mut data = a.order.try_borrow_mut_data()?;
        let (disc, body) = data.split_at_mut_checked(8).ok_or(RingfenceError::InvalidAccountData)?;
        disc.copy_from_slice(LimitOrder::DISCRIMINATOR);
        body.get_mut(..ORDER_SPACE - 8)
            .ok_or(RingfenceError::InvalidAccountData)?
            .copy_from_slice(bytemuck::bytes_of(&order));
    }

    emit!(OrderPlaced {
        market: market_key,
        order: order_key,
        owner: owner_key,
        position,
        vault,
        id: args.id,
        side: args.side,
        collateral: args.collateral,
        size: args.size,
        limit_price: args.limit_price,
        expiry: args.expiry,
        exec_fee: args.exec_fee,
        take_profit: args.take_profit,
        stop_loss: args.stop_loss,
        rent_prefund,
        timestamp: now,
    });
    Ok(())
}
