use anchor_lang::prelude::*;

use crate::error::RingfenceError;
use crate::events::LpRequested;
use crate::state::Market;

/// Seed prefix of [`LpRequest`]: `["lp_request", market, provider]` (one pending request per LP
/// per market).
pub const LP_REQUEST_SEED: &[u8] = b"lp_request";

/// What an LP request asks for.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LpRequestKind {
    /// `amount` collateral tokens wait in the pool vault for shares.
    Deposit,
    /// `amount` LP shares wait in the market's LP escrow for tokens.
    Withdrawal,
}

/// A pending LP deposit or withdrawal. It is executed (by anyone) against a pool sweep that
/// started after it, at a price published after the newest one known when it was made, so an LP
/// cannot trade on a price it already knows; until then its tokens or shares are escrowed and take
/// no part in the pool. Execution pays into the market's escrows (never into an account the LP
/// controls, so the LP cannot block it to choose its moment); the provider then claims.
#[account(zero_copy)]
#[derive(Debug)]
pub struct LpRequest {
    pub market: Pubkey,
    pub provider: Pubkey,
    /// Collateral token account that receives a withdrawal's tokens or a cancelled deposit.
    pub token_account: Pubkey,
    /// LP share account that receives a deposit's shares or a cancelled withdrawal's shares.
    pub lp_account: Pubkey,
    /// Tokens (deposit) or shares (withdrawal) escrowed.
    pub amount: u64,
    /// Cluster time of the request.
    pub requested_at: i64,
    /// The newest oracle publish time known at the request (the pinned account's, or the newest
    /// the market used): the executing sweep's price must be newer.
    pub after_publish_time: i64,
    /// After execution: what waits in escrow for the claim — shares (an executed deposit or a
    /// refunded withdrawal) or tokens (an executed withdrawal or a refunded deposit).
    pub claimable: u64,
    /// Order of the request on its market (`Market::request_seq`): a sweep serves the requests
    /// made before it started.
    pub seq: u64,
    /// [`LpRequestKind`] as `u8` (0 deposit, 1 withdrawal).
    pub kind: u8,
    pub bump: u8,
    /// 1 once executed (then only `claim_lp_request` remains).
    pub executed: u8,
    /// 1 when its execution refunded it (it could not mint a share or pay a token, or the free
    /// liquidity could not pay it): the escrowed tokens or shares come back on the claim.
    pub refunded: u8,
    pub _reserved: [u8; 4],
}

/// Who and what a new request names.
pub struct RequestParties {
    pub market: Pubkey,
    pub provider: Pubkey,
    pub token_account: Pubkey,
    pub lp_account: Pubkey,
}

impl LpRequest {
    /// A new pending request (what `request_deposit` and `request_withdrawal` both record).
    pub fn pending(
        p: RequestParties,
        kind: LpRequestKind,
        amount: u64,
        seq: u64,
        requested_at: i64,
        after_publish_time: i64,
        bump: u8,
    ) -> Self {
        LpRequest {
            market: p.market,
            provider: p.provider,
            token_account: p.token_account,
            lp_account: p.lp_account,
            amount,
            requested_at,
            after_publish_time,
            claimable: 0,
            seq,
            kind: kind.to_u8(),
            bump,
            executed: 0,
            refunded: 0,
            _reserved: [0; 4],
        }
    }

    /// Files a new request (what `request_deposit` and `request_withdrawal` both do once its
    /// tokens or shares are escrowed): numbers it (`Market::record_request`, with the pinned
    /// oracle's publish time), writes the market copy `m` back, initializes `request`, and emits
    /// `LpRequested`.
    #[allow(clippy::too_many_arguments)]
    pub fn file<'info>(
        market: &AccountLoader<'info, Market>,
        m: &mut Market,
        request: &AccountLoader<'info, LpRequest>,
        parties: RequestParties,
        kind: LpRequestKind,
        amount: u64,
        oracle_publish_time: i64,
        now: i64,
        bump: u8,
    ) -> Result<()> {
        let (seq, after) = m.record_request(oracle_publish_time)?;
        *market.load_mut()? = *m;
        let provider = parties.provider;
        *request.load_init()? = LpRequest::pending(parties, kind, amount, seq, now, after, bump);
        emit!(LpRequested {
            market: market.key(),
            provider,
            request: request.key(),
            kind,
            amount,
            pending_deposits: m.pending_deposits,
            timestamp: now,
        });
        Ok(())
    }

    /// Whether its claim pays LP shares (else collateral tokens).
    pub fn claims_shares(&self) -> Result<bool> {
        Ok((self.kind()? == LpRequestKind::Deposit) != (self.refunded == 1))
    }

    pub fn kind(&self) -> Result<LpRequestKind> {
        match self.kind {
            0 => Ok(LpRequestKind::Deposit),
            1 => Ok(LpRequestKind::Withdrawal),
            _ => err!(RingfenceError::InvalidAccountData),
        }
    }
}

impl LpRequestKind {
    pub fn to_u8(self) -> u8 {
        match self {
            LpRequestKind::Deposit => 0,
            LpRequestKind::Withdrawal => 1,
        }
    }
}

/// Bytes of an `LpRequest` account, discriminator included.
pub const LP_REQUEST_SPACE: usize = 8 + core::mem::size_of::<LpRequest>();
const _: () = assert!(LP_REQUEST_SPACE == 8 + 32 * 4 + 8 * 5 + 8);
