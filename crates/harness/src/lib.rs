//! A LiteSVM environment that runs the compiled `target/deploy/ringfence.so`, with SPL Token
//! mints and accounts, Pyth `PriceUpdateV2` fixtures (real layout, real owner), clock control,
//! error and event helpers, and a ready market fixture. Shared by the tests, `demo` and `bench`.
//!
//! Test-support code: it panics (with a message) when the environment itself is broken.
// LiteSVM's transaction results are large by design; they are test values, not hot paths.
#![allow(clippy::result_large_err)]

pub mod fixture;
pub mod oracle;

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::AccountDeserialize;
use anchor_spl::token::spl_token;
use litesvm::types::{FailedTransactionMetadata, TransactionMetadata};
use litesvm::LiteSVM;
use ringfence_sdk::events::{parse_logs, Event};
use ringfence_sdk::PROGRAM_ID;
use solana_account::Account;
use solana_clock::Clock;
use solana_instruction_error::InstructionError;
pub use solana_keypair::Keypair;
pub use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

pub use fixture::*;
pub use oracle::*;

pub type TxResult = Result<TransactionMetadata, FailedTransactionMetadata>;

/// Unix time every environment starts at (deterministic runs).
pub const START_TIME: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

/// Where the compiled program is: `$RINGFENCE_SO`, else `target/deploy/ringfence.so` in the workspace.
pub fn program_so_path() -> PathBuf {
    if let Ok(p) = std::env::var("RINGFENCE_SO") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/deploy/ringfence.so")
}

/// A bump below the canonical one that still derives a Ringfence program address for `seeds`:
/// what an unusual client may pass instead of the canonical bump (tests of such addresses).
pub fn non_canonical_pda(seeds: &[&[u8]]) -> (Pubkey, u8) {
    let (_, canonical) = Pubkey::find_program_address(seeds, &PROGRAM_ID);
    (0..canonical)
        .rev()
        .find_map(|b| {
            let bump = [b];
            let mut with_bump = seeds.to_vec();
            with_bump.push(&bump);
            Pubkey::create_program_address(&with_bump, &PROGRAM_ID).ok().map(|k| (k, b))
        })
        .expect("a non-canonical bump")
}

pub struct Env {
    pub svm: LiteSVM,
    /// Pays transaction fees (wallets still sign for what they authorize and pay their rent).
    pub payer: Keypair,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    pub fn new() -> Self {
        let mut svm = LiteSVM::new();
        let so = program_so_path();
        let bytes = std::fs::read(&so)
            .unwrap_or_else(|e| panic!("cannot read {} ({e}); build it with scripts/build-sbf.sh", so.display()));
        svm.add_program(PROGRAM_ID, &bytes).expect("load ringfence.so");
        let payer = Keypair::new();
        svm.airdrop(&payer.pubkey(), 1_000 * LAMPORTS_PER_SOL).expect("airdrop");
        let mut env = Env { svm, payer };
        env.set_time(START_TIME);
        env
    }

    pub fn now(&self) -> i64 {
        self.svm.get_sysvar::<Clock>().unix_timestamp
    }

    /// Sets the cluster clock (and moves the slot forward, as a real cluster would).
    pub fn set_time(&mut self, unix_timestamp: i64) {
        let mut clock = self.svm.get_sysvar::<Clock>();
        let elapsed = unix_timestamp.saturating_sub(clock.unix_timestamp).max(0) as u64;
        clock.slot += elapsed.saturating_mul(5) / 2 + 1;
        clock.unix_timestamp = unix_timestamp;
        self.svm.set_sysvar(&clock);
    }

    pub fn advance(&mut self, secs: i64) {
        self.set_time(self.now() + secs);
    }

    pub fn new_wallet(&mut self, sol: u64) -> Keypair {
        let kp = Keypair::new();
        self.svm.airdrop(&kp.pubkey(), sol * LAMPORTS_PER_SOL).expect("airdrop");
        kp
    }

