# The two commands: `make brief` builds the latest brief in every style; `make test` runs
# ruff and the whole test suite. Both set everything up on a fresh Debian machine.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= output

.PHONY: brief test system clean

brief: $(VENV)/.installed
	$(BIN)/briefgen build --latest -f pdf -f html -f docx --output $(OUT)

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/pytest -n auto  # one test process per core (pytest-xdist)

# System libraries WeasyPrint needs (Pango; HarfBuzz's subsetter for fast, reproducible fonts).
system:
	sh scripts/setup-system.sh

$(VENV)/bin/python:
	sh scripts/setup-system.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --editable '.[docx]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	sh scripts/setup-system.sh test
	$(BIN)/pip install --quiet --editable '.[dev,docx]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
