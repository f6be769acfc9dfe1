#!/usr/bin/env bash
# Build programs/ringfence into target/deploy/ringfence.so (SBPF v3), and the localnet-only oracle
# publisher into target/deploy/localnet_oracle.so, without platform-tools:
# upstream rustc BPF backend + sbpf-linker + a patched std (see scripts/setup.sh).
# The program source stays buildable by the official `cargo build-sbf` / `anchor build` too.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$RINGFENCE_ROOT/scripts/setup.sh" sbf
STD_SRC=$(cat "$RINGFENCE_CACHE/std-src.path")
(
  cd "$RINGFENCE_ROOT"
  export CARGO_TARGET_DIR=$SBF_TARGET_DIR
  export __CARGO_TESTS_ONLY_SRC_ROOT=$STD_SRC/library   # cargo's build-std source override
  export RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1             # std's build.rs: no restricted_std
  # Flags for the program's target only (with --target they never reach build scripts).
  # `-A linker-messages`: sbpf-linker first tries to dlopen the toolchain's libLLVM shared library,
  # which rustup's nightly does not ship, prints "unable to open LLVM shared lib", and uses the
  # LLVM it is statically linked with (the same major version, 23). Harmless; silenced.
  export RUSTFLAGS="-Zunstable-options -C linker=$SBF_TOOLS/bin/sbpf-linker \
 -C link-arg=--llvm-args=-bpf-stack-size=4096 -C relocation-model=static -C passes=lower-atomic -A linker-messages"
  # sbpf-linker writes a stray copy relative to the cwd; keep it out of the way.
  mkdir -p "$SBF_TARGET_DIR/linker-cwd"
  cd "$SBF_TARGET_DIR/linker-cwd"
  nice -n 5 cargo "+$SBF_TOOLCHAIN" build --manifest-path "$RINGFENCE_ROOT/Cargo.toml" -p ringfence -p localnet-oracle \
    --release --locked --target "$SBF_TARGET_JSON" -Zjson-target-spec -Zbuild-std=std,panic_abort
)
mkdir -p "$(dirname "$PROGRAM_SO")"
cp "$SBF_TARGET_DIR/sbpf-solana/release/libringfence.so" "$PROGRAM_SO"
cp "$SBF_TARGET_DIR/sbpf-solana/release/liblocalnet_oracle.so" "$(dirname "$PROGRAM_SO")/localnet_oracle.so"
cp "$RINGFENCE_ROOT/keys/ringfence-keypair.json" "$(dirname "$PROGRAM_SO")/ringfence-keypair.json"
log "built $PROGRAM_SO ($(stat -c %s "$PROGRAM_SO") bytes)"
