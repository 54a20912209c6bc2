#!/usr/bin/env bash
# The insider that sees the whole team (attack.observe: state, docs/attacks.md) against the
# one that sees only its own agent, on navigation. Per seed:
#   1. the naive team V and its takeover attacker A (k = 1, own observations): the same runs,
#      commands and budgets (640k env steps) as attacks_robust_navigation.sh, shared with it;
#   2. A_state: the same attack with attack.observe=state (its agent's observation followed by
#      the env's global state), the same budget, from scratch;
#   3. `arena eval` of both against V, 1000 seeded episodes each (the same seeds).
# Usage: bash docs/results/attacks_observe_state.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
A="$PY -m arena"
R=docs/results/attacks
D=runs/robust_nav
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0 total_steps=640000"
mkdir -p "$R" "$D"
for s in $SEEDS; do
  V="$D/naive_s$s"
  if [ ! -f "${V}_takeover1/checkpoints/latest.pt" ]; then
    rm -rf "$V" "${V}_takeover1"
    $A train configs/navigation/navigation_mappo.yaml --run-dir "$V" seed=$s $Q
    $A attack "$V" --agents 1 --run-dir "${V}_takeover1" $Q
  fi
  if [ ! -f "${V}_takeover1_state/checkpoints/latest.pt" ]; then
    rm -rf "${V}_takeover1_state"
    $A attack "$V" --agents 1 --run-dir "${V}_takeover1_state" $Q attack.observe=state
  fi
  $A eval "${V}_takeover1" --episodes 1000 --json "$R/navigation_observe_own_seed$s.json"
  $A eval "${V}_takeover1_state" --episodes 1000 --json "$R/navigation_observe_state_seed$s.json"
done
