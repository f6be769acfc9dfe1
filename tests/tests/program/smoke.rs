use ringfence_harness::*;
use ringfence_sdk::Side;

#[test]
fn smoke() {
    let mut f = MarketFixture::new();
    f.fund_pool(10_000 * USDC);
    let t = f.wallet(1_000 * USDC);
    let r = f.open(&t, 1, Side::Long, 100 * USDC, 1_000 * USDC);
    println!("{}", describe(&r));
    let r = f.add_margin(&t, 1, 10 * USDC);
    println!("{}", describe(&r));
    f.set_price(pyth_price(80.0));
    let k = f.wallet(0);
    let r = f.liquidate(&k, &t, 1);
    println!("{}", describe(&r));
    println!("{:?}", events(&r));
}
