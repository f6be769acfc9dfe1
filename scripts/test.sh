#!/usr/bin/env bash
# Everything CI checks (`make test`): toolchain setup, the SBF program and its IDL, formatting,
# lints, every unit/property/LiteSVM test on the compiled .so, and the compute-unit budgets.
# Ends with one line `N passed, N failed`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$RINGFENCE_ROOT"
LOG=$(mktemp); trap 'rm -f "$LOG"' EXIT
step() { log "$*"; }

step "setup (idempotent)";            scripts/setup.sh all
step "local validator tools";         scripts/setup.sh validator
step "build ringfence.so (SBPF v3)"; scripts/build-sbf.sh
step "build IDL (+ TypeScript types)"; scripts/build-idl.sh
step "TypeScript dependencies";       command -v npm >/dev/null || { log "node and npm are required"; exit 1; }
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
for ix in initialize_market request_deposit request_withdrawal execute_lp_request claim_lp_request cancel_lp_request start_sweep \
  sweep_positions open_position increase_position add_margin remove_margin decrease_position close_position liquidate claim_residual transfer_position position_health \
  set_trigger execute_trigger add_standby withdraw_standby set_topup_rule top_up place_limit_order execute_limit_order cancel_limit_order close_expired_order \
  propose_admin accept_admin set_params set_oracle apply_pending_change cancel_pending_change set_pause; do
  grep -q "\"name\": \"$ix\"" "$PROGRAM_IDL" || { log "IDL lacks $ix"; exit 1; }
done
step "rustfmt";                       cargo fmt --all -- --check
step "clippy (money-code lints in program and math)"
cargo clippy --workspace --all-targets --locked -q -- -D warnings
step "tests (math unit + property, program in LiteSVM, localnet + keeper e2e on solana-test-validator)"
set +e
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
step "TypeScript client tests (mocha: shared math vectors, lifecycle on solana-test-validator, the keeper binary filling a limit order)"
cargo build -q --locked -p ringfence-keeper -p ringfence-localnet -p ringfence-cli
scripts/setup.sh browser
set +e
npm test 2>&1 | tee -a "$LOG"
ts_status=${PIPESTATUS[0]}
set -e
passed=$(grep -E '^test result:' "$LOG" | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}')
failed=$(grep -E '^test result:' "$LOG" | sed -E 's/.* ([0-9]+) failed.*/\1/' | awk '{s+=$1} END {print s+0}')
passed=$((passed + $(awk '/^ +[0-9]+ passing/ {s+=$1} END {print s+0}' "$LOG")))
failed=$((failed + $(awk '/^ +[0-9]+ failing/ {s+=$1} END {print s+0}' "$LOG")))
step "compute-unit budgets (make bench)"
bench_status=0
cargo run -q --locked -p ringfence-harness --bin bench || bench_status=$?
if [ "$bench_status" -ne 0 ]; then failed=$((failed + 1)); else passed=$((passed + 1)); fi
echo "${passed:-0} passed, ${failed:-0} failed"
[ "$status" -eq 0 ] && [ "$ts_status" -eq 0 ] && [ "$bench_status" -eq 0 ]
