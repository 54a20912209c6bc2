# Two entry points: `make train` (the main job) and `make test`. Both sit on an idempotent `make setup`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TORCH   := torch==2.13.0

.PHONY: setup train test lint typecheck bench check-learning compare clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first, pinned: on the project machines this takes the local CPU wheel.
	$(BIN)/python -m pip install -q $(TORCH)
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

# The default job: the best recipe measured on 2 cores (GRPO on simple_spread, docs/training.md):
# 5M env steps, capped at TRAIN_SECONDS of wall-clock on a slower machine, then a 1000-episode
# greedy evaluation (JSON report, sampled beside it), a GIF and a curve. Running it again resumes
# the same run.
CONFIG        ?= configs/coordination/simple_spread_grpo.yaml
RUN           ?= runs/default
TRAIN_SECONDS ?= 540

train: setup
	if [ -d $(RUN)/checkpoints ]; then $(BIN)/arena train --resume $(RUN); \
	else $(BIN)/arena train $(CONFIG) --run-dir $(RUN) time_limit=$(TRAIN_SECONDS); fi
	$(BIN)/arena eval $(RUN) --episodes 1000 --json $(RUN)/eval.json --gif $(RUN)/eval.gif
	$(BIN)/arena plot $(RUN) --out $(RUN)/curve.png --smooth 5

lint: setup
	$(BIN)/ruff check arena envs agents baselines tests

typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -q

bench: setup
	# torch pinned in the same command: BenchMARL's torchrl would otherwise pull a CUDA build.
	$(BIN)/python -m pip install -q -e ".[peers]" $(TORCH)
	$(BIN)/arena bench --peers --compile
	$(BIN)/arena bench --training --peers --num-envs 1024 4096

# Arena MAPPO vs stable-baselines3 PPO (parameter sharing) on simple_spread, 5 minutes each,
# then learning curves against env steps and wall-clock (docs/baselines.md).
compare: setup
	rm -rf runs/compare
	$(BIN)/arena train configs/coordination/simple_spread_mappo.yaml --run-dir runs/compare/mappo time_limit=300 eval.every=0
	$(BIN)/arena train configs/baselines/simple_spread_sb3_ppo.yaml --run-dir runs/compare/sb3_ppo time_limit=300
	$(BIN)/arena plot runs/compare/mappo runs/compare/sb3_ppo --labels "Arena MAPPO" "SB3 PPO" --smooth 5 --out runs/compare/steps.png
	$(BIN)/arena plot runs/compare/mappo runs/compare/sb3_ppo --labels "Arena MAPPO" "SB3 PPO" --smooth 5 --x time --out runs/compare/time.png
	tail -n 1 runs/compare/mappo/eval.csv runs/compare/sb3_ppo/eval.csv

check-learning: setup
	$(BIN)/python -m pytest -q -m slow

clean:
	rm -rf $(VENV) runs *.egg-info .mypy_cache .ruff_cache .pytest_cache
