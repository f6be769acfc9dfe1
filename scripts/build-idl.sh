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
