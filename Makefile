# Two entry points a newcomer needs: `make demo` and `make test`.
# Each creates its own virtualenv (.venv) and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint unit services clean messages

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The translations: `pip install` compiles them (setup.py); after editing a .po, `make messages`.
MO := $(patsubst %.po,%.mo,$(wildcard src/payjournal/catalog/locale/*/LC_MESSAGES/*.po))
$(MO): %.mo: %.po | $(STAMP)
	$(BIN)/python -m payjournal.catalog.messages

messages: $(MO)

demo: $(STAMP) $(MO)
	$(BIN)/payjournal demo

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

services:
	bash scripts/ensure-services.sh

# Two workers (pytest-xdist): the suite holds under -n 2. One process is not much slower: its
# PostgreSQL pass runs on the second core (back to back on one machine: 333 s and 355 s).
test: $(STAMP) $(MO) services lint
	$(BIN)/pytest -n 2

unit: $(STAMP)
	$(BIN)/pytest tests/domain

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
