use solana_program_test::ProgramTest;

#[tokio::test]
async fn bank_starts() {
    let pt = ProgramTest::default();
    let (_banks, _payer, _hash) = pt.start().await;
}
