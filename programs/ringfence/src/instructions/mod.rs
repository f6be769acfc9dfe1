// Anchor's #[program] needs each instruction's generated modules at the crate root;
// every module's `handler` is called by its full path.
#![allow(ambiguous_glob_reexports)]
pub mod add_margin;
pub mod initialize_market;
pub mod liquidate;
pub mod open_position;

pub use add_margin::*;
pub use initialize_market::*;
pub use liquidate::*;
pub use open_position::*;
