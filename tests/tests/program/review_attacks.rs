//! Security review of the LP request / pool sweep change: concrete attacks, each written so that
//! the test asserts the SAFE behaviour and therefore FAILS while the attack works.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::token::spl_token;
use ringfence_harness::*;
use ringfence_sdk::events::Event;
use ringfence_sdk::ix;
use ringfence_sdk::math::PRICE_ONE;
use ringfence_sdk::{pda, LpRequest, RiskParams, Side};

use crate::common::*;

const TOKEN_ACCOUNT_LEN: u64 = 165;

fn executed(res: &TxResult) -> ringfence_sdk::ringfence::events::LpRequestExecuted {
    let evs = events(res);
    evs.iter()
        .find_map(|e| match e {
            Event::LpRequestExecuted(e) => Some(e.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no LpRequestExecuted: {}", describe(res)))
}

/// Normalized program price of a mantissa at exponent -8.
fn norm(mantissa: i64) -> u64 {
    (mantissa as u64) * (PRICE_ONE / 100_000_000)
}

/// A fresh SPL token account at a keypair address the attacker controls (so it can be closed and
/// re-created at the same address).
fn create_token_account_ixs(f: &MarketFixture, acct: &Keypair, mint: &Pubkey, owner: &Pubkey) -> Vec<Instruction> {
    let rent = f.env.svm.minimum_balance_for_rent_exemption(TOKEN_ACCOUNT_LEN as usize);
    vec![
        system_instruction::create_account(&owner.clone(), &acct.pubkey(), rent, TOKEN_ACCOUNT_LEN, &spl_token::ID),
        spl_token::instruction::initialize_account3(&spl_token::ID, &acct.pubkey(), mint, owner).expect("init ix"),
    ]
}

fn close_token_account_ix(acct: &Pubkey, owner: &Pubkey) -> Instruction {
    spl_token::instruction::close_account(&spl_token::ID, acct, owner, owner, &[]).expect("close ix")
}

/// Honest traders net long 150,000 on the pool: the pool's value rises when the price falls.
fn honest_longs(f: &mut MarketFixture) -> Vec<Wallet> {
    let traders: Vec<Wallet> = (0..3).map(|_| f.wallet(10_000 * USDC)).collect();
    for t in &traders {
        f.open(t, 1, Side::Long, 5_050 * USDC, 50_000 * USDC).expect("honest long");
    }
    traders
}

// ---------------------------------------------------------------------------------------------
// Finding 1: the provider controls whether its own request can execute (it chooses the token / LP
// account the program pays into, and may close it). So it can keep the keeper from executing it at
// the first sweep after the request, then execute it itself, at a complete sweep whose price is up
// to `max_price_age_trade_secs` old, when it already knows a newer price; or cancel it for free
// after 600 s. "Executed at a price published after the request" no longer means "at a price the
// LP did not know".
// ---------------------------------------------------------------------------------------------

/// The keeper must be able to execute a request at the first complete sweep after it: a provider
/// that closes the account its shares are minted to blocks it.
#[test]
fn provider_cannot_block_the_keeper_from_executing_its_request() {
    let mut f = MarketFixture::with_liquidity(fee_params(), 200_000 * USDC);
    honest_longs(&mut f);
    let attacker = f.wallet(100_000 * USDC);
    let blk = Keypair::new();
    let mut ixs = create_token_account_ixs(&f, &blk, &f.keys.lp_mint, &attacker.key());
    ixs.push(ix::request_deposit(&attacker.key(), &attacker.token, &blk.pubkey(), &f.keys, 100_000 * USDC));
    // The LP account is empty: its owner may close it whenever it likes (and re-create it later).
    ixs.push(close_token_account_ix(&blk.pubkey(), &attacker.key()));
    let res = f.step(&ixs, &[&attacker.kp, &blk]);
    assert!(res.is_ok(), "request + close: {}", describe(&res));

    // The honest keeper, one second later: sweep at the new price, execute.
    f.advance(1);
    f.start_sweep().unwrap();
    f.sweep_all().unwrap();
    let res = f.execute(&attacker.key());
    assert!(
        res.is_ok(),
        "the keeper could not execute the request at the first complete sweep after it (the provider blocked it): {}",
        describe(&res)
    );
}

/// The whole attack: block the keeper, wait while the complete sweep stays live, then execute at
/// its stale value once a newer price makes it favourable. Now execution pays into the market's
/// escrows, so the keeper executes at the first sweep whatever the provider does with its
/// accounts, and an executed request cannot be executed again at a later, staler moment.
#[test]
fn blocked_deposit_executes_later_at_a_stale_sweep_value() {
    use ringfence_sdk::ringfence::error::RingfenceError;
    let mut f = MarketFixture::with_liquidity(fee_params(), 200_000 * USDC);
    honest_longs(&mut f);
    let attacker = f.wallet(100_000 * USDC);
    let blk = Keypair::new();
    let mut ixs = create_token_account_ixs(&f, &blk, &f.keys.lp_mint, &attacker.key());
    ixs.push(ix::request_deposit(&attacker.key(), &attacker.token, &blk.pubkey(), &f.keys, 100_000 * USDC));
    ixs.push(close_token_account_ix(&blk.pubkey(), &attacker.key()));
    f.step(&ixs, &[&attacker.kp, &blk]).expect("request + close");
    f.advance(1);
    f.start_sweep().unwrap();
    f.sweep_all().unwrap();
    let e = executed(&f.execute(&attacker.key()));
    assert_eq!(e.sweep_price, norm(px(100)), "executed at the first sweep after the request");
    f.env.advance(20);
    f.set_price(px(98));
    rejects(&mut f, RingfenceError::RequestAlreadyExecuted, |f| f.execute(&attacker.key()));
    // The shares wait in escrow for the provider's claim, into an account of its own.
    let res = f.claim(&attacker);
    assert!(res.is_ok(), "{}", describe(&res));
    assert_eq!(f.lp_balance(&attacker), e.shares);
}

/// Nobody can skip a request's first sweep: a complete sweep with requests due at it cannot be
/// replaced by a later one (where the provider would pick a better price) until they are executed.
#[test]
fn a_complete_sweep_with_requests_due_cannot_be_replaced() {
    use ringfence_sdk::ringfence::error::RingfenceError;
    let mut f = MarketFixture::with_liquidity(fee_params(), 200_000 * USDC);
    honest_longs(&mut f);
    let attacker = f.wallet(100_000 * USDC);
    f.request_deposit(&attacker, 100_000 * USDC).unwrap();
    f.advance(1);
    f.start_sweep().unwrap();
    f.sweep_all().unwrap();
    // The provider completes the sweep itself and, not liking its price, tries to start another.
    f.env.advance(5);
    f.set_price(px(99));
    rejects(&mut f, RingfenceError::SweepRequestsDue, |f| f.start_sweep());
    // Once the due request is executed (by anyone), a new sweep may start.
    f.execute(&attacker.key()).unwrap();
    assert!(f.start_sweep().is_ok());
}

/// Waiting out a request is not a free option: a request cancelled after the delay pays the LP fee.
#[test]
fn blocked_request_is_a_free_option() {
    let mut f = MarketFixture::with_liquidity(fee_params(), 200_000 * USDC);
    honest_longs(&mut f);
    let attacker = f.wallet(100_000 * USDC);
    f.request_deposit(&attacker, 100_000 * USDC).unwrap();
    // No sweep executes it (no keeper): after 600 s the provider cancels.
    f.env.advance(600);
    let request = pda::lp_request(&f.keys.market, &attacker.key());
    let req: LpRequest = f.env.decode(&request);
    let free_before = f.market().free_liquidity;
    let res = f.step(&[ix::cancel_lp_request(&f.keys, &request, &req)], &[&attacker.kp]);
    assert!(res.is_ok(), "{}", describe(&res));
    let fee = 100_000 * USDC * u64::from(f.params.lp_fee_bps) / 10_000;
    assert_eq!(f.env.token_balance(&attacker.token), 100_000 * USDC - fee, "cancel pays the LP fee");
    assert_eq!(f.market().free_liquidity, free_before + fee, "the fee stays in the pool");
}

/// The withdrawal side: the keeper executes at the first sweep though the provider closed the
/// account named in its request; the tokens wait in the pool vault (outside the pool) for its claim.
#[test]
fn blocked_withdrawal_executes_later_at_a_stale_sweep_value() {
    let mut f = MarketFixture::with_liquidity(fee_params(), 200_000 * USDC);
    let exiting = f.lp.take().expect("lp");
    let _stays = f.fund_pool(200_000 * USDC);
    honest_longs(&mut f);
    let shares = f.lp_balance(&exiting);
    let blk = Keypair::new();
    let mut ixs = create_token_account_ixs(&f, &blk, &f.mint, &exiting.key());
    ixs.push(ix::request_withdrawal(&exiting.key(), &blk.pubkey(), &exiting.lp, &f.keys, shares));
    ixs.push(close_token_account_ix(&blk.pubkey(), &exiting.key()));
    f.step(&ixs, &[&exiting.kp, &blk]).expect("request + close");
    f.advance(1);
    let m = f.market();
    let total = u128::from(m.lp_supply + m.dead_shares);
    let fair_gross = u128::from(shares) * f.exact_pool_value_at(norm(px(100))) / total;
    let fee = (fair_gross * u128::from(f.params.lp_fee_bps)).div_ceil(10_000);
    let e = executed(&f.sweep_and_execute(&exiting.key()));
    assert_eq!(u128::from(e.amount), fair_gross - fee, "paid its exact value at the first sweep");
    assert_eq!(f.market().pending_payouts, e.amount);
    let before = f.env.token_balance(&exiting.token);
    f.claim(&exiting).unwrap();
    assert_eq!(f.env.token_balance(&exiting.token) - before, e.amount);
}

// ---------------------------------------------------------------------------------------------
// Finding 2: margin flows on a position that is bankrupt at its (stale) sweep price move the sweep
// value 1:1, while the flow itself is judged at the current price. remove_margin -> execute ->
// add_margin in one transaction: the position ends exactly as it started, the pool value the
// request executed at was understated by the margin removed.
// ---------------------------------------------------------------------------------------------

#[test]
fn margin_sandwich_on_a_position_bankrupt_at_the_sweep_price_cannot_move_the_lp_price() {
    let mut f = MarketFixture::with_liquidity(default_params(), 1_000_000 * USDC);
    let attacker = f.wallet(2_000_000 * USDC);
    let start = f.env.token_balance(&attacker.token);
    // A hedged book: long and short of the same size (the pool has no net exposure to the price
    // while no clamp binds).
    f.open(&attacker, 1, Side::Long, 100_000 * USDC, 500_000 * USDC).unwrap();
    f.open(&attacker, 2, Side::Short, 100_000 * USDC, 500_000 * USDC).unwrap();
    let deposit = 500_000 * USDC;
    f.request_deposit(&attacker, deposit).unwrap();

    // A sweep at a price past the long's bankruptcy price (a wick; 75), then the price is back (100).
    f.env.advance(1);
    f.set_price(px(75));
    f.start_sweep().unwrap();
    f.sweep_all().unwrap();
    f.env.advance(1);
    f.set_price(px(100));

    let m = f.market();
    assert_eq!(m.sweep.counted, m.positions_open);
    let value_before = u128::from(m.free_liquidity) + u128::from(m.sweep.value);
    let total_before = u128::from(m.lp_supply + m.dead_shares);
    let fair_shares = u128::from(deposit) * total_before / value_before;

    // remove_margin (allowed at 100), execute own deposit, add the margin back: one transaction.
    let request = pda::lp_request(&f.keys.market, &attacker.key());
    let pos = f.position_key(&attacker.key(), 1);
    let c = 49_000 * USDC; // what the initial margin lets it remove at 100 (after the entry's spread)
    let ixs = [
        ix::remove_margin(&f.position_accounts(&attacker, 1), c),
        ix::execute_lp_request(&f.keys, &request),
        ix::add_margin(&attacker.token, &pos, &f.position(&attacker.key(), 1), c),
    ];
    // Whatever the margin moves do, the execution in between is priced at the pool's value at
    // the sweep price as of its start: the fixture checks it against its own valuation.
    let e = executed(&f.step(&ixs, &[&attacker.kp]));
    assert_eq!(e.sweep_price, norm(px(75)));
    assert_eq!(u128::from(e.pool_value), value_before);
    assert!(u128::from(e.shares) <= fair_shares, "{} > {fair_shares}", e.shares);
    let _ = (start, total_before);
}

/// The second review's version: a decrease (or a close) realizes the position at today's price
/// while the sweep had valued it at the wick; executing the LP's own deposit in the same
/// transaction must still use the sweep's value.
#[test]
fn a_decrease_or_close_sandwich_cannot_move_the_lp_price() {
    let mut f = MarketFixture::with_liquidity(default_params(), 1_000_000 * USDC);
    let attacker = f.wallet(2_000_000 * USDC);
    f.open(&attacker, 1, Side::Long, 100_000 * USDC, 500_000 * USDC).unwrap();
    f.open(&attacker, 2, Side::Short, 100_000 * USDC, 500_000 * USDC).unwrap();
    let deposit = 500_000 * USDC;
    f.request_deposit(&attacker, deposit).unwrap();
    f.env.advance(1);
    f.set_price(px(75));
    f.start_sweep().unwrap();
    f.sweep_all().unwrap();
    f.env.advance(1);
    f.set_price(px(100));
    let m = f.market();
    let value_before = u128::from(f.market().swept_pool_value().expect("value"));
    let total = u128::from(m.lp_supply + m.dead_shares);
    let request = pda::lp_request(&f.keys.market, &attacker.key());
    let ixs = [
        ix::decrease_position(&f.position_accounts(&attacker, 1), 500_000 * USDC - 10 * USDC, f.any_exit(&attacker, 1)),
        ix::close_position(&f.position_accounts(&attacker, 2), f.any_exit(&attacker, 2)),
        ix::execute_lp_request(&f.keys, &request),
    ];
    let e = executed(&f.step(&ixs, &[&attacker.kp]));
    assert_eq!(u128::from(e.pool_value), value_before, "trader actions moved the executed value");
    assert!(u128::from(e.shares) <= u128::from(deposit) * total / value_before);
}

// ---------------------------------------------------------------------------------------------
// Finding 3: "a price published after the request" compares the Pyth publish time with the
// cluster clock. A price whose publish time is ahead of the cluster clock (clock skew; the program
// accepts future publish times) is already on chain, known to the LP, when it requests, and is then
// a valid execution price.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_price_already_on_chain_at_the_request_cannot_execute_it() {
    let mut f = MarketFixture::with_liquidity(fee_params(), 200_000 * USDC);
    honest_longs(&mut f);
    let attacker = f.wallet(100_000 * USDC);
    // The pinned oracle holds a price published 5 s "after" the cluster clock (skew).
    let now = f.env.now();
    f.price = px(99);
    f.write_oracle(&PriceFixture::new(FEED_ID, px(99), now + 5));
    // The LP sees it and requests.
    f.request_deposit(&attacker, 100_000 * USDC).unwrap();
    let requested_at = f.env.now();
    f.env.advance(1);
    // The keeper sweeps with the on-chain price (unchanged since before the request) and executes.
    let res = f.sweep_and_execute(&attacker.key());
    if res.is_ok() {
        let e = executed(&res);
        eprintln!(
            "executed at price {} published at {} (request at {}, the price was on chain before the request)",
            e.sweep_price, e.sweep_publish_time, requested_at
        );
    }
    assert!(res.is_err(), "the request executed at a price that was on chain when it was made");
}

// ---------------------------------------------------------------------------------------------
// Sweep completeness with hostile accounts (no exploit found: these PASS).
// ---------------------------------------------------------------------------------------------

/// Duplicates are valued once, another market's positions are refused, a position closed and
/// re-opened in the same transaction is counted once, so a sweep is complete only when every open
/// position of the market is valued.
#[test]
fn hostile_sweep_accounts_cannot_complete_a_sweep_early() {
    use ringfence_sdk::ringfence::error::RingfenceError;
    let mut f = MarketFixture::new();
    let keys2 = f.add_market(*b"ringfence-test-feed-ETH/USD-0002", px(100));
    let t = f.wallet(100_000 * USDC);
    for id in 1..=3 {
        f.open(&t, id, Side::Long, 100 * USDC, 1_000 * USDC).unwrap();
    }
    let foreign = ix::open_position(
        &t.key(),
        &t.token,
        &keys2,
        9,
        Side::Short,
        100 * USDC,
        1_000 * USDC,
        ringfence_sdk::ix::TradeLimit::any(Side::Short, true),
    );
    f.step(&[foreign], &[&t.kp]).unwrap();
    let lp = f.wallet(1_000 * USDC);
    f.request_deposit(&lp, 1_000 * USDC).unwrap();
    f.advance(1);
    f.start_sweep().unwrap();
    let a = f.position_key(&t.key(), 1);
    let b = f.position_key(&t.key(), 2);
    let other = pda::position(&keys2.market, &t.key(), 9);
    // The same position three times: counted once.
    f.step(&[ix::sweep_positions(&f.keys.market, &[a, a, a])], &[]).unwrap();
    assert_eq!(f.market().sweep.counted, 1);
    // Another market's position: refused.
    let res = f.env.send(&[ix::sweep_positions(&f.keys.market, &[b, other])], &[]);
    assert_ringfence_err(&res, RingfenceError::MarketMismatch);
    // Close + re-open position 1 (valued) in one transaction, then value 2: still one missing.
    let reopen = [
        ix::close_position(&f.position_accounts(&t, 1), f.any_exit(&t, 1)),
        ix::open_position(
            &t.key(),
            &t.token,
            &f.keys,
            1,
            Side::Long,
            100 * USDC,
            1_000 * USDC,
            ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
        ),
    ];
    f.step(&reopen, &[&t.kp]).unwrap();
    f.step(&[ix::sweep_positions(&f.keys.market, &[b, a])], &[]).unwrap();
    let m = f.market();
    assert_eq!((m.sweep.counted, m.positions_open), (2, 3));
    assert!(f.execute(&lp.key()).is_err(), "incomplete sweep refused");
    f.sweep_all().unwrap();
    assert!(f.execute(&lp.key()).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Finding 4 (liveness): a sweep must value every open position within its price's remaining age
// (<= 30 s; 20 s on the shipped markets), serialized on the market account. Dust positions are
// cheap (min size 10 USDC at 10x: ~1 USDC of collateral + rent, all recoverable), so an attacker can
// open more than a keeper can value in time, and then no LP request can ever execute (withdrawals
// frozen; the only way out is cancel). Model: the shipped client (crates/client `sweep_and_execute`)
// sends SWEEP_BATCH = 10 positions per transaction, each sent and confirmed before the next;
// generously 0.5 s per confirmed transaction.
// ---------------------------------------------------------------------------------------------

#[test]
fn dust_positions_cannot_freeze_lp_withdrawals() {
    let params = RiskParams { max_price_age_trade_secs: 20, ..fee_params() };
    let mut f = MarketFixture::with_liquidity(params, 1_000_000 * USDC);
    let lp = f.lp.take().expect("lp");
    let attacker = f.wallet(2_000 * USDC);
    let dust = 600u64;
    let start = f.env.token_balance(&attacker.token);
    for id in 0..dust {
        let ix = ix::open_position(
            &attacker.key(),
            &attacker.token,
            &f.keys,
            id,
            Side::Long,
            1_100_000,
            10 * USDC,
            ringfence_sdk::ix::TradeLimit::any(Side::Long, true),
        );
        f.env.send(&[ix], &[&attacker.kp]).expect("dust position");
    }
    f.assert_invariants();
    eprintln!(
        "dust: {dust} positions lock {:.2} USDC of the attacker's collateral (recoverable) and ~{:.2} SOL of rent",
        (start - f.env.token_balance(&attacker.token)) as f64 / USDC as f64,
        dust as f64
            * (f.env.svm.minimum_balance_for_rent_exemption(ringfence_sdk::ringfence::state::POSITION_SPACE)
                + f.env.svm.minimum_balance_for_rent_exemption(165)) as f64
            / 1e9
    );
    f.request_withdrawal(&lp, 1_000 * USDC).unwrap();
    f.advance(1);
    f.start_sweep().unwrap();
    let todo: Vec<Pubkey> = f.positions().into_iter().map(|(k, _)| k).collect();
    let mut sent = 0;
    let mut res = Ok(Default::default());
    for chunk in todo.chunks(10) {
        if sent % 2 == 0 && sent > 0 {
            f.env.advance(1); // two confirmed transactions per second
        }
        res = f.env.send(&[ix::sweep_positions(&f.keys.market, chunk)], &[]);
        sent += 1;
        if res.is_err() {
            break;
        }
    }
    eprintln!("sweep: {sent} transactions, last: {}", describe(&res).lines().next().unwrap_or(""));
    let res = f.execute(&lp.key());
    assert!(res.is_ok(), "LP withdrawal cannot execute with {dust} dust positions open: {}", describe(&res));
}

/// The second review's P2: an LP who sees its sweep's price and dislikes it exhausts the free
/// liquidity (opening positions) so that its withdrawal cannot be paid. The execution refunds it
/// at once — no waiting for a better sweep — and the refund costs the LP fee: never a free abort.
#[test]
fn forcing_a_refund_is_not_a_free_abort() {
    let mut f = MarketFixture::with_liquidity(fee_params(), 100_000 * USDC);
    let lp = f.lp.take().expect("lp");
    let shares = f.lp_balance(&lp);
    f.request_withdrawal(&lp, shares).unwrap();
    f.advance(1);
    f.start_sweep().unwrap();
    f.sweep_all().unwrap();
    // The LP locks the free liquidity in reserves of its own positions.
    let own = f.wallet(100_000 * USDC);
    f.open(&own, 1, Side::Long, 20_200 * USDC, 199_000 * USDC).unwrap();
    let supply = f.market().lp_supply;
    let e = executed(&f.execute(&lp.key()));
    let fee = (u128::from(shares) * u128::from(f.params.lp_fee_bps)).div_ceil(10_000) as u64;
    assert!(e.refunded && e.lp_fee == fee && e.shares == shares - fee, "{e:?}");
    assert_eq!(f.market().lp_supply, supply - fee, "the fee shares are burned, to the remaining LPs");
    f.claim(&lp).unwrap();
    assert_eq!(f.lp_balance(&lp), shares - fee);
}
