#!/usr/bin/env bash
# Do the robust teams trained on 450-step transport episodes (attacks_transport_long_episodes.sh)
# hold on the standard scenario? A FRESH MAPPO attacker (k = 1, the team's algorithm and 3M-step
# budget) trained against each frozen robust team with the standard 150-step limit, then 1000
# episodes at that limit. Writes docs/results/attacks/transport_long450_robust_at150_seed<s>.json.
# Usage: bash docs/results/attacks_transport_long_team_at150.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
for s in $SEEDS; do
  V="runs/robust_long450_transport_seed$s"
  [ -f "$V/checkpoints/latest.pt" ] || { echo "missing robust team $V"; exit 1; }
  F="${V}_takeover1_at150"
  if [ ! -f "$F/checkpoints/latest.pt" ]; then
    rm -rf "$F"
    $PY -m arena attack "$V" --agents 1 --run-dir "$F" $Q \
      "env.kwargs={num_agents: 4, num_packages: 1, agents_needed: 2, max_steps: 150}"
  fi
  $PY -m arena eval "$F" --episodes 1000 \
    --json "docs/results/attacks/transport_long450_robust_at150_seed$s.json"
done
