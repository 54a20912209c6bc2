#!/usr/bin/env bash
# The insider that sees the whole team (attack.observe: state, docs/attacks.md) against the
# one that sees only its own agent, on navigation. Per seed:
#   1. the naive team V and its takeover attacker A (k = 1, own observations, 640k env steps):
#      trained by attacks_robust_navigation.sh (NAIVE_ONLY=1), whose runs these are;
#   2. A_state: the same attack with attack.observe=state (its agent's observation followed by
#      the env's global state), the same budget, from scratch;
#   3. `arena eval` of both against V, 1000 seeded episodes each (the same seeds).
# Usage: bash docs/results/attacks_observe_state.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
R=docs/results/attacks
for s in ${*:-0 1 2}; do
  NAIVE_ONLY=1 bash docs/results/attacks_robust_navigation.sh "$PY" "$s"
  V="runs/robust_nav/naive_s$s"
  if [ ! -f "${V}_takeover1_state/checkpoints/latest.pt" ]; then
    rm -rf "${V}_takeover1_state"
    $PY -m arena attack "$V" --agents 1 --run-dir "${V}_takeover1_state" log.progress=false \
      eval.every=0 eval.gif=false time_limit=0 total_steps=640000 attack.observe=state
  fi
  $PY -m arena eval "${V}_takeover1" --episodes 1000 --json "$R/navigation_observe_own_seed$s.json"
  $PY -m arena eval "${V}_takeover1_state" --episodes 1000 --json "$R/navigation_observe_state_seed$s.json"
done
