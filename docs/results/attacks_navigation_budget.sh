#!/usr/bin/env bash
# Takeover on navigation with more attacker budget (docs/attacks.md): the 640k-step MAPPO
# victim of attacks.sh, attacked (k = 1) by fresh attackers with 1x and 4x its budget (more with arguments)
# (the exploitation check asks for at least the defense's budget), each evaluated with
# `arena eval` on 1000 seeds beside the random and scripted saboteurs. Does more budget find
# what the scripted ramming saboteur does?
# Steps whose results exist are skipped. Usage: bash docs/results/attacks_navigation_budget.sh
# [python] [multiples...]   (budgets are env steps)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
MULTIPLES=${*:-1 4}
A="$PY -m arena"
R=docs/results/attacks
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
V=runs/attack_navigation
mkdir -p "$R"
[ -f "$V/checkpoints/latest.pt" ] || $A train configs/navigation/navigation_mappo.yaml \
  --run-dir "$V" total_steps=640000 $Q
for m in $MULTIPLES; do
  AT="runs/attack_navigation_takeover1_x$m"
  [ -f "$AT/checkpoints/latest.pt" ] || $A attack "$V" --agents 1 --run-dir "$AT" $Q \
    total_steps=$((640000 * m))
  $A eval "$AT" --episodes 1000 --json "$R/navigation_takeover1_x$m.json"
done
