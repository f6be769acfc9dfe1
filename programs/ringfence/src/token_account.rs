//! Explicit, allocation-free checks of SPL Token accounts (layout of `spl_token::state::Account`:
//! mint 0..32, owner 32..64, amount 64..72, state at 108; 165 bytes). Replaces Anchor's full
//! unpack, which costs ~900 CU per account here.
use anchor_lang::prelude::*;
use anchor_spl::token::ID as TOKEN_PROGRAM_ID;

use crate::error::RingfenceError;

const LEN: usize = 165;
const STATE_OFFSET: usize = 108;

/// Checks that `info` is an initialized SPL Token account of `mint` (and, if given, owned by
/// `authority`); returns its balance.
///
/// Errors: `NotTokenAccount` (wrong program, size or uninitialized), `MintMismatch`,
/// `TokenOwnerMismatch`.
pub fn check_token_account(info: &AccountInfo, mint: &Pubkey, authority: Option<&Pubkey>) -> Result<u64> {
    require_keys_eq!(*info.owner, TOKEN_PROGRAM_ID, RingfenceError::NotTokenAccount);
    let data = info.try_borrow_data()?;
    require!(data.len() == LEN, RingfenceError::NotTokenAccount);
    require!(data.get(STATE_OFFSET).is_some_and(|s| *s != 0), RingfenceError::NotTokenAccount);
    require!(data.get(0..32) == Some(mint.as_ref()), RingfenceError::MintMismatch);
    if let Some(authority) = authority {
        require!(data.get(32..64) == Some(authority.as_ref()), RingfenceError::TokenOwnerMismatch);
    }
    token_amount(&data)
}

/// Balance of a token account already checked by [`check_token_account`] (or created here).
pub fn token_balance(info: &AccountInfo) -> Result<u64> {
    require_keys_eq!(*info.owner, TOKEN_PROGRAM_ID, RingfenceError::NotTokenAccount);
    let data = info.try_borrow_data()?;
    require!(data.len() == LEN, RingfenceError::NotTokenAccount);
    token_amount(&data)
}

fn token_amount(data: &[u8]) -> Result<u64> {
    let bytes: [u8; 8] =
        data.get(64..72).and_then(|b| b.try_into().ok()).ok_or_else(|| error!(RingfenceError::NotTokenAccount))?;
    Ok(u64::from_le_bytes(bytes))
}
