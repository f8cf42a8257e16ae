# The two commands of the README: `make run` (demo at http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export MATCHMAKER_DEMO_HINT ?= 1

.PHONY: run demo-db test lint install chromium clean

# The demo lives in its own file: `make run` resets it on every run and never touches your own
# database (instance/matchmaker.db, --db or MATCHMAKER_DATABASE_URL).
DEMO_DB ?= $(CURDIR)/instance/demo.db
DEMO    := $(BIN)/matchmaker --db sqlite:///$(DEMO_DB)

run: demo-db
	@echo ""
	@echo "  matchmaker demo: http://127.0.0.1:5000/   (sign in as organiser / demo1234)"
	@echo "  API docs:        http://127.0.0.1:5000/api/docs"
	@echo ""
	$(DEMO) serve --host 127.0.0.1 --port 5000

demo-db: $(STAMP)
	@mkdir -p $(dir $(DEMO_DB))
	$(DEMO) demo --reset --force --ledger

test: $(STAMP) chromium
	$(BIN)/ruff check matchmaker tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadgroup

install: $(STAMP)

# torch is pinned to the CPU build on disk when it arrives (ARCHITECTURE §6); see pyproject.toml.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# Browser tests drive Debian's Chromium through Playwright (Playwright's own download fails here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing and not root: browser tests will be skipped"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check matchmaker tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) instance .pytest_cache
