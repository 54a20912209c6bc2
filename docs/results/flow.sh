#!/usr/bin/env bash
# Flow-matching head vs Gaussian head (docs/policies.md): continuous navigation from scratch,
# and fork (a hazard passed left or right) from scratch and after behaviour cloning of the
# bimodal scripted policy. Same config, seed and env-step budget for both heads.
# Usage: bash docs/results/flow.sh [python]      (runs into runs/flow_*; one job at a time)
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
A="$PY -m arena"
Q="log.progress=false eval.gif=false"
for h in gaussian flow; do
  $A train configs/navigation/navigation_flow.yaml --run-dir runs/flow_nav_$h policy.head=$h $Q | tail -n 3
  $A eval runs/flow_nav_$h --episodes 1000 --json docs/results/flow_nav_$h.json | tail -n 5
done
for h in gaussian flow; do
  for mode in scratch bc; do
    extra="pretrain.source=scripted"; [ $mode = scratch ] && extra="pretrain.source=''"
    $A train configs/navigation/fork_$h.yaml --run-dir runs/flow_fork_${mode}_$h $extra \
      total_steps=1000000 time_limit=0 $Q | tail -n 3
    $A eval runs/flow_fork_${mode}_$h --episodes 1000 --json docs/results/fork_${mode}_$h.json | tail -n 6
    $A eval runs/flow_fork_${mode}_$h --episodes 1000 --sample --json docs/results/fork_${mode}_${h}_sampled.json | tail -n 6
  done
done
