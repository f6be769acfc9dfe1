// Anchor's #[program] needs each instruction's generated modules at the crate root;
// every module's `handler` is called by its full path.
#![allow(ambiguous_glob_reexports)]
pub mod accept_admin;
pub mod add_margin;
pub mod apply_pending_change;
pub mod cancel_pending_change;
pub mod close_position;
pub mod decrease_position;
pub mod deposit_liquidity;
pub mod initialize_market;
pub mod liquidate;
pub mod open_position;
pub mod position_health;
pub mod propose_admin;
pub mod remove_margin;
pub mod set_oracle;
pub mod set_params;
pub mod set_pause;
pub mod withdraw_liquidity;

pub use accept_admin::*;
pub use add_margin::*;
pub use apply_pending_change::*;
pub use cancel_pending_change::*;
pub use close_position::*;
pub use decrease_position::*;
pub use deposit_liquidity::*;
pub use initialize_market::*;
pub use liquidate::*;
pub use open_position::*;
pub use position_health::*;
pub use propose_admin::*;
pub use remove_margin::*;
pub use set_oracle::*;
pub use set_params::*;
pub use set_pause::*;
pub use withdraw_liquidity::*;
