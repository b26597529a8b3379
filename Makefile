# Candour: two commands on a fresh machine —  `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Exactly what was tested: every Python package pinned in requirements.lock (`make lock`).
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
# Front-end libraries for the web app (htmx, Pico CSS, cytoscape): from npm, never in the repo.
NODE_STAMP := node_modules/.installed-$(shell cksum package-lock.json | cut -d' ' -f1)

.PHONY: setup system-deps demo test lint typecheck audit check bench clean lock

setup: $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r $(LOCK)
	$(PY) -m pip install -q --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

# After changing dependencies in pyproject.toml: resolve them again and pin the result.
lock:
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip freeze --exclude-editable > $(LOCK)

$(NODE_STAMP): package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && rm -f node_modules/.installed-* && touch $@; \
	else echo "setup: npm not found; the web app will serve pages without htmx"; fi

system-deps:
	@bash scripts/system-deps.sh

demo: setup
	$(VENV)/bin/candour demo --serve

test: setup system-deps
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

audit: setup
	@bash scripts/audit.sh

typecheck: setup
	$(VENV)/bin/mypy

check: lint typecheck test

bench: setup system-deps
	$(PY) -m bench all

clean:
	rm -rf $(VENV) .candour demo-district .pytest_cache .mypy_cache .ruff_cache
