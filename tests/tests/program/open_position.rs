use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix::{self, MarketKeys};
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::POSITION_SPACE;
use ringfence_sdk::{pda, Side};

use crate::common::*;
use ringfence_sdk::ringfence::state::PriceThreshold;

fn setup() -> (MarketFixture, Wallet) {
    let mut f = MarketFixture::new();
    let t = f.wallet(1_000 * USDC);
    (f, t)
}

#[test]
fn opens_long_with_exact_state_balances_and_event() {
    let (mut f, t) = setup();
    let lamports_before = f.env.svm.get_balance(&t.key()).unwrap();
    let res = f.open(&t, 7, Side::Long, 100 * USDC, 1_000 * USDC); // exactly 10x
    assert!(res.is_ok(), "{}", describe(&res));

    let key = f.position_key(&t.key(), 7);
    let p = f.position(&t.key(), 7);
    assert_eq!((p.market, p.owner, p.vault, p.id), (f.keys.market, t.key(), pda::vault(&key), 7));
    // The entry pays the confidence interval (1 bp of the price) against the trader, to the unit.
    assert_eq!(p.entry_price, npx(100) + npx(100) / 10_000);
    assert_eq!((p.side, p.size, p.collateral, p.entry_price), (0, 1_000 * USDC, 100 * USDC, entry_at(Side::Long, 100)));
    assert_eq!((p.opened_at, p.last_price_time), (f.env.now(), f.env.now()));
    assert_eq!(
        p.bump,
        Pubkey::find_program_address(
            &[b"position", f.keys.market.as_ref(), t.key().as_ref(), &7u64.to_le_bytes()],
            &ringfence_sdk::PROGRAM_ID
        )
        .1
    );
    assert_eq!(f.env.account(&key).unwrap().data.len(), POSITION_SPACE);

    // The vault holds the collateral and the reserve (max profit 50% of notional) from the pool.
    assert_eq!(p.reserve, 500 * USDC);
    let vault = f.env.token_account(&p.vault).expect("vault");
    assert_eq!((vault.mint, vault.owner, vault.amount), (f.mint, key, 600 * USDC));
    assert_eq!(f.env.token_balance(&t.token), 900 * USDC);
    assert_eq!(f.env.token_balance(&f.keys.pool_vault), INITIAL_LIQUIDITY - 500 * USDC);
    let m = f.market();
    assert_eq!((m.long.open_interest, m.short.open_interest, m.positions_open), (1_000 * USDC, 0, 1));
    assert_eq!((m.free_liquidity, m.total_reserved), (INITIAL_LIQUIDITY - 500 * USDC, 500 * USDC));
    f.assert_invariants();

    // The owner paid exactly the rent of the position and its vault.
    let rent = f.env.svm.minimum_balance_for_rent_exemption(POSITION_SPACE)
        + f.env.svm.minimum_balance_for_rent_exemption(165);
    assert_eq!(lamports_before - f.env.svm.get_balance(&t.key()).unwrap(), rent);

    let ev = events(&res);
    let [Event::PositionOpened(e)] = &ev[..] else { panic!("{ev:?}") };
    assert_eq!((e.position, e.owner, e.vault, e.id), (key, t.key(), p.vault, 7));
    assert_eq!((e.side, e.size, e.collateral, e.entry_price), (Side::Long, 1_000 * USDC, 100 * USDC, p.entry_price));
    // First liquidatable price: one unit below 95% of the entry (there equity equals maintenance).
    assert_eq!(e.liquidation_price, PriceThreshold::At(entry_at(Side::Long, 100) * 95 / 100 - 1));
    assert_eq!((e.pool.open_interest_long, e.pool.open_interest_short), (1_000 * USDC, 0));
    assert_eq!((e.open_fee, e.reserve, e.oracle_price), (0, 500 * USDC, npx(100)));
    f.assert_conserved();
}

#[test]
fn opens_many_positions_per_trader_and_short_side() {
    let (mut f, t) = setup();
    f.open(&t, 1, Side::Long, 50 * USDC, 200 * USDC).unwrap();
    f.open(&t, 2, Side::Short, 60 * USDC, 300 * USDC).unwrap();
    let (a, b) = (f.position(&t.key(), 1), f.position(&t.key(), 2));
    assert_ne!(a.vault, b.vault);
    assert_eq!((b.side, b.collateral), (1, 60 * USDC));
    assert_eq!(f.env.token_balance(&a.vault), 50 * USDC + 100 * USDC);
    assert_eq!(f.env.token_balance(&b.vault), 60 * USDC + 150 * USDC);
    let m = f.market();
    assert_eq!((m.long.open_interest, m.short.open_interest, m.positions_open), (200 * USDC, 300 * USDC, 2));
    f.assert_invariants();
    f.assert_conserved();
}

#[test]
fn rejects_zero_amounts_and_over_leverage() {
    let (mut f, t) = setup();
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.open(&t, 1, Side::Long, 0, 1_000 * USDC));
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.open(&t, 1, Side::Long, 100 * USDC, 0));
    // One unit of notional above 10x.
    rejects(&mut f, RingfenceError::LeverageTooHigh, |f| f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC + 1));
    rejects(&mut f, RingfenceError::LeverageTooHigh, |f| f.open(&t, 1, Side::Short, 10 * USDC, 100 * USDC + 1));
    // Dust: below the market's minimum size (its keeper reward would not pay for a liquidation).
    rejects(&mut f, RingfenceError::PositionTooSmall, |f| f.open(&t, 1, Side::Short, 1, 11));
    rejects(&mut f, RingfenceError::PositionTooSmall, |f| f.open(&t, 1, Side::Long, 5 * USDC, 10 * USDC - 1));
}

