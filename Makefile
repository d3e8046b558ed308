# Two commands set everything up on a fresh machine: `make demo` and `make test`.
# Both create (or refresh) the virtual environment in .venv by themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install; pyproject.toml or constraints.txt changing
# makes it stale, so the next make refreshes the environment.
INSTALLED := $(VENV)/.installed

.PHONY: demo test test-fast test-protocols lint format venv clean bench peer-bench graphiql-assets

venv: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "erp-gateway needs Python >= 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable '.[dev]'
	touch $(INSTALLED)

# `make demo PORT=8001` when 8000 is taken.
PORT ?= 8000
demo: $(INSTALLED)
	$(BIN)/erp-gateway demo --port $(PORT)

# The TypeScript client of mobile_examples/ is built and type-checked by the tests.
TS_CLIENT := mobile_examples/typescript
test: $(INSTALLED) tests/js/node_modules/.installed $(TS_CLIENT)/node_modules/.installed
	$(BIN)/pytest

# In-process tests only (no sockets, no processes): the lane to run while editing.
test-fast: $(INSTALLED)
	$(BIN)/pytest -m "not slow"

# The tests that reach a backend through an adapter, run again on the other wire
# protocols: `make test` runs the Odoo adapter on JSON-RPC and the WooCommerce emulator
# over plain HTTP (OAuth 1.0a); here the Odoo adapter runs on XML-RPC and on JSON-2, and
# the WooCommerce emulator serves HTTPS (Basic auth). tests/test_protocol_lanes.py
# checks that every test module that builds a gateway over the emulators is listed.
WIRE_TESTS := tests/commands tests/resolvers tests/security \
	tests/erp_backends/woocommerce tests/gateway/auth/test_jwks.py \
	tests/gateway/test_serving.py tests/gateway/test_shared_rate_limit.py \
	tests/gateway/observability tests/gateway/test_json_logs.py \
	tests/gateway/test_readiness.py \
	tests/gateway/test_cli.py::test_audit_tail_shows_an_impersonated_request

test-protocols: $(INSTALLED)
	ODOO_PROTOCOL=xmlrpc WOOCOMMERCE_EMULATOR_TLS=1 $(BIN)/pytest $(WIRE_TESTS)
	ODOO_PROTOCOL=json2 $(BIN)/pytest $(WIRE_TESTS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy tests bench
	$(BIN)/lint-imports

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(INSTALLED)
	$(BIN)/python -m bench.customer_360
	$(BIN)/python -m bench.federated_360
	$(BIN)/python -m bench.cache
	$(BIN)/python -m bench.auth
	$(BIN)/python -m bench.emulators
	$(BIN)/python -m bench.attacks

# Side by side with Hive Gateway + GraphQL Mesh (bench/peer.py); needs Node.js and wrk.
peer-bench: $(INSTALLED) bench/peer/node_modules/.installed
	$(BIN)/python -m bench.peer

bench/peer/node_modules/.installed: bench/peer/package-lock.json
	cd bench/peer && npm ci --no-audit --no-fund
	touch $@

# npm ci in a folder for the tests that need Node.js. Without npm (a laptop with Python
# only) it says so and those tests skip with the reason; CI (REQUIRE_NODE=1) fails them.
define npm_ci
	@if command -v npm >/dev/null 2>&1; then \
		(cd $(dir $@).. && npm ci --no-audit --no-fund --loglevel=error) && touch $@; \
	else echo "make: no npm: the tests that need $(dir $@).. will skip"; fi
endef

$(TS_CLIENT)/node_modules/.installed: $(TS_CLIENT)/package-lock.json
	$(npm_ci)

# graphql-http's server audit, run by tests/js/test_graphql_http_audit.py.
tests/js/node_modules/.installed: tests/js/package-lock.json
	$(npm_ci)

# GraphiQL's browser bundles, vendored in gateway/graphiql/static/ at the versions pinned
# in gateway/graphiql/npm/package-lock.json (gateway/graphiql/README.md says how to upgrade).
GRAPHIQL_NPM := gateway/graphiql/npm
graphiql-assets:
	cd $(GRAPHIQL_NPM) && npm ci --no-audit --no-fund
	cp $(GRAPHIQL_NPM)/node_modules/graphiql/graphiql.min.js \
		$(GRAPHIQL_NPM)/node_modules/graphiql/graphiql.min.css \
		$(GRAPHIQL_NPM)/node_modules/react/umd/react.production.min.js \
		$(GRAPHIQL_NPM)/node_modules/react-dom/umd/react-dom.production.min.js \
		gateway/graphiql/static/
	for p in graphiql react react-dom; do \
		cp $(GRAPHIQL_NPM)/node_modules/$$p/LICENSE gateway/graphiql/licenses/$$p.LICENSE; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache *.egg-info
