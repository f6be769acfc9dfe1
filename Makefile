# Ringfence. Every target installs what it needs the first time (scripts/setup.sh), idempotently.
SHELL := /bin/bash
.DEFAULT_GOAL := help
HARNESS = source scripts/env.sh && cargo run -q --locked -p ringfence-harness --bin

.PHONY: help setup build idl test demo bench localnet e2e-bench web install clean

help:
	@echo "make demo   scripted end-to-end session on the compiled program (LiteSVM)"
	@echo "make test   everything CI checks"
	@echo "make bench  compute units per instruction (budgets enforced), rent, sizes"
	@echo "make build  target/deploy/ringfence.so     make idl  target/idl/ringfence.json"
	@echo "make localnet   solana-test-validator + deploy + markets + keeper (Ctrl-C stops all)"
	@echo "make e2e-bench  1,000 underwater positions, one keeper: time to the last liquidation"
	@echo "make web        the trader web app on http://127.0.0.1:5173 (against make localnet)"
	@echo "make install    ringfence, ringfence-keeper, ringfence-localnet into ~/.cargo/bin"
	@echo "make clean      this clone's target/ and the shared build caches (not the toolchains)"

setup:
	scripts/setup.sh all

build:
	scripts/build-sbf.sh

idl:
	scripts/build-idl.sh

test:
	scripts/test.sh

demo: build
	scripts/setup.sh host
	$(HARNESS) demo

bench: build
	scripts/setup.sh host
	$(HARNESS) bench

LOCALNET = source scripts/env.sh && scripts/setup.sh validator && \
	cargo build -q --locked -p ringfence-cli -p ringfence-keeper -p ringfence-localnet && "$$CARGO_TARGET_DIR/debug/ringfence-localnet"

localnet: build
	$(LOCALNET) up

e2e-bench: build
	$(LOCALNET) bench --positions $${POSITIONS:-1000}

# The web app: built with Vite into target/web and served on 127.0.0.1:5173. RINGFENCE_CLUSTER
# (localnet by default: with the test wallet and the faucet route) and RINGFENCE_RPC_URL select
# another cluster.
web: idl
	[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
	npx vite build --config app/web/vite.config.mts --logLevel warn
	@echo "serving the web app on http://127.0.0.1:5173 (Ctrl-C stops it)"
	npx vite preview --config app/web/vite.config.mts --strictPort

install:
	source scripts/env.sh && scripts/setup.sh host && \
	for c in cli keeper localnet; do cargo install -q --locked --path crates/$$c --root "$${CARGO_HOME:-$$HOME/.cargo}" || exit 1; done
	@echo "installed into $${CARGO_HOME:-$$HOME/.cargo}/bin (on PATH with a standard rustup install)"

# The shared build caches live outside the clone (scripts/env.sh: RINGFENCE_CACHE); the pinned
# toolchains, sbpf-linker and validator tools there are kept (they take long to rebuild).
clean:
	rm -rf target
	source scripts/env.sh && rm -rf "$$CARGO_TARGET_DIR" "$$SBF_TARGET_DIR" "$$RINGFENCE_CACHE/target-idl"
	@echo "removed target/ and the build caches; toolchains and validator tools kept in $${RINGFENCE_CACHE:-~/.cache/ringfence}"