    /// Sends one transaction paid by `self.payer`, signed by `signers`. The blockhash is expired
    /// afterwards so that an identical transaction can be sent again (e.g. a second liquidation).
    pub fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> TxResult {
        let mut all: Vec<&Keypair> = vec![&self.payer];
        all.extend(signers.iter().copied().filter(|s| s.pubkey() != self.payer.pubkey()));
        let tx = Transaction::new_signed_with_payer(ixs, Some(&self.payer.pubkey()), &all, self.svm.latest_blockhash());
        let res = self.svm.send_transaction(tx);
        self.svm.expire_blockhash();
        res
    }

    pub fn account(&self, key: &Pubkey) -> Option<Account> {
        self.svm.get_account(key).filter(|a| a.lamports > 0)
    }

    /// Decodes an Anchor account of the program.
    pub fn decode<T: AccountDeserialize>(&self, key: &Pubkey) -> T {
        let acc = self.account(key).unwrap_or_else(|| panic!("account {key} missing"));
        T::try_deserialize(&mut &acc.data[..]).unwrap_or_else(|e| panic!("decode {key}: {e}"))
    }

    // ---- SPL Token ----

    pub fn create_mint(&mut self, authority: &Pubkey, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let rent = self.svm.minimum_balance_for_rent_exemption(spl_token::state::Mint::LEN);
        let ixs = [
            anchor_lang::solana_program::system_instruction::create_account(
                &self.payer.pubkey(),
                &mint.pubkey(),
                rent,
                spl_token::state::Mint::LEN as u64,
                &spl_token::ID,
            ),
            // With a freeze authority, as USDC has: tests freeze accounts with it.
            spl_token::instruction::initialize_mint2(
                &spl_token::ID,
                &mint.pubkey(),
                authority,
                Some(authority),
                decimals,
            )
            .expect("mint ix"),
        ];
        self.send(&ixs, &[&mint]).expect("create mint");
        mint.pubkey()
    }

    pub fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        let acct = Keypair::new();
        let rent = self.svm.minimum_balance_for_rent_exemption(spl_token::state::Account::LEN);
        let ixs = [
            anchor_lang::solana_program::system_instruction::create_account(
                &self.payer.pubkey(),
                &acct.pubkey(),
                rent,
                spl_token::state::Account::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_account3(&spl_token::ID, &acct.pubkey(), mint, owner)
                .expect("account ix"),
        ];
        self.send(&ixs, &[&acct]).expect("create token account");
        acct.pubkey()
    }

    pub fn mint_to(&mut self, mint: &Pubkey, authority: &Keypair, to: &Pubkey, amount: u64) {
        let ix = spl_token::instruction::mint_to(&spl_token::ID, mint, to, &authority.pubkey(), &[], amount)
            .expect("mint_to ix");
        self.send(&[ix], &[authority]).expect("mint_to");
    }

    pub fn transfer_tokens(&mut self, from: &Pubkey, to: &Pubkey, authority: &Keypair, amount: u64) -> TxResult {
        let ix = spl_token::instruction::transfer(&spl_token::ID, from, to, &authority.pubkey(), &[], amount)
            .expect("transfer ix");
        self.send(&[ix], &[authority])
    }

    /// Token balance of a token account; 0 when it does not exist (e.g. a closed vault).
    pub fn token_balance(&self, account: &Pubkey) -> u64 {
        self.token_account(account).map_or(0, |a| a.amount)
    }

    pub fn token_account(&self, account: &Pubkey) -> Option<spl_token::state::Account> {
        let acc = self.account(account)?;
        (acc.owner == spl_token::ID).then(|| spl_token::state::Account::unpack(&acc.data).expect("token account"))
    }

