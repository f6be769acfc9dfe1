use anchor_lang::prelude::*;

use crate::error::RingfenceError;

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
/// started after it, at a price published after it, so an LP cannot trade on a price it already
/// knows; until then its tokens or shares are escrowed and take no part in the pool.
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
    /// [`LpRequestKind`] as `u8` (0 deposit, 1 withdrawal).
    pub kind: u8,
    pub bump: u8,
    pub _reserved: [u8; 6],
}

impl LpRequest {
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
const _: () = assert!(LP_REQUEST_SPACE == 8 + 32 * 4 + 8 * 2 + 8);
