#!/usr/bin/env bash
# Takeover of one agent (k = 1) on simple_spread against a strong victim (docs/attacks.md): the
# default recipe's 5M-step GRPO teams of docs/results/seeds/grpo_vs_mappo.sh (91-92% coverage;
# the MAPPO victim of attacks.sh covered its share in 6% of episodes, so no ASR could be read).
# For each seed: a fresh GRPO attacker (the victim's algorithm and 5M-step budget) and a fresh
# MAPPO attacker (simple_spread_mappo.yaml's hyperparameters, same budget), each evaluated with
# `arena eval` on 1000 seeds beside the random and scripted saboteurs.
# Steps whose results exist are skipped (rm the run directories to redo them).
# Usage: bash docs/results/attacks_simple_spread_grpo.sh [python] [seeds...]
# (seeds side by side with OMP_NUM_THREADS=1; budgets are env steps)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0}
A="$PY -m arena"
R=docs/results/attacks
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
MAPPO_ALGO="{name: mappo, lr: 0.0007, critic_lr: 0.0007, epochs: 10, num_minibatches: 1, entropy_coef: 0.01}"
mkdir -p "$R"
for s in $SEEDS; do
  V=runs/seeds/ss_grpo_s$s
  [ -f "$V/checkpoints/latest.pt" ] || { echo "missing victim $V: run grpo_vs_mappo.sh"; exit 1; }
  AG="runs/attack_ss_grpo_s${s}_takeover1"
  [ -f "$AG/checkpoints/latest.pt" ] || $A attack "$V" --agents 1 --run-dir "$AG" $Q
  $A eval "$AG" --episodes 1000 --json "$R/simple_spread_grpo_takeover1_seed$s.json"
  AM="${AG}_mappo"
  [ -f "$AM/checkpoints/latest.pt" ] || $A attack "$V" --agents 1 --run-dir "$AM" $Q \
    "algo=$MAPPO_ALGO"
  $A eval "$AM" --episodes 1000 --json "$R/simple_spread_grpo_takeover1_mappo_seed$s.json"
done
