pub mod lp_request;
pub mod market;
pub mod position;

pub use lp_request::*;
pub use market::*;
pub use position::*;
