# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime
DATA_DIR ?= ./data
LISTEN ?= 127.0.0.1:8080

.PHONY: run test check install lint format binary bench clean system-deps lock openapi

# The runtime alone, for `make run`; tests and tools (`make test`, `make check`) add the rest.
# Both install the exact versions of the hashed lock files (`make lock` writes them from
# pyproject.toml), so a site can rebuild the same binary; irbox itself goes on top, editable.
$(RUNTIME): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "irbox needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements-dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e '.[dev]'
	@touch $(STAMP)

lock:  ## rewrite the lock files from pyproject.toml (keeps the pins it can; add --upgrade to move)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
		--no-header -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.11 --no-header -o requirements-dev.lock

install: $(STAMP)

run: $(RUNTIME)  ## serve irbox on ./data (first start says where the admin's password is)
	@echo "make run: data in $(DATA_DIR), listening on $(LISTEN)" \
		"(change with make run DATA_DIR=... LISTEN=host:port)"
	$(BIN)/irbox serve --data-dir $(DATA_DIR) --listen $(LISTEN)

# Then the API suite again with every server's data in PostgreSQL (a cluster each pytest worker
# starts from Debian's binaries), all but what is about the SQLite file itself; then the
# failover harness (a primary and its standby, two nodes, kills).
test: install binary system-deps  ## the whole suite: unit, API, browser, the binary, the wheel
	$(BIN)/python -m pytest -q
	IRBOX_TEST_DATABASE=postgresql $(BIN)/python -m pytest -q -n $$(( $$(nproc) + 1 )) \
		--dist loadfile -m "not browser and not binary and not sqlite_only and not failover"
	$(BIN)/python -m pytest -q -m failover

# The suite waits on its servers more than it computes: one worker more than there are cores
# (4.4 min on 2 cores against 9.6 min in one process), a test file per worker at a time so a
# module's server is started once.
check: lint system-deps  ## the inner loop: lint, import contracts, the suite without browser and binary
	$(BIN)/python -m pytest -q -m "not browser and not binary and not failover" \
		-n $$(( $$(nproc) + 1 )) --dist loadfile

# What the tests run besides Python: Debian's Chromium for the browser tests (Playwright drives
# it; no download), curl (a client the refusal tests read answers with), slapd (the real
# OpenLDAP server the directory sign-in tests start on 127.0.0.1) and PostgreSQL's server (the
# tests make their own clusters with its initdb). Installing slapd or PostgreSQL must not start
# a system-wide daemon: a policy-rc.d refuses service starts while apt runs.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	[ -x /usr/sbin/slapd ] || missing="$$missing slapd"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "The tests need Debian packages:$$missing (sudo apt-get install$$missing)"; \
			exit 1; \
		fi; \
		guard=""; \
		if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; \
			chmod +x /usr/sbin/policy-rc.d; guard=1; \
		fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		status=$$?; \
		[ -z "$$guard" ] || rm -f /usr/sbin/policy-rc.d; \
		exit $$status; \
	fi

openapi: install  ## rewrite docs/openapi.json from the served document (review the diff)
	IRBOX_WRITE_OPENAPI=1 $(BIN)/python -m pytest -q tests/test_openapi_document.py

lint: install  ## ruff, the import contracts (the layers) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

binary: install  ## dist/irbox, one PyInstaller executable
	PYTHON=$(abspath $(BIN))/python packaging/build.sh

bench: install binary
	@for b in ingest observables report list pages resources refusals evidence_stall bulk merge; do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf build dist .pytest_cache
