//! Publishing prices on a local chain through the localnet oracle program (loaded at the Pyth
//! receiver id). Never used against a real cluster.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use localnet_oracle::{accounts, instruction, PostPriceArgs, PRICE_FEED_SEED};

/// The price account of `feed_id` (what a localnet market pins).
pub fn price_account(feed_id: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(&[PRICE_FEED_SEED, feed_id], &localnet_oracle::ID).0
}

/// Publishes `price * 10^exponent ± conf` at `publish_time`, signed by `authority`.
pub fn post_price(
    authority: &Pubkey,
    feed_id: [u8; 32],
    price: i64,
    conf: u64,
    exponent: i32,
    publish_time: i64,
) -> Instruction {
    Instruction {
        program_id: localnet_oracle::ID,
        accounts: accounts::PostPrice {
            authority: *authority,
            price_update: price_account(&feed_id),
            system_program: system_program::ID,
        }
        .to_account_metas(None),
        data: instruction::PostPrice { args: PostPriceArgs { feed_id, price, conf, exponent, publish_time } }.data(),
    }
}
