//! Tests live in `tests/program/`: one binary (one link of LiteSVM), a module per instruction.
