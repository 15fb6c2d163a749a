# The two commands of the README: `make run` and `make test`. Both set up what they need first.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
# brownie 1.22 warns on its own internal calls; keep the output readable
export PYTHONWARNINGS := ignore::FutureWarning
BROWNIE := .venv/bin/brownie
CHAIN_DIR := .toolchain

.PHONY: setup run stop test test-contracts test-python bench-gas slither

setup:
	@./toolchain/setup.sh
	@./toolchain/slither/setup.sh

## run: the whole platform in the foreground (toolchain/platform.py): Ganache, contracts, a seeded demo,
## a fresh database, indexer, bots, price publisher and the web app at http://127.0.0.1:5000; Ctrl-C stops it
run: setup
	@.venv/bin/python -m toolchain.platform

## demo: the terminal walkthrough: a local Ganache (left running), deploy, and a short loan lifecycle
.PHONY: demo
demo: setup stop
	@mkdir -p $(CHAIN_DIR)
	@.venv/bin/python -m toolchain.start_chain $(CHAIN_DIR)
	$(BROWNIE) run scripts/demo.py --network lendchain-local
	@echo "Chain left running at http://127.0.0.1:8545 (chain id 1337); 'make stop' stops it."

## stop: stop the chain `make demo` started
stop:
	@if [ -f $(CHAIN_DIR)/ganache.pid ]; then kill $$(cat $(CHAIN_DIR)/ganache.pid) 2>/dev/null || true; rm -f $(CHAIN_DIR)/ganache.pid; fi

## test: every test suite, independent ones in parallel (toolchain/test_all.sh): contracts (brownie on
## Ganache), the Foundry invariants, Python (scoring, backend on SQLite, browser tests, slither gate),
## the backend on PostgreSQL, the UI's unit tests and the API fuzz
test: setup
	@./toolchain/test_all.sh

test-python:
	.venv/bin/python -m pytest tests --ignore=tests/contracts -p no:pytest-brownie -q

test-contracts:
	.venv/bin/python -m toolchain.with_chain lendchain-test -- $(BROWNIE) test tests/contracts --network lendchain-test -p no:warnings

## bench-gas: gas per operation on a fresh chain -> benchmarks/results/gas.json
bench-gas: setup
	$(BROWNIE) run scripts/benchmark_gas.py --network lendchain-bench

## slither: static analysis of contracts/; fails on any untriaged high/medium finding
slither: setup
	.venv/bin/python -m toolchain.slither.run

## test-backend: the backend suite on SQLite (a fresh file per session)
.PHONY: test-backend test-backend-pg
test-backend:
	.venv/bin/python -m pytest tests/backend -p no:pytest-brownie -q

## test-backend-pg: the same suite on PostgreSQL (127.0.0.1:5432 if it answers, else a throwaway cluster)
test-backend-pg:
	./toolchain/postgres_for_tests.sh .venv/bin/python -m pytest tests/backend -p no:pytest-brownie -q

## bench-backend: indexer catch-up and API under gunicorn -> benchmarks/results/indexer.json, api.json
.PHONY: bench-backend test-api-fuzz
bench-backend: setup
	.venv/bin/python benchmarks/backend_bench.py

## bench-bots: auto-lend and liquidation reactions and a 1,000-loan sweep on a fresh Ganache, then on anvil
## (port 8615 each) -> benchmarks/results/bots.json
## test-bots: the bots' tests (sender, liquidator, auto-lend, notifications, prices, node restart) on their own Ganaches (8615, 8625, 8635)
.PHONY: bench-bots test-bots
bench-bots: setup
	.venv/bin/python benchmarks/bots_bench.py --node ganache
	.venv/bin/python benchmarks/bots_bench.py --node anvil

test-bots:
	.venv/bin/python -m pytest tests/bots -p no:pytest-brownie -q

## test-bots-pg: the bots' process scenarios (two replicas, kill -9, node restart) on PostgreSQL, whose
## row locks are what keeps replicas from sending an action twice there
.PHONY: test-bots-pg
test-bots-pg:
	./toolchain/postgres_for_tests.sh .venv/bin/python -m pytest tests/bots -p no:pytest-brownie -q -k "replica or kill_9 or restart"

## test-api-fuzz: schemathesis (own venv, toolchain/schemathesis/requirements.lock) over /openapi.json: no 5xx
test-api-fuzz: setup
	./toolchain/schemathesis/run.sh

## test-frontend: the web UI's unit tests (Vitest: formatting of base units, error decoding, form checks)
.PHONY: test-frontend test-e2e
test-frontend:
	./toolchain/frontend_setup.sh
	cd frontend && npx vitest run

## test-e2e: browser tests (Playwright driving Debian's chromium) against Ganache, the backend and SQLite
test-e2e:
	./toolchain/frontend_setup.sh
	.venv/bin/python -m pytest tests/e2e -p no:pytest-brownie -q

## bench-ui: the built app's gzipped size, the marketplace's first render over 10,000 listings in headless
## chromium, and `make run`'s time to its URL from a fresh clone and warm -> benchmarks/results/ui.json
.PHONY: bench-ui
bench-ui: setup
	.venv/bin/python benchmarks/ui_bench.py

.PHONY: test-forge fuzz-long

## test-forge: the Foundry invariant suite, CI profile (>= 100,000 handler calls) -> benchmarks/results/invariants.json
test-forge: setup
	python3 toolchain/forge_invariants.py --profile default

## fuzz-long: the Foundry invariant suite, long profile (>= 1,000,000 handler calls)
fuzz-long: setup
	python3 toolchain/forge_invariants.py --profile long
