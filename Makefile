# Two commands for newcomers: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_DIR := var/node
AXE := $(NODE_DIR)/node_modules/axe-core/axe.min.js
AXE_VERSION := 4.14.1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test pytest venv setup lint check translations static axe clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy --domain django --directory locale --statistics

static: $(STAMP)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

setup: translations static
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

# uvicorn (uvloop, httptools) rather than daphne: it holds the seminar fan-out target
# (docs/performance.md); daphne stays supported: `.venv/bin/daphne config.asgi:application`.
run: setup
	@echo "Serving http://$(HOST):$(PORT)/ (HTTP and WebSocket); Ctrl-C stops."
	$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off

# axe-core for the accessibility check of the browser tests, from the npm
# registry into an ignored folder; skipped when npm is absent.
axe:
	@if [ -f $(AXE) ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
		mkdir -p $(NODE_DIR) && npm install --silent --no-audit --no-fund --prefix $(NODE_DIR) axe-core@$(AXE_VERSION); \
	else echo "npm not found: the axe-core accessibility check will be skipped"; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check: $(STAMP) translations
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint check static axe
	@$(MAKE) --no-print-directory pytest

# The suite alone (`make test` runs the checks first; .ci/run runs them once for both runs).
# pytest exits 5 when it collected no tests: for us that is a broken suite, not a pass.
pytest: $(STAMP)
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; \
	exit $$status

clean:
	rm -rf $(VENV) var/static var/node
