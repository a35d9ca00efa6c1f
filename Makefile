# Two entry points a newcomer needs: `make demo` and `make test`.
# Each creates its own virtualenv (.venv) and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint unit services clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/payjournal demo

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

services:
	bash scripts/ensure-services.sh

# Two workers (pytest-xdist): the suite holds under -n 2, and takes half the time on two cores.
test: $(STAMP) services lint
	$(BIN)/pytest -n 2

unit: $(STAMP)
	$(BIN)/pytest tests/domain

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
