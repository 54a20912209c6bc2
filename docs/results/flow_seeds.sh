#!/usr/bin/env bash
# Flow-matching head vs Gaussian head on continuous navigation over 3 seeds (docs/policies.md):
# configs/navigation/navigation_flow.yaml (MAPPO, 2M env steps) with each head, each head's
# seeds trained in one process (`arena train --seeds`, replicas bit-identical to single-seed
# runs), then 1000 greedy evaluation episodes per seed and `arena report` across the two heads
# (t intervals, IQM with stratified-bootstrap intervals, probability of improvement, curves).
# Usage: bash docs/results/flow_seeds.sh [python] [seeds...]   (runs into runs/flow3_*)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
A="$PY -m arena"
OUT=docs/results/flow_seeds
mkdir -p $OUT
for h in gaussian flow; do
  run=runs/flow3_$h
  [ -f $run/report.json ] || $A train configs/navigation/navigation_flow.yaml --seeds $SEEDS \
    --run-dir $run policy.head=$h log.progress=false eval.gif=false | tail -n 3
  for s in $SEEDS; do
    $A eval $run/seed_$s --episodes 1000 --json $OUT/${h}_s$s.json | tail -n 3
  done
done
runs() { for s in $SEEDS; do echo runs/flow3_$1/seed_$s; done; }
$A report --method flow $(runs flow) --method Gaussian $(runs gaussian) \
  --metric eval/success --json $OUT/report.json --plot docs/img/flow_seeds.png
