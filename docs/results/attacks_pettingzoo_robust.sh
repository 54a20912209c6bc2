#!/usr/bin/env bash
# Robust training on a PettingZoo env that Arena did not write (docs/attacks.md, "Robust
# training on any PettingZoo env"): MPE2's own simple_spread_v3 through ExternalVecEnv, which
# declares no task outcome, so the population's fitness uses the return-drop rule
# (robust.drop_threshold, default 0.2, against the clean envs' honest return).
# Per seed: the naive team (configs/external/mpe2_simple_spread_mappo.yaml, STEPS env steps)
# and the robust team (the same recipe from scratch, robust.kind=takeover with the defaults:
# half the envs attacked, one random slot per episode, an online attacker in half of those,
# 4 mutants and random actions; no scripted saboteur, which needs Arena physics), trained side
# by side; then a fresh takeover attacker (k = 1, fixed slot 0) against each, with the team's
# budget; then `arena eval` of both attackers over 1000 episodes, and of the naive team's
# attacker against the robust team. Table: attacks_pettingzoo_robust_table.py.
# Seed 0's naive team and its attacker are attacks_pettingzoo.sh's (same recipe and seed).
# Every seed's chain runs at once (its two trainings side by side), one thread per process.
# ROBUST_STEPS (default STEPS) gives the robust team another budget, e.g. twice the naive
# team's, so that its clean envs get as many steps as the naive team's; its runs and reports
# are then named robust<ROBUST_STEPS>_s<seed> (the naive team's are kept).
# Usage: [STEPS=600000] [ROBUST_STEPS=...] [RUNS=runs/attacks_pettingzoo] bash docs/results/attacks_pettingzoo_robust.sh [python] [seeds...]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
STEPS=${STEPS:-600000}
RUNS=${RUNS:-runs/attacks_pettingzoo}
ROBUST_STEPS=${ROBUST_STEPS:-$STEPS}
TAG=robust
[ "$ROBUST_STEPS" = "$STEPS" ] || TAG=robust$ROBUST_STEPS
OUT=docs/results/attacks/mpe2_robust
export OMP_NUM_THREADS=1
mkdir -p "$OUT"
Q="log.progress=false log.tensorboard=false eval.every=0 eval.gif=false"
CFG=configs/external/mpe2_simple_spread_mappo.yaml
ROBUST="robust.kind=takeover robust.include_scripted=false"

naive_dir() { if [ "$1" = 0 ]; then echo "$RUNS/victim"; else echo "$RUNS/naive_s$1"; fi; }
attack_dir() { if [ "$1" = 0 ]; then echo "$RUNS/takeover1"; else echo "$RUNS/naive_s$1_takeover1"; fi; }

chain() {
  local s=$1 naive attack robust
  naive=$(naive_dir "$s")
  attack=$(attack_dir "$s")
  robust="$RUNS/${TAG}_s$s"
  if [ ! -f "$naive/checkpoints/latest.pt" ]; then
    $PY -m arena train $CFG --run-dir "$naive" seed="$s" total_steps="$STEPS" time_limit=7200 \
      $Q > "$OUT/naive_s$s.log" 2>&1 &
  fi
  $PY -m arena train $CFG --run-dir "$robust" seed="$s" total_steps="$ROBUST_STEPS" \
    time_limit=7200 $ROBUST $Q > "$OUT/${TAG}_s$s.log" 2>&1 &
  wait
  if [ ! -f "$attack/checkpoints/latest.pt" ]; then
    $PY -m arena attack "$naive" --agents 1 --run-dir "$attack" $Q > "$OUT/naive_s${s}_takeover1.log" 2>&1 &
  fi
  $PY -m arena attack "$robust" --agents 1 --run-dir "${robust}_takeover1" $Q \
    > "$OUT/${TAG}_s${s}_takeover1.log" 2>&1 &
  wait
  [ -f "$OUT/naive_s$s.json" ] || $PY -m arena eval "$attack" --episodes 1000 \
    --json "$OUT/naive_s$s.json" > "$OUT/naive_s${s}_eval.log"
  $PY -m arena eval "${robust}_takeover1" --episodes 1000 --json "$OUT/${TAG}_s$s.json" \
    > "$OUT/${TAG}_s${s}_eval.log"
  $PY -m arena eval "$attack" --victim "$robust" --episodes 1000 \
    --json "$OUT/${TAG}_s${s}_vs_naive_attacker.json" > "$OUT/${TAG}_s${s}_vs_naive_eval.log"
  cp "$robust/progress.csv" "$OUT/${TAG}_s${s}_progress.csv"
}

for s in $SEEDS; do chain "$s" & done
wait