    /// Every token account of `mint` with its balance (for conservation checks).
    pub fn token_accounts_of(&self, mint: &Pubkey) -> Vec<(Pubkey, u64)> {
        let mut v: Vec<(Pubkey, u64)> = self
            .svm
            .get_program_accounts(&spl_token::ID)
            .into_iter()
            .filter(|(_, a)| a.data.len() == spl_token::state::Account::LEN && a.lamports > 0)
            .filter_map(|(k, a)| {
                let t = spl_token::state::Account::unpack(&a.data).ok()?;
                (t.mint == *mint).then_some((k, t.amount))
            })
            .collect();
        v.sort();
        v
    }

    pub fn mint_supply(&self, mint: &Pubkey) -> u64 {
        let acc = self.account(mint).expect("mint");
        spl_token::state::Mint::unpack(&acc.data).expect("mint").supply
    }

    /// Every account the program owns plus every token account of `mints` and the mints
    /// themselves: the whole state a rejected instruction must leave untouched.
    pub fn state_snapshot(&self, mints: &[Pubkey]) -> Vec<(Pubkey, Vec<u8>, u64)> {
        let mut v: Vec<(Pubkey, Vec<u8>, u64)> = self
            .svm
            .get_program_accounts(&PROGRAM_ID)
            .into_iter()
            .filter(|(_, a)| a.lamports > 0)
            .map(|(k, a)| (k, a.data, a.lamports))
            .collect();
        for mint in mints {
            let m = self.account(mint).expect("mint");
            v.push((*mint, m.data, m.lamports));
            for (k, _) in self.token_accounts_of(mint) {
                let a = self.account(&k).expect("token account");
                v.push((k, a.data, a.lamports));
            }
        }
        v.sort();
        v
    }
}

// ---- results ----

/// The `Custom` error code of a failed transaction, if any.
pub fn custom_code(res: &TxResult) -> Option<u32> {
    match res {
        Err(f) => match &f.err {
            TransactionError::InstructionError(_, InstructionError::Custom(c)) => Some(*c),
            _ => None,
        },
        Ok(_) => None,
    }
}

/// Human summary of a failed transaction for assertion messages.
pub fn describe(res: &TxResult) -> String {
    match res {
        Ok(m) => format!("succeeded ({} CU)", m.compute_units_consumed),
        Err(f) => format!("failed: {:?}\n{}", f.err, f.meta.logs.join("\n")),
    }
}

/// Asserts the transaction failed with this Ringfence error.
#[track_caller]
pub fn assert_ringfence_err(res: &TxResult, e: ringfence_sdk::ringfence::error::RingfenceError) {
    let want = ringfence_sdk::error_code(e);
    assert_eq!(custom_code(res), Some(want), "expected {e:?} ({want}), {}", describe(res));
}

/// Asserts the transaction failed with this Anchor framework error (account type checks).
#[track_caller]
pub fn assert_anchor_err(res: &TxResult, e: anchor_lang::error::ErrorCode) {
    let want: u32 = e.into();
    assert_eq!(custom_code(res), Some(want), "expected anchor {e:?} ({want}), {}", describe(res));
}

/// Simulates one instruction and returns its return data (Anchor return values).
pub fn simulate_return(env: &Env, ix: Instruction, signers: &[&Keypair]) -> Result<Vec<u8>, String> {
    let mut all: Vec<&Keypair> = vec![&env.payer];
    all.extend(signers.iter().copied());
    let tx = Transaction::new_signed_with_payer(&[ix], Some(&env.payer.pubkey()), &all, env.svm.latest_blockhash());
    match env.svm.simulate_transaction(tx) {
        Ok(sim) => Ok(sim.meta.return_data.data),
        Err(f) => Err(format!("{:?}\n{}", f.err, f.meta.logs.join("\n"))),
    }
}

/// Events Ringfence emitted in a successful transaction.
pub fn events(res: &TxResult) -> Vec<Event> {
    match res {
        Ok(m) => parse_logs(&m.logs),
        Err(_) => Vec::new(),
    }
}
