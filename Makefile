# Two commands do all the set-up (README): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench fuzz goldens clean

$(STAMP): pyproject.toml hatch_build.py obc_check/checker/data/kernels/claims.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job: check every contract of the library against its data bundle.
demo: $(STAMP)
	$(BIN)/python -m obc_check.demo contracts

# Static checks alone: lint, types, import layers (the first half of `make test`).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Everything CI runs: lint, types, import layers, tests (benchmarks excluded; see `make bench`).
test: lint
	@# The HTML render test opens a real headless Chromium; install it (about 30 s) only when
	@# it is missing and we are root with apt-get. A failed install never fails the build:
	@# the test then skips and says why.
	-@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || true
	@# OBC_NATIVE=require: the compiled claims kernels must be built and loaded (a quiet
	@# fallback to numpy would leave their tests skipped; both paths are tested either way).
	OBC_NATIVE=require $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/pytest benchmarks --benchmark-enable --benchmark-only -p no:cacheprovider -s

# The long fuzzing profile (about 20 minutes; CI runs a fixed-seed short one in `make test`).
fuzz: $(STAMP)
	OBC_FUZZ=nightly $(BIN)/pytest tests/hardening/test_fuzz.py tests/checker/test_csv_engine.py tests/checker/test_placing.py tests/checker/test_search.py -p no:cacheprovider

# Regenerate golden files after a deliberate change; review the diff like code.
goldens: $(STAMP)
	$(BIN)/pytest --update-goldens

clean:
	rm -f obc_check/checker/data/kernels/_claims.so
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
