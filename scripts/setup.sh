#!/usr/bin/env bash
# Idempotent installer for everything Ringfence builds and tests with. Only registries are used
# (rustup's toolchain server, crates.io, PyPI, Debian), never GitHub release downloads.
#   scripts/setup.sh host   pinned stable rustc for host crates
#   scripts/setup.sh sbf    + pinned nightly with rust-src, sbpf-linker, patched std copy
# A second run finds everything in place and takes seconds.
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$RINGFENCE_CACHE"

need_rustup() {
  command -v rustup >/dev/null && return
  log "rustup not found: install it (https://rustup.rs), then rerun"; exit 1
}

toolchain() { # name [components...]
  local tc=$1; shift
  if rustup run "$tc" rustc --version >/dev/null 2>&1; then
    local have; have=$(rustup component list --toolchain "$tc" --installed 2>/dev/null || true)
    local missing=()
    for c in "$@"; do grep -q "^$c" <<<"$have" || missing+=("$c"); done
    [ ${#missing[@]} -eq 0 ] && return
    log "adding ${missing[*]} to $tc"; rustup component add --toolchain "$tc" "${missing[@]}"
    return
  fi
  log "installing toolchain $tc"
  local args=(); for c in "$@"; do args+=(-c "$c"); done
  rustup toolchain install "$tc" --profile minimal "${args[@]}"
}

setup_host() {
  need_rustup
  toolchain "$HOST_TOOLCHAIN" clippy rustfmt
}

setup_sbf() {
  need_rustup
  command -v python3 >/dev/null || { log "python3 is required (patches std)"; exit 1; }
  toolchain "$SBF_TOOLCHAIN" rust-src
  # sbpf-linker is tied to the nightly's LLVM: the stamp names both.
  local stamp=$SBF_TOOLS/.sbpf-linker-$SBPF_LINKER_VERSION-$SBF_TOOLCHAIN
  if [ ! -x "$SBF_TOOLS/bin/sbpf-linker" ] || [ ! -e "$stamp" ]; then
    log "building sbpf-linker $SBPF_LINKER_VERSION (once, ~4 min on 2 cores)"
    nice -n 10 cargo "+$SBF_TOOLCHAIN" install sbpf-linker --version "$SBPF_LINKER_VERSION" \
      --locked --force --root "$SBF_TOOLS"
    touch "$stamp"
  fi
  # Patched rust-src, keyed by toolchain and by the patch script's content (edits rebuild it).
  local key; key=$(sha256sum "$RINGFENCE_ROOT/scripts/patch-std.py" | cut -c1-12)
  SBF_STD_SRC=$RINGFENCE_CACHE/rust-src-$SBF_TOOLCHAIN-$key
  if [ ! -e "$SBF_STD_SRC/.ok" ]; then
    log "patching std for target_os=solana into $SBF_STD_SRC"
    local sysroot; sysroot=$(rustc "+$SBF_TOOLCHAIN" --print sysroot)
    rm -rf "$SBF_STD_SRC.tmp"
    python3 "$RINGFENCE_ROOT/scripts/patch-std.py" "$sysroot/lib/rustlib/src/rust" "$SBF_STD_SRC.tmp"
    rm -rf "$SBF_STD_SRC"; mv "$SBF_STD_SRC.tmp" "$SBF_STD_SRC"; touch "$SBF_STD_SRC/.ok"
    rm -rf "$SBF_TARGET_DIR/sbpf-solana" # cargo does not notice std edits
  fi
  echo "$SBF_STD_SRC" > "$RINGFENCE_CACHE/std-src.path"
}

case "${1:-all}" in
  host) setup_host ;;
  sbf) setup_sbf ;;
  all) setup_host; setup_sbf ;;
  *) echo "usage: $0 [host|sbf|all]" >&2; exit 2 ;;
esac
