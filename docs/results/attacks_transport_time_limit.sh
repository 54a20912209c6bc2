#!/usr/bin/env bash
# Does a transport attacker stop the delivery or only delay it? (docs/attacks.md) The attack
# runs of attacks_robust_grpo.sh, trained at the scenario's 150-step limit, evaluated again with
# max_steps=450 (the same seeds and slots, 1000 episodes): the fresh MAPPO attacker (a blocker)
# and the fresh GRPO attacker (a deserter) against the robust GRPO teams, and A (a deserter)
# against the naive ones. Writes docs/results/attacks/transport_steps450_*.json.
# Usage: bash docs/results/attacks_transport_time_limit.sh [python] [seeds...]
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
R=docs/results/attacks
for s in $SEEDS; do
  for run in "runs/robust_grpo_transport_seed${s}_takeover1_mappo" \
             "runs/robust_grpo_transport_seed${s}_takeover1" \
             "runs/attack_transport_grpo_seed${s}_takeover1"; do
    $PY -m arena eval "$run" --episodes 1000 max_steps=450 \
      --json "$R/transport_steps450_$(basename "$run").json"
  done
done
