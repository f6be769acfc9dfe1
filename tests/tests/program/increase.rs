//! `increase_position` (issue 9, section 1): more notional on an open position at the oracle
//! price, priced as an open; entry weighted by base quantity; borrow fee settled first; reserve
//! topped up; initial margin on the whole position; aggregates as if the added part were new.
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix::{self, TradeLimit};
use ringfence_sdk::math::{base_qty, increase_entry};
use ringfence_sdk::ringfence::error::RingfenceError;
use ringfence_sdk::ringfence::state::{pause, wide_get};
use ringfence_sdk::Side;

use crate::common::*;

#[test]
fn an_increase_is_a_new_position_merged_into_the_old_one() {
    let mut f = MarketFixture::with_liquidity(fee_params(), INITIAL_LIQUIDITY);
    let t = f.wallet(10_000 * USDC);
    f.open(&t, 1, Side::Long, 101 * USDC, 1_000 * USDC).unwrap();
    f.advance(86_400); // a day of borrow fees
    f.set_price(px(110));
    let before = f.position(&t.key(), 1);
    let m0 = f.market();
    let (vault0, pool0, wallet0) =
        (f.env.token_balance(&before.vault), f.env.token_balance(&f.keys.pool_vault), f.env.token_balance(&t.token));
    // 2,000 notional needs 200 of collateral after fees (the close fee counted): deposit 110.
    let res = f.increase(&t, 1, 1_000 * USDC, 110 * USDC);
    let ev = events(&res);
    let [Event::PositionIncreased(e)] = &ev[..] else { panic!("{}", describe(&res)) };
    let p = f.position(&t.key(), 1);
    let m = f.market();

    // Priced as an open at 110 (+ conf), its fee on the added notional, the borrow fee settled.
    assert_eq!(e.added_entry_price, entry_at(Side::Long, 110));
    assert_eq!(e.open_fee, USDC); // 0.1% of 1,000
    let borrow =
        (1_000 * USDC as u128 * u128::from(m.borrow_index - before.borrow_index)).div_ceil(1_000_000_000_000) as u64;
    assert!(borrow > 0);
    assert_eq!(e.borrow_fee, borrow);
    assert_eq!(p.collateral, before.collateral + 110 * USDC - USDC - borrow);
    // The added reserve: the added part's PnL at the open part's cap price (150.015, where the old
    // long's PnL reaches its 500 reserve), less than the 500 of a separate position, so the merged
    // position never pays more than the two held apart.
    let cap_price = before.entry_price
        + (u128::from(before.reserve) * u128::from(before.entry_price) / u128::from(before.size)) as u64;
    let added = pnl(Side::Long, 1_000 * USDC, entry_at(Side::Long, 110), cap_price) as u64;
    assert_eq!(e.reserve_added, added);
    assert!(added < 500 * USDC && added > 360 * USDC);
    assert_eq!(p.reserve, before.reserve + added);
    assert_eq!(p.borrow_index, m.borrow_index);
    // Entry weighted by base quantity; the position's quantity is the sum of the parts'.
    let (entry, qty) =
        increase_entry(Side::Long.into(), 1_000 * USDC, wide_get(&before.qty), 1_000 * USDC, entry_at(Side::Long, 110))
            .unwrap();
    assert_eq!((p.size, p.entry_price, wide_get(&p.qty)), (2_000 * USDC, entry, qty));
    assert_eq!(
        qty,
        wide_get(&before.qty) + base_qty(Side::Long.into(), 1_000 * USDC, entry_at(Side::Long, 110)).unwrap()
    );
    // Not the notional-weighted mean (105.005...): between the two entries, nearer the cheaper one.
    assert!(entry > entry_at(Side::Long, 100) && entry < (entry_at(Side::Long, 100) + entry_at(Side::Long, 110)) / 2);
    // The PnL at any price is the parts' PnL summed (to rounding against the trader).
    for units in [90, 100, 105, 120] {
        let whole = pnl(Side::Long, 2_000 * USDC, entry, npx(units));
        let parts = pnl(Side::Long, 1_000 * USDC, before.entry_price, npx(units))
            + pnl(Side::Long, 1_000 * USDC, entry_at(Side::Long, 110), npx(units));
        assert!(whole <= parts + 1 && parts - whole <= 2, "at {units}: whole {whole}, parts {parts}");
    }
    // Tokens: deposit in from the wallet, fees to the pool, reserve from the pool.
    assert_eq!(wallet0 - f.env.token_balance(&t.token), 110 * USDC);
    assert_eq!(f.env.token_balance(&p.vault), vault0 + 110 * USDC - USDC - borrow + added);
    assert_eq!(pool0 + USDC + borrow - added, f.env.token_balance(&f.keys.pool_vault));
    // Aggregates: exactly as if the added part were a new position (the old re-entered at the new index).
    assert_eq!(m.long.open_interest, m0.long.open_interest + 1_000 * USDC);
    assert_eq!(wide_get(&m.long.qty), wide_get(&m0.long.qty) + qty - wide_get(&before.qty));
    assert_eq!(m.total_reserved, m0.total_reserved + added);
    f.assert_invariants();
}

#[test]
fn rejections_move_nothing() {
    let mut f = MarketFixture::new();
    let t = f.wallet(10_000 * USDC);
    let other = f.wallet(10_000 * USDC);
    f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    rejects(&mut f, RingfenceError::ZeroAmount, |f| f.increase(&t, 1, 0, 10 * USDC));
    // Initial margin on the whole position: 2,000 notional needs 200 of collateral.
    rejects(&mut f, RingfenceError::LeverageTooHigh, |f| f.increase(&t, 1, 1_000 * USDC, 99 * USDC));
    // Losses count: at 99 the long has lost ~10, so 100 more is not enough any more.
    f.set_price(px(99));
    rejects(&mut f, RingfenceError::LeverageTooHigh, |f| f.increase(&t, 1, 1_000 * USDC, 100 * USDC));
    // The trader's bound: priced as an open.
    let a = f.position_accounts(&t, 1);
    rejects(&mut f, RingfenceError::PriceWorseThanAcceptable, |f| {
        let limit = TradeLimit { acceptable_price: entry_at(Side::Long, 99) - 1, deadline: None };
        f.step(&[ix::increase_position(&a, 1_000 * USDC, 200 * USDC, limit)], &[&t.kp])
    });
    // Only the owner.
    rejects(&mut f, RingfenceError::OwnerMismatch, |f| {
        let a = ringfence_sdk::ix::PositionAccounts { owner: other.key(), owner_token: other.token, ..a };
        f.step(&[ix::increase_position(&a, 1_000 * USDC, 200 * USDC, TradeLimit::any(Side::Long, true))], &[&other.kp])
    });
    // Paused with opening.
    let admin = admin_of(&f);
    f.env.send(&[ix::set_pause(&admin.pubkey(), &f.keys.market, pause::OPEN)], &[&admin]).unwrap();
    rejects(&mut f, RingfenceError::MarketPaused, |f| f.increase(&t, 1, 1_000 * USDC, 200 * USDC));
    f.env.send(&[ix::set_pause(&admin.pubkey(), &f.keys.market, 0)], &[&admin]).unwrap();
    // Pool liquidity and open-interest caps, as for an open.
    rejects(&mut f, RingfenceError::InsufficientPoolLiquidity, |f| f.increase(&t, 1, 1_000_000 * USDC, 9_000 * USDC));
    assert!(f.increase(&t, 1, 1_000 * USDC, 120 * USDC).is_ok());
    f.assert_invariants();
}
