# stukje's set-up commands. Only Python 3.11+ and make are needed; everything else installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: help venv serve demo test lint typecheck pytest bench clean

help:
	@echo "make serve  - install, migrate, seed a demo bank and partner key, serve on 127.0.0.1:8000"
	@echo "make demo   - install and hash the sample corpus (../shared/corpus/photos)"
	@echo "make test   - install, then ruff, mypy --strict and the whole pytest suite"
	@echo "make bench  - install the benchmark extras and run the quick benchmarks (full commands: docs/benchmarks.md)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(STAMP)

serve: venv
	$(BIN)/stukje serve --demo

demo: venv
	$(BIN)/stukje hash --format jsonl ../shared/corpus/photos

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: venv
	$(BIN)/mypy

pytest: venv
	bash scripts/install-browser.sh
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test: lint typecheck pytest

bench: venv
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/hashing.py
	$(BIN)/python bench/guard.py --repeat 10
	$(BIN)/python bench/index.py --sizes 100k,1M

clean:
	rm -rf $(VENV) .stukje .pytest_cache .mypy_cache .ruff_cache
