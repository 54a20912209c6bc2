#!/usr/bin/env bash
# The exploitation check of docs/attacks.md's 450-step transport teams, with twice the budget:
# a FRESH MAPPO attacker (arena attack: the victim's algorithm, k = 1) trained for 6M env steps,
# twice the 3M of the team's own training, against each frozen robust team of
# attacks_transport_long_episodes.sh (which must have run for the seed), then 1000 episodes.
# Writes docs/results/attacks/transport_long450_robust_fresh_x2_seed<s>.json.
# GRPO=1 trains a fresh GRPO attacker instead (the default recipe's algorithm: groups of 16
# envs, whole 450-step episodes, returns-to-go), with the team's own budget (3M):
# runs/..._takeover1_grpo, transport_long450_robust_fresh_grpo_seed<s>.json.
# Usage: bash docs/results/attacks_transport_long_attacker_budget.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
TAG=x2
ARGS=(total_steps=6000000)
if [ -n "${GRPO:-}" ]; then
  TAG=grpo
  ARGS=("algo={name: grpo, group_size: 16, advantage: reward_to_go, lr: 0.0007, epochs: 10, minibatch_size: 12800, entropy_coef: 0.01}")
fi
for s in $SEEDS; do
  V="runs/robust_long450_transport_seed$s"
  [ -f "$V/checkpoints/latest.pt" ] || { echo "missing robust team $V"; exit 1; }
  F="${V}_takeover1_$TAG"
  if [ ! -f "$F/checkpoints/latest.pt" ]; then
    rm -rf "$F"
    $PY -m arena attack "$V" --agents 1 --run-dir "$F" $Q "${ARGS[@]}"
  fi
  $PY -m arena eval "$F" --episodes 1000 \
    --json "docs/results/attacks/transport_long450_robust_fresh_${TAG}_seed$s.json"
done
