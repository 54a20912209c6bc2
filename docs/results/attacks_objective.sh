#!/usr/bin/env bash
# The attack objective on the tutorial plug-in rendezvous (docs/attacks.md): one victim team
# (1M env steps), then two fresh takeover attackers (k = 1, 1M env steps each), one rewarded with
# minus the honest return (attack.objective return, the default), one with the task outcome
# (attack.objective outcome: 1 at each episode end where the honest agents fail to meet), then
# `arena eval` of both on the same 1000 seeds.
# Usage: bash docs/results/attacks_objective.sh [python]     (one job at a time on 2 cores)
set -euo pipefail
PY=${1:-.venv/bin/python}
A="$PY -m arena"
R=docs/results/attacks
V=runs/objective_rendezvous
COMMON="total_steps=1000000 time_limit=1200 log.progress=false eval.every=0 eval.gif=false"
mkdir -p "$R"
$PY -m pip install -q -e docs/tutorial
rm -rf "$V"
$A train docs/tutorial/rendezvous.yaml --run-dir "$V" $COMMON
for objective in return outcome; do
  run="${V}_takeover1_$objective"
  rm -rf "$run"
  $A attack "$V" --agents 1 --run-dir "$run" $COMMON attack.objective=$objective
  $A eval "$run" --episodes 1000 --json "$R/rendezvous_objective_$objective.json"
done
