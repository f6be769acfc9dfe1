# Ringfence. Every target installs what it needs the first time (scripts/setup.sh), idempotently.
SHELL := /bin/bash
.DEFAULT_GOAL := help
HARNESS = source scripts/env.sh && cargo run -q --locked -p ringfence-harness --bin

.PHONY: help setup build idl test demo bench clean

help:
	@echo "make demo   scripted end-to-end session on the compiled program (LiteSVM)"
	@echo "make test   everything CI checks"
	@echo "make bench  compute units per instruction (budgets enforced), rent, sizes"
	@echo "make build  target/deploy/ringfence.so     make idl  target/idl/ringfence.json"

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

clean:
	rm -rf target
