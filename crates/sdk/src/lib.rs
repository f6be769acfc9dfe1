//! Rust client for Ringfence: PDA derivation, instruction builders, account and event decoding.
//! Used by the test harness, the demo, the benchmark, and (later) the keeper and the CLI.

pub mod amount;
pub mod events;
pub mod ix;
pub mod pda;

pub use anchor_lang::prelude::Pubkey;
pub use ringfence;
pub use ringfence::events::TriggerArgs;
pub use ringfence::state::{LimitOrder, LpRequest, Market, Position, RiskParams, Side, Trigger, TriggerKind};
pub use ringfence_math as math;

/// The Ringfence program id.
pub const PROGRAM_ID: Pubkey = ringfence::ID;
/// The Pyth Solana receiver program: owner of every `PriceUpdateV2` account.
pub const PYTH_RECEIVER_ID: Pubkey = pyth_solana_receiver_sdk::ID;

/// Decodes an Anchor account (discriminator checked).
pub fn decode_account<T: anchor_lang::AccountDeserialize>(data: &[u8]) -> anchor_lang::Result<T> {
    T::try_deserialize(&mut &data[..])
}

/// The program error code (as in `InstructionError::Custom`) of a Ringfence error.
pub fn error_code(e: ringfence::error::RingfenceError) -> u32 {
    e.into()
}
