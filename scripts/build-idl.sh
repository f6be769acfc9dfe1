#!/usr/bin/env bash
# Build target/idl/ringfence.json via Anchor's idl-build feature (the route `anchor build` uses).
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$RINGFENCE_ROOT/scripts/setup.sh" host
cd "$RINGFENCE_ROOT"
cargo build -q --locked -p ringfence-idl
mkdir -p "$(dirname "$PROGRAM_IDL")"
# The idl-build compile uses different flags: give it its own target dir so the host cache stays warm.
CARGO_TARGET_DIR=$RINGFENCE_CACHE/target-idl "$CARGO_TARGET_DIR/debug/ringfence-idl" \
  "$RINGFENCE_ROOT/programs/ringfence" "$PROGRAM_IDL"
# TypeScript types of the IDL for app/ (the Anchor CLI's generator), when the CLI is installed.
ANCHOR_BIN=$SOLANA_TOOLS/bin/anchor
if [ -x "$ANCHOR_BIN" ]; then
  mkdir -p "$RINGFENCE_ROOT/target/types"
  "$ANCHOR_BIN" idl type "$PROGRAM_IDL" -o "$RINGFENCE_ROOT/target/types/ringfence.ts"
fi
