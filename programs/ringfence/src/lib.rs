use anchor_lang::prelude::*;
declare_id!("RingXTcTq1sQqU1o5pHdcQxN7A2Lx7q1Gf4cSrYbQn8");
#[program]
pub mod ringfence {}
