pub mod market;
pub mod position;

pub use market::*;
pub use position::*;
