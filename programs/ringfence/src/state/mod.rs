pub mod lp_request;
pub mod market;
pub mod order;
pub mod position;

pub use lp_request::*;
pub use market::*;
pub use order::*;
pub use position::*;
