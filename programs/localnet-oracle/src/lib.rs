//! LOCALNET ONLY. Pyth's network is unreachable from a local chain, so this small program is
//! loaded (at genesis) at the Pyth receiver's program id and lets an authority publish prices into
//! `PriceUpdateV2` accounts with the receiver's exact layout, discriminator and owner, fully
//! verified. Ringfence reads them exactly as it reads real ones and does not know the difference.
//! It must never be deployed on a real cluster (it cannot be: the receiver id is Pyth's).
//!
//! One account per feed, PDA `["price_feed", feed_id]`. The first publisher becomes the account's
//! `write_authority` (as with the real receiver); later updates must be signed by it.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

declare_id!("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");

pub const PRICE_FEED_SEED: &[u8] = b"price_feed";

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct PostPriceArgs {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
}

#[error_code]
pub enum LocalnetOracleError {
    #[msg("signer is not this price account's write authority")]
    NotWriteAuthority,
}

#[program]
pub mod localnet_oracle {
    use super::*;

    /// Publishes a price for `args.feed_id`.
    pub fn post_price(ctx: Context<PostPrice>, args: PostPriceArgs) -> Result<()> {
        let update = &mut ctx.accounts.price_update;
        let authority = ctx.accounts.authority.key();
        require!(
            update.write_authority == Pubkey::default() || update.write_authority == authority,
            LocalnetOracleError::NotWriteAuthority
        );
        update.write_authority = authority;
        update.verification_level = VerificationLevel::Full;
        update.price_message = PriceFeedMessage {
            feed_id: args.feed_id,
            price: args.price,
            conf: args.conf,
            exponent: args.exponent,
            publish_time: args.publish_time,
            prev_publish_time: update.price_message.publish_time,
            ema_price: args.price,
            ema_conf: args.conf,
        };
        update.posted_slot = Clock::get()?.slot;
        Ok(())
    }
}

#[derive(Accounts)]
#[instruction(args: PostPriceArgs)]
pub struct PostPrice<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        init_if_needed,
        payer = authority,
        space = PriceUpdateV2::LEN,
        seeds = [PRICE_FEED_SEED, args.feed_id.as_ref()],
        bump,
    )]
    pub price_update: Account<'info, PriceUpdateV2>,
    pub system_program: Program<'info, System>,
}
