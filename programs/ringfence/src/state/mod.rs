pub mod lp_request;
pub mod order;
pub mod market;
pub mod position;

pub use lp_request::*;
pub use order::*;
pub use market::*;
pub use position::*;
