#!/usr/bin/env bash
# Takeover attacks (docs/attacks.md): on each scenario a team trained normally (the victim),
# then a fresh attacker that takes over one agent (k = 1) with the victim's step budget, then
# `arena eval` of the attack run: the victims' task success clean, under the trained attacker
# and under the random and scripted saboteurs, on the same 1000 seeds and slots, with the ASR.
# Budgets are env steps (wall-clock caps only guard against a slow machine).
# Usage: bash docs/results/attacks.sh [python]     (one job at a time on 2 cores)
set -euo pipefail
PY=${1:-.venv/bin/python}
A="$PY -m arena"
R=docs/results/attacks
mkdir -p "$R"
# the tutorial plug-in (docs/tutorial), installed as a user would install it
$PY -m pip install -q -e docs/tutorial
scenario() {  # NAME CONFIG STEPS [overrides...]
  name=$1; config=$2; steps=$3; shift 3
  rm -rf "runs/attack_$name" "runs/attack_${name}_takeover1"
  $A train "$config" --run-dir "runs/attack_$name" total_steps="$steps" time_limit=1200 \
    log.progress=false eval.every=0 eval.gif=false "$@"
  $A eval "runs/attack_$name" --episodes 1000 --json "$R/${name}_clean.json"
  $A attack "runs/attack_$name" --agents 1 --run-dir "runs/attack_${name}_takeover1" \
    total_steps="$steps" time_limit=1200 log.progress=false eval.every=0 eval.gif=false
  $A eval "runs/attack_${name}_takeover1" --episodes 1000 --json "$R/${name}_takeover1.json"
}
scenario rendezvous docs/tutorial/rendezvous.yaml 1000000
scenario navigation configs/navigation/navigation_mappo.yaml 640000
scenario transport configs/coordination/transport_mappo.yaml 2000000
scenario simple_spread configs/coordination/simple_spread_mappo.yaml 2000000
