//! Pyth `PriceUpdateV2` fixtures: the exact account layout (Anchor discriminator + Borsh) and
//! owner (the Pyth receiver program) that the real receiver writes. The program under test reads
//! them exactly as it reads real ones. (Pyth's network is unreachable here: this is the oracle
//! *publisher* stand-in, nothing else is faked.)
use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountSerialize;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use ringfence_sdk::PYTH_RECEIVER_ID;
use solana_account::Account;

use crate::Env;

/// Price exponent of the fixtures (as most Pyth USD feeds).
pub const PRICE_EXPO: i32 = -8;

/// Converts a price in quote units with up to 8 decimals into a Pyth mantissa at `PRICE_EXPO`.
pub fn pyth_price(units: f64) -> i64 {
    (units * 1e8).round() as i64
}

#[derive(Clone, Copy, Debug)]
pub struct PriceFixture {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
    pub verification: VerificationLevel,
    pub owner: Pubkey,
}

impl PriceFixture {
    pub fn new(feed_id: [u8; 32], price: i64, publish_time: i64) -> Self {
        PriceFixture {
            feed_id,
            price,
            // Non-zero by default, as real Pyth prices: 1 bp of the price (rounded up).
            conf: price.unsigned_abs().div_ceil(10_000),
            exponent: PRICE_EXPO,
            publish_time,
            verification: VerificationLevel::Full,
            owner: PYTH_RECEIVER_ID,
        }
    }

    /// The account bytes, as the Pyth receiver lays them out.
    pub fn data(&self) -> Vec<u8> {
        let update = PriceUpdateV2 {
            write_authority: Pubkey::new_from_array([7; 32]),
            verification_level: self.verification,
            price_message: PriceFeedMessage {
                feed_id: self.feed_id,
                price: self.price,
                conf: self.conf,
                exponent: self.exponent,
                publish_time: self.publish_time,
                prev_publish_time: self.publish_time - 1,
                ema_price: self.price,
                ema_conf: self.conf,
            },
            posted_slot: 1,
        };
        let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
        update.try_serialize(&mut data).expect("serialize PriceUpdateV2");
        data.resize(PriceUpdateV2::LEN, 0);
        data
    }
}

impl Env {
    /// Writes (or overwrites) a price update account.
    pub fn write_price(&mut self, address: &Pubkey, fixture: &PriceFixture) {
        let data = fixture.data();
        let lamports = self.svm.minimum_balance_for_rent_exemption(data.len());
        self.svm
            .set_account(*address, Account { lamports, data, owner: fixture.owner, executable: false, rent_epoch: 0 })
            .expect("write price account");
    }
}
