//! Tests live in `tests/`: the scenarios of the liquidation and admin issue on solana-program-test.
