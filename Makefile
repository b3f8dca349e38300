# The two commands of the README: `make demo` (set up, start broker + worker, push samples, show
# enriched events) and `make test` (set up, install test tools, lint and type-check, run all
# three test tiers).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup tools demo test unit integration stop bench eval lint

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,eval]'
	touch $@

tools:
	bash deploy/install-tools.sh

demo: setup tools
	$(BIN)/wirestream demo

stop: setup
	$(BIN)/wirestream stop

test: setup tools lint
	$(BIN)/pytest

# ruff (lint and format) on the whole tree, mypy --strict on pipeline/, schemas/ and agents/
# (the short allowance list is in pyproject.toml); part of `make test`.
lint: setup
	$(BIN)/ruff check pipeline schemas agents bench tests deploy
	$(BIN)/ruff format --check pipeline schemas agents bench tests deploy
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest tests/unit tests/agent

integration: setup tools
	$(BIN)/pytest -m integration
