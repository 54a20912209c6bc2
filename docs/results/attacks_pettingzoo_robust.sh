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
# ROBUST_STEPS and NAIVE_STEPS (default STEPS) give the robust and the naive team other
# budgets (each team's fresh attacker gets its team's); runs and reports are then named
# robust<ROBUST_STEPS>_s<seed> and naive<NAIVE_STEPS>_s<seed>. A step already done (its eval
# report, or a finished run: its eval.csv) is not redone.
# Usage: [STEPS=600000] [ROBUST_STEPS=...] [NAIVE_STEPS=...] [RUNS=runs/attacks_pettingzoo] bash docs/results/attacks_pettingzoo_robust.sh [python] [seeds...]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
STEPS=${STEPS:-600000}
RUNS=${RUNS:-runs/attacks_pettingzoo}
ROBUST_STEPS=${ROBUST_STEPS:-$STEPS}
NAIVE_STEPS=${NAIVE_STEPS:-$STEPS}
TAG=robust
NTAG=naive
[ "$ROBUST_STEPS" = "$STEPS" ] || TAG=robust$ROBUST_STEPS
[ "$NAIVE_STEPS" = "$STEPS" ] || NTAG=naive$NAIVE_STEPS
OUT=docs/results/attacks/mpe2_robust
export OMP_NUM_THREADS=1
mkdir -p "$OUT"
Q="log.progress=false log.tensorboard=false eval.every=0 eval.gif=false"
CFG=configs/external/mpe2_simple_spread_mappo.yaml
ROBUST="robust.kind=takeover robust.include_scripted=false"

# seed 0's naive team and attacker at the default budget: attacks_pettingzoo.sh's runs
naive_dir() { if [ "$1$NTAG" = 0naive ]; then echo "$RUNS/victim"; else echo "$RUNS/${NTAG}_s$1"; fi; }
attack_dir() { if [ "$1$NTAG" = 0naive ]; then echo "$RUNS/takeover1"; else echo "$RUNS/${NTAG}_s$1_takeover1"; fi; }
train() {  # train RUN_DIR LOG args...: unless RUN_DIR finished (its final evaluation)
  local dir=$1 log=$2
  shift 2
  [ -f "$dir/eval.csv" ] || $PY -m arena train $CFG --run-dir "$dir" time_limit=7200 $Q "$@" > "$log" 2>&1
}
attack() {  # attack VICTIM RUN_DIR LOG
  [ -f "$2/eval.csv" ] || $PY -m arena attack "$1" --agents 1 --run-dir "$2" $Q > "$3" 2>&1
}
evaluate() {  # evaluate JSON LOG args...
  local json=$1 log=$2
  shift 2
  [ -f "$json" ] || $PY -m arena eval "$@" --episodes 1000 --json "$json" > "$log"
}

chain() {
  local s=$1 naive attack robust
  naive=$(naive_dir "$s")
  attack=$(attack_dir "$s")
  robust="$RUNS/${TAG}_s$s"
  train "$naive" "$OUT/${NTAG}_s$s.log" seed="$s" total_steps="$NAIVE_STEPS" &
  train "$robust" "$OUT/${TAG}_s$s.log" seed="$s" total_steps="$ROBUST_STEPS" $ROBUST &
  wait
  attack "$naive" "$attack" "$OUT/${NTAG}_s${s}_takeover1.log" &
  attack "$robust" "${robust}_takeover1" "$OUT/${TAG}_s${s}_takeover1.log" &
  wait
  evaluate "$OUT/${NTAG}_s$s.json" "$OUT/${NTAG}_s${s}_eval.log" "$attack"
  evaluate "$OUT/${TAG}_s$s.json" "$OUT/${TAG}_s${s}_eval.log" "${robust}_takeover1"
  evaluate "$OUT/${TAG}_s${s}_vs_${NTAG}_attacker.json" "$OUT/${TAG}_s${s}_vs_${NTAG}_eval.log" \
    "$attack" --victim "$robust"
  cp "$robust/progress.csv" "$OUT/${TAG}_s${s}_progress.csv"
}

for s in $SEEDS; do chain "$s" & done
wait
