//! Ringfence program tests on the compiled `ringfence.so`, executed by LiteSVM.
//! One test binary (one link of LiteSVM); a module per instruction plus cross-cutting suites.
// LiteSVM's transaction results are large by design; they are test values, not hot paths.
#![allow(clippy::result_large_err)]
mod add_margin;
mod admin;
mod common;
mod economic;
mod increase;
mod initialize_market;
mod isolation;
mod issue9_review;
mod issue9_review2;
mod liquidate;
mod liveness;
mod liveness_review;
mod lp_pool;
mod open_position;
mod oracle;
mod orders;
mod pool_review;
mod randomized;
mod review_attacks;
mod standby;
mod trade_limits;
mod trading;
mod transfer;
mod triggers;
