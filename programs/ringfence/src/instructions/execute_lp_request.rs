use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use ringfence_math::{bps_ceil, quote_deposit, quote_withdraw};

use crate::cpi::{token_burn, token_mint_to};
use crate::error::{MathResultExt, RingfenceError};
use crate::events::{LpRequestExecuted, PoolSnapshot};
use crate::state::{LpRequest, LpRequestKind, Market};

/// Executes a pending LP request at the exact pool value of a complete, live pool sweep that
/// started after the request, at a price published after the newest one known at the request (see
/// `crate::sweep`): pool value = free liquidity + Σ over open positions of what each vault would
/// return to the pool. Shares are priced pro rata over every share (LP and dead), rounded against
/// the acting LP, after the LP fee (which stays in the pool). Anyone may call it (the keeper does,
/// in the transaction that completes the sweep).
///
/// Deposit: the escrowed tokens join the free liquidity and the shares are minted into the LP
/// escrow. Withdrawal: the escrowed shares are burned and their value net of the fee leaves the
/// free liquidity, held in the pool vault. Either way the result waits for `claim_lp_request`: no
/// account the LP controls takes part, so the LP cannot make the execution fail to choose a later
/// moment.
///
/// A request that cannot complete (a deposit too small to mint a share; a withdrawal paying
/// nothing or more than the free liquidity) is refunded instead: its escrow less the LP fee comes
/// back on the claim, so no request can hold a sweep open, wait for a better moment, or be
/// aborted for free once its price is known.
///
/// # Accounts
/// - `market`; `request`: a pending request of this market; `pool_vault`, `lp_mint`, `lp_escrow`:
///   the market's.
///
/// # Errors
/// - `RequestAlreadyExecuted`.
/// - `SweepNotComplete`: the sweep is not live or has not valued every open position.
/// - `SweepPredatesRequest`: the request was made after the sweep started, or the sweep's price
///   is not newer than the newest one known at the request.
/// - `MarketMismatch`, `PoolVaultMismatch`, `LpMintMismatch`, `LpEscrowMismatch`.
#[derive(Accounts)]
pub struct ExecuteLpRequest<'info> {
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    #[account(mut, has_one = market @ RingfenceError::MarketMismatch)]
    pub request: AccountLoader<'info, LpRequest>,
    /// CHECK: address is `market.pool_vault`, created by this program as a token account.
    #[account(mut, address = market.load()?.pool_vault @ RingfenceError::PoolVaultMismatch)]
    pub pool_vault: UncheckedAccount<'info>,
    /// CHECK: address is `market.lp_mint`, created by this program as a mint.
    #[account(mut, address = market.load()?.lp_mint @ RingfenceError::LpMintMismatch)]
    pub lp_mint: UncheckedAccount<'info>,
    /// CHECK: address is `market.lp_escrow`, created by this program as an LP token account.
    #[account(mut, address = market.load()?.lp_escrow @ RingfenceError::LpEscrowMismatch)]
    pub lp_escrow: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<ExecuteLpRequest>) -> Result<()> {
    let a = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut m: Market = *a.market.load()?;
    let mut req: LpRequest = *a.request.load()?;
    require!(req.executed == 0, RingfenceError::RequestAlreadyExecuted);
    require!(m.sweep_complete(now), RingfenceError::SweepNotComplete);
    require!(
        req.seq <= m.sweep.seq_at_start && m.sweep.publish_time > req.after_publish_time,
        RingfenceError::SweepPredatesRequest
    );
    m.accrue(now)?;
    let value = m.swept_pool_value()?;
    let kind = req.kind()?;
    let fee_bps = u64::from(m.params.lp_fee_bps);
    let bump = [m.bump];
    let seeds = m.signer_seeds(&bump);
    let market_info = a.market.to_account_info();
    // A request that cannot complete at its sweep is refunded rather than left waiting: it can
    // never hold a sweep open nor wait for a better moment.
    let (shares, amount, fee) = match kind {
        LpRequestKind::Deposit => match quote_deposit(req.amount, value, m.lp_supply, m.dead_shares, fee_bps)
            .or_err()?
        {
            Some(q) => {
                token_mint_to(&a.lp_mint, &a.lp_escrow, &market_info, q.shares, &[&seeds])?;
                m.pending_deposits = m.pending_deposits.checked_sub(req.amount).ok_or(RingfenceError::MathOverflow)?;
                m.free_liquidity = m.free_liquidity.checked_add(req.amount).ok_or(RingfenceError::MathOverflow)?;
                m.lp_supply = m.lp_supply.checked_add(q.shares).ok_or(RingfenceError::MathOverflow)?;
                m.dead_shares = m.dead_shares.checked_add(q.dead_shares).ok_or(RingfenceError::MathOverflow)?;
                req.claimable = q.shares;
                (q.shares, req.amount, q.fee)
            }
            None => {
                // Too small to mint a share: the tokens less the LP fee wait for the claim.
                let fee = bps_ceil(req.amount, fee_bps).or_err()?;
                let back = req.amount.checked_sub(fee).ok_or(RingfenceError::MathOverflow)?;
                m.pending_deposits = m.pending_deposits.checked_sub(req.amount).ok_or(RingfenceError::MathOverflow)?;
                m.free_liquidity = m.free_liquidity.checked_add(fee).ok_or(RingfenceError::MathOverflow)?;
                m.pending_payouts = m.pending_payouts.checked_add(back).ok_or(RingfenceError::MathOverflow)?;
                req.claimable = back;
                req.refunded = 1;
                (0, back, fee)
            }
        },
        LpRequestKind::Withdrawal => {
            let (gross, fee) = quote_withdraw(req.amount, value, m.lp_supply, m.dead_shares, fee_bps).or_err()?;
            let pay = gross.checked_sub(fee).ok_or(RingfenceError::MathOverflow)?;
            if pay > 0 && pay <= m.free_liquidity {
                token_burn(&a.lp_escrow, &a.lp_mint, &market_info, req.amount, &[&seeds])?;
                m.free_liquidity = m.free_liquidity.checked_sub(pay).ok_or(RingfenceError::MathOverflow)?;
                m.pending_payouts = m.pending_payouts.checked_add(pay).ok_or(RingfenceError::MathOverflow)?;
                m.lp_supply = m.lp_supply.checked_sub(req.amount).ok_or(RingfenceError::MathOverflow)?;
                req.claimable = pay;
                (req.amount, pay, fee)
            } else {
                // Nothing to pay, or more than the free liquidity: the shares less the LP fee (burned,
                // to the remaining LPs) come back on the claim.
                let fee_shares = bps_ceil(req.amount, fee_bps).or_err()?;
                token_burn(&a.lp_escrow, &a.lp_mint, &market_info, fee_shares, &[&seeds])?;
                m.lp_supply = m.lp_supply.checked_sub(fee_shares).ok_or(RingfenceError::MathOverflow)?;
                req.claimable = req.amount.checked_sub(fee_shares).ok_or(RingfenceError::MathOverflow)?;
                req.refunded = 1;
                (req.claimable, 0, fee_shares)
            }
        }
    };
    req.executed = 1;
    m.pending_requests = m.pending_requests.checked_sub(1).ok_or(RingfenceError::MathOverflow)?;
    m.sweep.requests_due = m.sweep.requests_due.saturating_sub(1);
    m.refresh_rate()?;
    *a.request.load_mut()? = req;
    *a.market.load_mut()? = m;
    emit!(LpRequestExecuted {
        market: a.market.key(),
        provider: req.provider,
        request: a.request.key(),
        kind,
        refunded: req.refunded == 1,
        shares,
        amount,
        lp_fee: fee,
        pool_value: value,
        sweep_epoch: m.sweep.epoch,
        sweep_price: m.sweep.price,
        sweep_publish_time: m.sweep.publish_time,
        requested_at: req.requested_at,
        pool: PoolSnapshot::of(&m),
        timestamp: now,
    });
    Ok(())
}
