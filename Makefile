# The two entry points of the README: `make serve` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# What each entry point installs: serving needs the project alone; the tests add the test extra, the
# benchmarks the bench extra (its peers and load tools), each in the same .venv.
SERVE_STAMP := $(VENV)/.installed-serve
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT    := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

.PHONY: serve test lint python system-deps comunica ldes-client bench mutation

# Python 3.11+ with venv; Debian's python3 if the machine has none.
python:
	@$(PYTHON) -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  ($(APT) update -qq && $(APT) install -y -qq python3 python3-venv python3-pip >/dev/null)

$(BIN)/python: | python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(SERVE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@ $(SERVE_STAMP)

$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[bench]'
	@touch $@ $(SERVE_STAMP)

# What the tests run besides Python: the browser the page tests drive (Debian's chromium and its
# driver), raptor's rapper (the independent RDF parser the linked-data tests check answers with),
# Virtuoso, one of the SPARQL servers the remote store is tested on (the other, Oxigraph server, comes
# with the test extras), and node with npm, which install Comunica for its client test (into a cache
# directory, tests/test_comunica.py). A Node.js that is already there is kept: NodeSource's package
# carries its own npm and conflicts with Debian's.
system-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v rapper >/dev/null && \
	  command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null && command -v node >/dev/null && \
	  command -v npm >/dev/null || \
	  ($(APT) update -qq && $(APT) install -y -qq chromium chromium-driver raptor2-utils virtuoso-opensource \
	    $$(command -v node >/dev/null && command -v npm >/dev/null || echo nodejs npm) >/dev/null)

# The Linked Data Fragments / SPARQL client the tests query /fragments and /sparql with (npm; the 3.x line
# runs on Debian's Node.js 20, the 4.x line does not).
comunica: system-deps
	@[ -x $(VENV)/comunica/node_modules/.bin/comunica-sparql ] || \
	  npm install --prefix $(VENV)/comunica --no-save --ignore-scripts --no-audit --no-fund @comunica/query-sparql@3.3.0 >/dev/null

# The Linked Data Event Stream client the tests replicate /ldes with (npm, rdf-connect's ldes-client).
ldes-client: system-deps
	@[ -x $(VENV)/ldes-client/node_modules/.bin/ldes-client ] || \
	  npm install --prefix $(VENV)/ldes-client --no-save --ignore-scripts --no-audit --no-fund ldes-client@0.3.0 >/dev/null

serve: $(SERVE_STAMP)
	$(BIN)/coopgraph serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: system-deps comunica ldes-client lint
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The benchmarks of bench/RESULTS.md (not tests: they compare against the peers and print ratios).
bench: $(BENCH_STAMP)
	@command -v wrk >/dev/null || ($(APT) update -qq && $(APT) install -y -qq wrk >/dev/null)
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_validation.py --sizes 100k,1M
	$(BIN)/python bench/bench_endpoint.py
	$(BIN)/python bench/bench_sparql_text.py
	$(BIN)/python bench/bench_scale.py  # 1M, 3M, 10M; rewrites bench/scale.json, scale.md, scale.png

# Mutation testing of the modules that guard safety and data (docs/MUTATION.md). Slow (hours for all of
# tests/mutation_run.py's MODULES), so not part of `make test`: `make mutation MODULES=server/http/auth.py` runs one.
mutation: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[mutation]'
	nice -n 10 $(BIN)/python tests/mutation_run.py $(MODULES)
