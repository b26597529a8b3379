# Candour: two commands on a fresh machine —  `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup system-deps demo test lint typecheck check bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

system-deps:
	@bash scripts/system-deps.sh

demo: setup
	$(VENV)/bin/candour demo

test: setup system-deps
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: setup
	$(VENV)/bin/mypy

check: lint typecheck test

bench: setup system-deps
	$(PY) -m bench all

clean:
	rm -rf $(VENV) .candour demo-district .pytest_cache .mypy_cache .ruff_cache
