#!/usr/bin/env bash
# MAPPO on simple_spread with time-limit truncations treated as episode ends
# (algo.bootstrap_truncation=false) against the shipped MAPPO (which bootstraps them) and GRPO,
# over 3 seeds at 5M env steps (docs/training.md, "Claims over seeds"). The GRPO and MAPPO runs
# are grpo_vs_mappo.sh's (run it first); the new runs go two at a time, one thread each.
# Usage: bash docs/results/seeds/mappo_bootstrap.sh [python] [seeds...]  (runs into runs/seeds/)
set -uo pipefail
cd "$(dirname "$0")/../../.."
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
A="$PY -m arena"
OUT=docs/results/seeds
Q="total_steps=5000000 time_limit=0 eval.every=40 eval.episodes=500 log.progress=false eval.gif=false"
export OMP_NUM_THREADS=1
for seed in $SEEDS; do
  run=runs/seeds/ss_mappo_noboot_s$seed
  [ -f $run/eval.json ] && continue
  echo "$A train configs/coordination/simple_spread_mappo.yaml --run-dir $run seed=$seed $Q \
algo.bootstrap_truncation=false > /dev/null && $A eval $run --episodes 1000 --json $run/eval.json \
| tail -n 4"
done | xargs -r -P 2 -I{} bash -c "{}"
runs() { for s in $SEEDS; do echo runs/seeds/ss_$1_s$s; done; }
$A report --method GRPO $(runs grpo) --method MAPPO $(runs mappo) \
  --method "MAPPO, no truncation bootstrap" $(runs mappo_noboot) --metric eval/return/agent \
  --json $OUT/mappo_bootstrap.json --plot docs/img/seeds_mappo_bootstrap.png