#[test]
fn rejects_id_reuse_and_foreign_token_accounts() {
    let (mut f, t) = setup();
    f.open(&t, 1, Side::Long, 10 * USDC, 20 * USDC).unwrap();
    rejects(&mut f, RingfenceError::PositionAlreadyExists, |f| f.open(&t, 1, Side::Long, 10 * USDC, 20 * USDC));

    // Someone else's token account as the source.
    let other = f.wallet(1_000 * USDC);
    rejects(&mut f, RingfenceError::TokenOwnerMismatch, |f| {
        let ix = ix::open_position(
            &t.key(),
            &other.token,
            &f.keys,
            2,
            Side::Long,
            10 * USDC,
            20 * USDC,
            ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
        );
        f.env.send(&[ix], &[&t.kp])
    });
    // A token account of another mint.
    let auth = Keypair::new();
    let mint2 = f.env.create_mint(&auth.pubkey(), 6);
    let token2 = f.env.create_token_account(&mint2, &t.key());
    f.env.mint_to(&mint2, &auth, &token2, 1_000 * USDC);
    rejects(&mut f, RingfenceError::MintMismatch, |f| {
        let ix = ix::open_position(
            &t.key(),
            &token2,
            &f.keys,
            2,
            Side::Long,
            10 * USDC,
            20 * USDC,
            ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
        );
        f.env.send(&[ix], &[&t.kp])
    });
    // The market's collateral mint replaced by another mint.
    rejects(&mut f, RingfenceError::MintMismatch, |f| {
        let keys = MarketKeys { collateral_mint: mint2, ..f.keys };
        let ix = ix::open_position(
            &t.key(),
            &token2,
            &keys,
            2,
            Side::Long,
            10 * USDC,
            20 * USDC,
            ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
        );
        f.env.send(&[ix], &[&t.kp])
    });
    // A wallet that is not a token account at all.
    rejects(&mut f, RingfenceError::NotTokenAccount, |f| {
        let ix = ix::open_position(
            &t.key(),
            &t.key(),
            &f.keys,
            2,
            Side::Long,
            10 * USDC,
            20 * USDC,
            ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
        );
        f.env.send(&[ix], &[&t.kp])
    });
}

#[test]
fn insufficient_funds_moves_nothing() {
    let mut f = MarketFixture::new();
    let t = f.wallet(5 * USDC);
    let before = f.snapshot();
    let res = f.open(&t, 1, Side::Long, 10 * USDC, 20 * USDC);
    assert_eq!(custom_code(&res), Some(1), "SPL Token InsufficientFunds expected: {}", describe(&res));
    assert!(before == f.snapshot());
    assert!(f.env.account(&f.position_key(&t.key(), 1)).is_none());
}

#[test]
fn rejects_every_bad_oracle() {
    let (mut f, t) = setup();
    let open = |f: &mut MarketFixture| f.open(&t, 1, Side::Long, 100 * USDC, 500 * USDC);

    // An account with a perfectly valid price, but not the pinned one.
    let other = Pubkey::new_unique();
    let good = f.price_fixture();
    f.env.write_price(&other, &good);
    rejects(&mut f, RingfenceError::OracleAccountMismatch, |f| {
        let keys = MarketKeys { oracle: other, ..f.keys };
        let ix = ix::open_position(
            &t.key(),
            &t.token,
            &keys,
            1,
            Side::Long,
            100 * USDC,
            500 * USDC,
            ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
        );
        f.env.send(&[ix], &[&t.kp])
    });

    // The pinned address holding the right bytes but owned by another program.
    f.write_oracle(&PriceFixture { owner: Pubkey::new_unique(), ..good });
    rejects_anchor(&mut f, AnchorError::AccountOwnedByWrongProgram, open);

    let cases: [(PriceFixture, RingfenceError); 7] = [
        (PriceFixture { feed_id: [1; 32], ..good }, RingfenceError::OracleFeedMismatch),
        (PriceFixture { publish_time: good.publish_time - 31, ..good }, RingfenceError::OraclePriceStale),
        (PriceFixture { price: 0, conf: 0, ..good }, RingfenceError::OraclePriceNotPositive),
        (PriceFixture { price: -px(100), ..good }, RingfenceError::OraclePriceNotPositive),
        // 2% is the bound: 2.01% is too wide.
        (PriceFixture { conf: (px(100) as u64) / 10_000 * 201, ..good }, RingfenceError::OracleConfidenceTooWide),
        (
            PriceFixture { verification: VerificationLevel::Partial { num_signatures: 12 }, ..good },
            RingfenceError::OracleNotFullyVerified,
        ),
        // Exponent so small that the price normalizes to zero.
        (PriceFixture { price: 5, conf: 0, exponent: -12, ..good }, RingfenceError::OraclePriceNotPositive),
    ];
    for (fixture, e) in cases {
        f.write_oracle(&fixture);
        rejects(&mut f, e, open);
    }

    // The bounds themselves are accepted: exactly max age (30 s), exactly 2% confidence.
    f.write_oracle(&PriceFixture { conf: (px(100) as u64) / 50, ..good });
    f.env.advance(30);
    let res = open(&mut f);
    assert!(res.is_ok(), "{}", describe(&res));
}
