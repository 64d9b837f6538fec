# The book's commands. Run `make help` for the list.
#
# Every target first runs `setup`: it creates (or reuses) the virtual
# environment in $(VENV), installs missing system packages (graphviz for the
# `dot` program) and the pinned requirements. Nothing is installed outside
# the project folder except those system packages.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
# pytest workers: one per core; chapters run whole on one worker each.
JOBS ?= auto
BUILD_FLAGS := --warningiserror --nitpick --keep-going

.PHONY: help setup system-packages book book-clean test clean bench

help:
	@echo "make book   - set up, execute every chapter and build the HTML book"
	@echo "make test   - set up, run every chapter cell by cell (nbval) and the unit tests"
	@echo "make bench  - measure build and test times (writes benchmarks/results/)"
	@echo "make clean  - remove build products (keeps the virtual environment)"

system-packages:
	@bash .ci/ensure-system-packages dot:graphviz py:ensurepip:python3-venv

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "error: the book needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." \
	         "Set PYTHON=python3.11 (make book PYTHON=python3.11)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

setup: system-packages $(STAMP)

book: setup
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)
	@echo
	@echo "The book is ready: $(CURDIR)/_build/html/index.html"

# The same from an empty _build: what CI runs (an unchanged rebuild after a
# failed one can pass without looking at anything).
book-clean: setup
	rm -rf _build
	$(MAKE) --no-print-directory book

test: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

bench: setup
	$(BIN)/python benchmarks/build.py

clean:
	rm -rf _build .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
