# Two entry points: `make train` (the main job) and `make test`. Both sit on an idempotent `make setup`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TORCH   := torch==2.13.0

.PHONY: setup train test lint typecheck bench check-learning clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first, pinned: on the project machines this takes the local CPU wheel.
	$(BIN)/python -m pip install -q $(TORCH)
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

train: setup
	$(BIN)/arena demo coordination/simple_spread-v0 --episodes 2 --gif runs/demo/simple_spread.gif

lint: setup
	$(BIN)/ruff check arena envs agents baselines tests

typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m pip install -q -e ".[peers]"
	$(BIN)/arena bench --peers --compile

check-learning: setup
	$(BIN)/python -m pytest -q -m slow

clean:
	rm -rf $(VENV) runs *.egg-info .mypy_cache .ruff_cache .pytest_cache
