#!/usr/bin/env bash
# Idempotent installer for everything Ringfence builds and tests with. Only registries are used
# (rustup's toolchain server, crates.io, PyPI, Debian), never GitHub release downloads.
#   scripts/setup.sh host   pinned stable rustc for host crates
#   scripts/setup.sh sbf    + pinned nightly with rust-src, sbpf-linker, patched std copy
#   scripts/setup.sh validator   solana-test-validator, solana and anchor CLIs (pinned)
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

have_validator_tools() {
  [ -e "$SOLANA_TOOLS/.ok-$SOLANA_VERSION-$ANCHOR_CLI_VERSION" ] &&
    "$SOLANA_TOOLS/bin/solana-test-validator" --version 2>/dev/null | grep -q " $SOLANA_VERSION " &&
    "$SOLANA_TOOLS/bin/solana" --version 2>/dev/null | grep -q " $SOLANA_VERSION " &&
    "$SOLANA_TOOLS/bin/anchor" --version 2>/dev/null | grep -q "$ANCHOR_CLI_VERSION"
}

setup_validator() {
  have_validator_tools && return
  mkdir -p "$SOLANA_TOOLS"
  local seed=${RINGFENCE_SOLANA_TOOLS_SEED:-}
  if [ -n "$seed" ] && [ -f "$seed" ]; then
    local sums; sums="$(dirname "$seed")/SHA256SUMS"
    if [ -f "$sums" ]; then
      (cd "$(dirname "$seed")" && grep " $(basename "$seed")\$" SHA256SUMS | sha256sum -c --quiet -) ||
        { log "seed archive $seed fails its checksum"; exit 1; }
    fi
    log "unpacking prebuilt validator tools from $seed"
    tar --zstd -xf "$seed" -C "$SOLANA_TOOLS"
  fi
  # A Solana developer may have the pinned tools on PATH already: use them instead of building.
  mkdir -p "$SOLANA_TOOLS/bin"
  reuse_from_path solana-test-validator "$SOLANA_VERSION"
  reuse_from_path solana "$SOLANA_VERSION"
  reuse_from_path anchor "$ANCHOR_CLI_VERSION"
  if ! have_validator_tools_binaries; then
    log "building the missing ones of solana-test-validator, solana $SOLANA_VERSION and anchor $ANCHOR_CLI_VERSION from crates.io (once, ~60 min on 2 cores)"
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq build-essential pkg-config libssl-dev libudev-dev clang \
        libclang-dev protobuf-compiler cmake zstd >/dev/null
    fi
    local target=$RINGFENCE_CACHE/target-tools
    [ -x "$SOLANA_TOOLS/bin/solana-test-validator" ] ||
      CARGO_TARGET_DIR=$target nice -n 10 cargo "+$HOST_TOOLCHAIN" install --locked "agave-validator@$SOLANA_VERSION" \
        --bin solana-test-validator --root "$SOLANA_TOOLS"
    [ -x "$SOLANA_TOOLS/bin/solana" ] ||
      CARGO_TARGET_DIR=$target nice -n 10 cargo "+$HOST_TOOLCHAIN" install --locked "solana-cli@$SOLANA_VERSION" \
        --bin solana --root "$SOLANA_TOOLS"
    [ -x "$SOLANA_TOOLS/bin/anchor" ] ||
      CARGO_TARGET_DIR=$target nice -n 10 cargo "+$HOST_TOOLCHAIN" install --locked "anchor-cli@$ANCHOR_CLI_VERSION" \
        --root "$SOLANA_TOOLS"
  fi
  touch "$SOLANA_TOOLS/.ok-$SOLANA_VERSION-$ANCHOR_CLI_VERSION"
  have_validator_tools || { log "validator tools installed but not the pinned versions"; exit 1; }
}

# Links `tool` from PATH into the cache when it is there at exactly `version` (and not yet cached).
reuse_from_path() {
  local tool=$1 version=$2 found
  [ -x "$SOLANA_TOOLS/bin/$tool" ] && return 0
  found=$(command -v "$tool" 2>/dev/null) || return 0
  case "$("$found" --version 2>/dev/null)" in
    *" $version"*) log "using $found ($version, already on PATH)"; ln -sf "$found" "$SOLANA_TOOLS/bin/$tool" ;;
  esac
}

have_validator_tools_binaries() {
  [ -x "$SOLANA_TOOLS/bin/solana-test-validator" ] && [ -x "$SOLANA_TOOLS/bin/solana" ] && [ -x "$SOLANA_TOOLS/bin/anchor" ]
}

# Debian's Chromium for the browser test (playwright-core drives it; Playwright's own browser
# downloads cannot be reached): apt as root, otherwise `apt-get download` + `dpkg -x` into the cache.
# Prints nothing but what it does; the test finds it through RINGFENCE_CHROMIUM (scripts/env.sh).
setup_browser() {
  [ -x /usr/bin/chromium ] && return
  local root=$RINGFENCE_CACHE/chromium
  [ -x "$root/usr/lib/chromium/chromium" ] && return
  command -v apt-get >/dev/null || { log "no apt-get: install Chromium and set RINGFENCE_CHROMIUM to its binary"; exit 1; }
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian's chromium (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    return
  fi
  # Not root: Chromium and every library it needs (its dependency closure), downloaded with the
  # system's sources into our own apt state and unpacked into the cache; the test runs the real
  # binary (usr/lib/chromium/chromium) with LD_LIBRARY_PATH on the unpacked libraries.
  log "unpacking Debian's chromium and its libraries into $root (apt-get download + dpkg -x)"
  local apt=$RINGFENCE_CACHE/apt
  mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$root.partial"
  local opts=(-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt" -o "Dir::Cache::archives=$apt/archives" -o Debug::NoLocking=1)
  apt-get "${opts[@]}" update -qq
  local pkgs
  pkgs=$(apt-cache "${opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances chromium | grep '^[a-z0-9]' | sort -u)
  (cd "$apt/archives" && apt-get "${opts[@]}" download $pkgs >/dev/null)
  for deb in "$apt/archives"/*.deb; do dpkg -x "$deb" "$root.partial"; done
  rm -rf "$root" && mv "$root.partial" "$root"
  rm -rf "$apt/archives"
}

case "${1:-all}" in
  host) setup_host ;;
  browser) setup_browser ;;
  sbf) setup_sbf ;;
  validator) setup_host; setup_validator ;;
  all) setup_host; setup_sbf ;;
  *) echo "usage: $0 [host|sbf|validator|browser|all]" >&2; exit 2 ;;
esac
