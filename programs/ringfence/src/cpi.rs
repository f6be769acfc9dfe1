//! The program's cross-program calls, kept lean: SPL Token `Transfer`, `InitializeAccount3`,
//! `CloseAccount`, and PDA account creation through the System program.
//! Every instruction is built from its documented wire format; the callee validates everything.
use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke_signed;
use anchor_lang::system_program;
use anchor_spl::token::ID as TOKEN_PROGRAM_ID;

/// Data of an SPL Token instruction that takes one `u64` amount: tag, then the amount (LE).
fn amount_ix(tag: u8, amount: u64) -> [u8; 9] {
    let a = amount.to_le_bytes();
    [tag, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]]
}

/// SPL Token `Transfer { amount }` from `from` to `to`, authorized by `authority` (a PDA signs
/// with `signer`; a wallet passes `&[]`). No-op for zero.
pub fn token_transfer<'info>(
    from: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    amount: u64,
    signer: &[&[&[u8]]],
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    let data = amount_ix(3, amount); // TokenInstruction::Transfer
    let ix = Instruction {
        program_id: TOKEN_PROGRAM_ID,
        accounts: vec![
            AccountMeta::new(from.key(), false),
            AccountMeta::new(to.key(), false),
            AccountMeta::new_readonly(authority.key(), true),
        ],
        data: data.to_vec(),
    };
    invoke_signed(&ix, &[from.clone(), to.clone(), authority.clone()], signer).map_err(Into::into)
}

/// SPL Token `CloseAccount`: sends the (empty) account's lamports to `destination`.
pub fn token_close<'info>(
    account: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    signer: &[&[&[u8]]],
) -> Result<()> {
    let ix = Instruction {
        program_id: TOKEN_PROGRAM_ID,
        accounts: vec![
            AccountMeta::new(account.key(), false),
            AccountMeta::new(destination.key(), false),
            AccountMeta::new_readonly(authority.key(), true),
        ],
        data: vec![9], // TokenInstruction::CloseAccount
    };
    invoke_signed(&ix, &[account.clone(), destination.clone(), authority.clone()], signer).map_err(Into::into)
}

/// SPL Token `InitializeAccount3 { owner }` on an allocated, token-program-owned account.
pub fn token_initialize_account<'info>(
    account: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    owner: &Pubkey,
) -> Result<()> {
    let mut data = Vec::with_capacity(33);
    data.push(18); // TokenInstruction::InitializeAccount3
    data.extend_from_slice(owner.as_ref());
    let ix = Instruction {
        program_id: TOKEN_PROGRAM_ID,
        accounts: vec![AccountMeta::new(account.key(), false), AccountMeta::new_readonly(mint.key(), false)],
        data,
    };
    invoke_signed(&ix, &[account.clone(), mint.clone()], &[]).map_err(Into::into)
}

/// SPL Token `InitializeMint2 { decimals, mint_authority, freeze_authority: None }`.
pub fn token_initialize_mint(mint: &AccountInfo<'_>, decimals: u8, authority: &Pubkey) -> Result<()> {
    let mut data = Vec::with_capacity(35);
    data.push(20); // TokenInstruction::InitializeMint2
    data.push(decimals);
    data.extend_from_slice(authority.as_ref());
    data.push(0); // no freeze authority
    let ix = Instruction { program_id: TOKEN_PROGRAM_ID, accounts: vec![AccountMeta::new(mint.key(), false)], data };
    invoke_signed(&ix, std::slice::from_ref(mint), &[]).map_err(Into::into)
}

/// Creates the PDA `target` (signing with `seeds`, which the runtime checks derive `target`)
/// with `space` bytes owned by `owner`, rent paid by `payer`. An address that was pre-funded by
/// someone else is still created (top-up, allocate, assign) instead of failing.
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    space: usize,
    owner: &Pubkey,
    seeds: &[&[u8]],
) -> Result<()> {
    create_pda_account_holding(payer, target, system, space, owner, seeds, 0)
}

/// [`create_pda_account`] holding `extra` lamports beyond its rent (a limit order's prefund of
/// the position's rent), in the same System call.
pub fn create_pda_account_holding<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    space: usize,
    owner: &Pubkey,
    seeds: &[&[u8]],
    extra: u64,
) -> Result<()> {
    let rent = Rent::get()?
        .minimum_balance(space)
        .checked_add(extra)
        .ok_or_else(|| error!(crate::error::RingfenceError::MathOverflow))?;
    let space_u64 = u64::try_from(space).map_err(|_| error!(crate::error::RingfenceError::MathOverflow))?;
    let signer: &[&[&[u8]]] = &[seeds];
    let current = target.lamports();
    if current == 0 {
        let accounts = system_program::CreateAccount { from: payer.clone(), to: target.clone() };
        return system_program::create_account(
            CpiContext::new_with_signer(system.key(), accounts, signer),
            rent,
            space_u64,
            owner,
        );
    }
    let top_up = rent.saturating_sub(current);
    if top_up > 0 {
        let accounts = system_program::Transfer { from: payer.clone(), to: target.clone() };
        system_program::transfer(CpiContext::new(system.key(), accounts), top_up)?;
    }
    let accounts = system_program::Allocate { account_to_allocate: target.clone() };
    system_program::allocate(CpiContext::new_with_signer(system.key(), accounts, signer), space_u64)?;
    let accounts = system_program::Assign { account_to_assign: target.clone() };
    system_program::assign(CpiContext::new_with_signer(system.key(), accounts, signer), owner)
}

/// Moves `amount` lamports out of `from`, an account this program owns, into `to`. Only after
/// the instruction's last CPI: the runtime checks at each CPI that the accounts it sees balance.
pub fn move_lamports(from: &AccountInfo<'_>, to: &AccountInfo<'_>, amount: u64) -> Result<()> {
    use crate::error::RingfenceError;
    let left = from.lamports().checked_sub(amount).ok_or(RingfenceError::RentPrefundShort)?;
    let credited = to.lamports().checked_add(amount).ok_or(RingfenceError::MathOverflow)?;
    **from.try_borrow_mut_lamports()? = left;
    **to.try_borrow_mut_lamports()? = credited;
    Ok(())
}

/// SPL Token `MintTo { amount }`, authorized by the mint authority PDA (`signer`).
pub fn token_mint_to<'info>(
    mint: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    amount: u64,
    signer: &[&[&[u8]]],
) -> Result<()> {
    let data = amount_ix(7, amount); // TokenInstruction::MintTo
    let ix = Instruction {
        program_id: TOKEN_PROGRAM_ID,
        accounts: vec![
            AccountMeta::new(mint.key(), false),
            AccountMeta::new(to.key(), false),
            AccountMeta::new_readonly(authority.key(), true),
        ],
        data: data.to_vec(),
    };
    invoke_signed(&ix, &[mint.clone(), to.clone(), authority.clone()], signer).map_err(Into::into)
}

/// SPL Token `Burn { amount }` from `from`, authorized by its owner (a PDA signing with `signer`).
pub fn token_burn<'info>(
    from: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    owner: &AccountInfo<'info>,
    amount: u64,
    signer: &[&[&[u8]]],
) -> Result<()> {
    let data = amount_ix(8, amount); // TokenInstruction::Burn
    let ix = Instruction {
        program_id: TOKEN_PROGRAM_ID,
        accounts: vec![
            AccountMeta::new(from.key(), false),
            AccountMeta::new(mint.key(), false),
            AccountMeta::new_readonly(owner.key(), true),
        ],
        data: data.to_vec(),
    };
    invoke_signed(&ix, &[from.clone(), mint.clone(), owner.clone()], signer).map_err(Into::into)
}
