#!/usr/bin/env bash
# SSM vs GRU vs MLP policies on navigation/hidden_goal-v0 (goals visible for the first 2 of 50
# steps), the same config and env-step budget for each, then 1000 greedy evaluation episodes.
# Usage: bash docs/results/hidden_goal.sh [device] [python] [steps] [seconds per run, 0: none]
# (runs into runs/hg_*; with TAR=dir each finished run is also archived there)
set -uo pipefail
cd "$(dirname "$0")/../.."
DEV=${1:-cpu}
PY=${2:-.venv/bin/python}
STEPS=${3:-6000000}
LIMIT=${4:-0}
OUT=${OUT:-docs/results}
C=configs/navigation/hidden_goal_ssm.yaml
COMMON="device=$DEV env.num_envs=1024 algo.num_minibatches=4 total_steps=$STEPS time_limit=$LIMIT eval.every=20 eval.episodes=500 log.progress=false eval.gif=false"
for bb in ssm gru mlp; do
  echo "### $bb"
  $PY -m arena train $C --run-dir runs/hg_$bb policy.backbone=$bb $COMMON | tail -n 4
  $PY -m arena eval runs/hg_$bb --episodes 1000 --json "$OUT/hidden_goal_$bb.json" | tail -n 6
  if [ -n "${TAR:-}" ]; then tar czf "$TAR/hg_$bb.tgz" runs/hg_$bb "$OUT/hidden_goal_$bb.json"; fi
done
