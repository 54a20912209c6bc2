#!/usr/bin/env bash
# Takeover of one agent in a PettingZoo env that Arena did not write (docs/attacks.md, "Any
# PettingZoo env"): MPE2's own simple_spread_v3 through ExternalVecEnv. The victim team is
# configs/external/mpe2_simple_spread_mappo.yaml trained for STEPS env steps (default 600k), a
# takeover attacker (k = 1, fixed slot) gets the victim's budget, then `arena eval` over 1000
# episodes: no task outcome is declared, so an episode fails when the honest agents' return
# falls more than 0.2 x |mean clean return| below the same seed's clean return.
# Usage: [STEPS=600000] [RUNS=runs/attacks_pettingzoo] bash docs/results/attacks_pettingzoo.sh [python]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
STEPS=${STEPS:-600000}
RUNS=${RUNS:-runs/attacks_pettingzoo}
Q="log.progress=false log.tensorboard=false eval.every=0 eval.gif=false"
$PY -m arena train configs/external/mpe2_simple_spread_mappo.yaml --run-dir "$RUNS/victim" \
  total_steps="$STEPS" time_limit=3600 $Q | tail -n 4
$PY -m arena attack "$RUNS/victim" --agents 1 --run-dir "$RUNS/takeover1" $Q | tail -n 4
$PY -m arena eval "$RUNS/takeover1" --episodes 1000 \
  --json docs/results/attacks/mpe2_simple_spread_takeover1.json
