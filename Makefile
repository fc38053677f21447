# The two entry points of the README: `make serve` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT    := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

.PHONY: serve test lint python system-deps bench mutation

# Python 3.11+ with venv; Debian's python3 if the machine has none.
python:
	@$(PYTHON) -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  ($(APT) update -qq && $(APT) install -y -qq python3 python3-venv python3-pip >/dev/null)

$(STAMP): pyproject.toml | python
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	@touch $@

# What the tests run besides Python: the browser the page tests drive (Debian's chromium and its
# driver), raptor's rapper (the independent RDF parser the linked-data tests check answers with), and
# Virtuoso, one of the SPARQL servers the remote store is tested on (the other, Oxigraph server, comes
# with the test extras).
system-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v rapper >/dev/null && \
	  command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null || \
	  ($(APT) update -qq && $(APT) install -y -qq chromium chromium-driver raptor2-utils virtuoso-opensource >/dev/null)

serve: $(STAMP)
	$(BIN)/coopgraph serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: system-deps lint
	$(BIN)/python -m pytest

# The benchmarks of bench/RESULTS.md (not tests: they compare against the peers and print ratios).
bench: $(STAMP)
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
