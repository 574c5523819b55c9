# Two commands for a fresh machine: `make run` starts the bot, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/hmis-bot init
	$(BIN)/hmis-bot serve

test: $(STAMP)
	$(BIN)/python -m pytest

check: $(STAMP)
	scripts/check
