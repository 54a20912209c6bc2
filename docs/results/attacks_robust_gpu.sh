#!/usr/bin/env bash
# Robust training against takeover at GPU scale (docs/attacks.md, "At GPU scale"): the
# simple_spread protocol of attacks_robust_grpo.sh (SCENARIO=simple_spread) on a GPU, with
# ENVS envs per run (default 4096) and one minibatch per epoch (the recipe's shape), each run
# capped at STEPS env steps (default 20M) and CAP seconds (default 35). Seeds run side by side
# on the one GPU. For each seed:
#   1. the naive team V (the default recipe, GRPO) and a takeover attacker A against it (k = 1,
#      V's budget);
#   2. the robust team R: the same recipe from scratch with robust.kind=takeover, A as a fixed
#      member, 4 mutants, the scripted saboteur, random, and an online GRPO attacker in half of
#      the attacked groups (robust.online=0.5);
#   3. a fresh attacker F from scratch against R with R's budget;
#   4. on the CPU, 1000 seeds each: A against V, F against R, A against R.
# With a CAP that does not bind, every run gets the same STEPS (equal env steps). MODE=train
# does steps 1-3 only (on the GPU), MODE=eval step 4 only (on any machine, over RUNS copied
# from the GPU), MODE=all (default) both. JSON reports go to $OUT (default runs/attacks_gpu).
# Usage:
#   [ENVS=4096] [STEPS=20000000] [CAP=35] [MODE=all] [OUT=dir] [RUNS=dir] bash docs/results/attacks_robust_gpu.sh python [device] [seeds...]
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-python3}
DEV=${2:-cuda}
shift 2 || true
SEEDS=${*:-0 1 2}
ENVS=${ENVS:-4096}
STEPS=${STEPS:-20000000}
CAP=${CAP:-35}
MODE=${MODE:-all}
OUT=${OUT:-runs/attacks_gpu}
RUNS=${RUNS:-runs/attacks_gpu}
mkdir -p "$OUT" "$RUNS"
A="$PY -m arena"
Q="log.progress=false eval.every=0 eval.gif=false log.tensorboard=false"
RECIPE=(device="$DEV" env.num_envs="$ENVS" algo.minibatch_size=$((ENVS * 25))
        algo.chunk_size=16777216 total_steps="$STEPS" time_limit="$CAP")
train() {
  local s=$1 V="$RUNS/naive_s$1" R="$RUNS/robust_s$1"
  $A train configs/coordination/simple_spread_grpo.yaml --run-dir "$V" seed="$s" $Q "${RECIPE[@]}"
  $A attack "$V" --agents 1 --run-dir "${V}_takeover1" $Q
  $A train configs/coordination/simple_spread_grpo.yaml --run-dir "$R" seed="$s" $Q "${RECIPE[@]}" \
    robust.kind=takeover "robust.attackers=[${V}_takeover1]" robust.online=0.5
  $A attack "$R" --agents 1 --run-dir "${R}_takeover1" $Q
  for r in "$V" "${V}_takeover1" "$R" "${R}_takeover1"; do  # env steps and seconds reached
    awk -F, -v run="$r" '{sub(/\r$/, "")} NR == 1 {for (i = 1; i <= NF; i++) if ($i == "time/elapsed_s") c = i}
      END {print run, "env_steps", $1, "elapsed_s", $c}' "$r/progress.csv"
  done
}
evaluate() {
  local s=$1 V="$RUNS/naive_s$1" R="$RUNS/robust_s$1"
  $A eval "${V}_takeover1" --episodes 1000 --json "$OUT/ss_gpu_naive_attacker_s$s.json"
  $A eval "${R}_takeover1" --episodes 1000 --json "$OUT/ss_gpu_robust_fresh_s$s.json"
  $A eval "${V}_takeover1" --victim "$R" --episodes 1000 --json "$OUT/ss_gpu_robust_vs_A_s$s.json"
}
chain() {
  [[ $MODE == eval ]] || train "$1"
  [[ $MODE == train ]] || evaluate "$1"
}
for s in $SEEDS; do chain "$s" > "$OUT/chain_${MODE}_s$s.log" 2>&1 & done
wait
tail -n 4 "$OUT"/chain_"${MODE}"_s*.log
