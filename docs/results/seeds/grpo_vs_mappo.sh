#!/usr/bin/env bash
# GRPO vs MAPPO on simple_spread over 3 seeds (docs/training.md, "Claims over seeds"): each
# shipped config trained for the same 5M env steps (no wall-clock limit), evaluated greedily
# over 1000 episodes, then aggregated with `arena report` (t intervals per method, IQM with
# stratified-bootstrap intervals, probability of improvement, aggregate curves).
# Usage: bash docs/results/seeds/grpo_vs_mappo.sh [python] [seeds...]  (runs into runs/seeds/)
set -uo pipefail
cd "$(dirname "$0")/../../.."
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
A="$PY -m arena"
OUT=docs/results/seeds
Q="total_steps=5000000 time_limit=0 eval.every=40 eval.episodes=500 log.progress=false eval.gif=false"
for seed in $SEEDS; do
  for algo in grpo mappo; do
    run=runs/seeds/ss_${algo}_s$seed
    [ -f $run/eval.json ] && continue
    $A train configs/coordination/simple_spread_$algo.yaml --run-dir $run seed=$seed $Q | tail -n 2
    $A eval $run --episodes 1000 --json $run/eval.json | tail -n 4
  done
done
runs() { for s in $SEEDS; do echo runs/seeds/ss_$1_s$s; done; }
$A report --method GRPO $(runs grpo) --method MAPPO $(runs mappo) --metric eval/return/agent \
  --json $OUT/grpo_vs_mappo.json --marl-eval $OUT/grpo_vs_mappo_marl_eval.json \
  --plot docs/img/seeds_grpo_vs_mappo.png
