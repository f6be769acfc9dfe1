# Shared settings for Ringfence's scripts. Source it; it sets variables only.
# Everything heavy lives under one stable per-user cache, outside the clone, so every clone shares it.
RINGFENCE_ROOT=${RINGFENCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
RINGFENCE_CACHE=${RINGFENCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ringfence}
# Host crates (tests, harness, clients): a stable rustc new enough for agave 4.3 / litesvm.
HOST_TOOLCHAIN=1.98.1
# SBF program: upstream rustc BPF backend. sbpf-linker 0.2.x needs exactly this LLVM (23).
SBF_TOOLCHAIN=nightly-2026-08-21
SBPF_LINKER_VERSION=0.2.6
SBF_TOOLS=$RINGFENCE_CACHE/tools                  # sbpf-linker install root
SBF_TARGET_JSON=$RINGFENCE_ROOT/scripts/sbpf-solana.json
# Host build cache: shared by every clone (warm CI); the SBF build has its own (different flags).
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$RINGFENCE_CACHE/target}
SBF_TARGET_DIR=$RINGFENCE_CACHE/target-sbf
# Local validator tools (issue 4): built from crates.io, or unpacked from a prebuilt seed archive
# named by RINGFENCE_SOLANA_TOOLS_SEED (with a SHA256SUMS file beside it).
SOLANA_VERSION=4.2.2
ANCHOR_CLI_VERSION=1.2.2
SOLANA_TOOLS=$RINGFENCE_CACHE/solana-tools
PROGRAM_SO=$RINGFENCE_ROOT/target/deploy/ringfence.so
# Debian's Chromium for the browser test (scripts/setup.sh browser).
if [ -x /usr/bin/chromium ]; then export RINGFENCE_CHROMIUM=${RINGFENCE_CHROMIUM:-/usr/bin/chromium}
else export RINGFENCE_CHROMIUM=${RINGFENCE_CHROMIUM:-$RINGFENCE_CACHE/chromium/usr/lib/chromium/chromium}; fi
PROGRAM_IDL=$RINGFENCE_ROOT/target/idl/ringfence.json
log() { printf '\033[1m[ringfence]\033[0m %s\n' "$*" >&2; }
