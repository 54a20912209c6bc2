#!/usr/bin/env bash
# Takeover on transport with more seeds (docs/attacks.md): for each seed, a victim team
# (MAPPO, 2M env steps) and a fresh k = 1 attacker (2M env steps), both with that seed, then
# `arena eval` of the attack run on 1000 seeds. Seed 0 is docs/results/attacks.sh's run.
# Usage: bash docs/results/attacks_seeds.sh [python] [seeds...]   (one job at a time on 2 cores)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-1 2}
A="$PY -m arena"
R=docs/results/attacks
COMMON="total_steps=2000000 time_limit=1200 log.progress=false eval.every=0 eval.gif=false"
mkdir -p "$R"
for s in $SEEDS; do
  V="runs/attack_transport_seed$s"
  rm -rf "$V" "${V}_takeover1"
  $A train configs/coordination/transport_mappo.yaml --run-dir "$V" seed=$s $COMMON
  $A attack "$V" --agents 1 --run-dir "${V}_takeover1" seed=$s $COMMON
  $A eval "${V}_takeover1" --episodes 1000 --json "$R/transport_takeover1_seed$s.json"
done
