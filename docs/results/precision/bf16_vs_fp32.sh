#!/usr/bin/env bash
# Does bfloat16 learn the same? The default recipe (GRPO on simple_spread,
# configs/coordination/simple_spread_grpo.yaml) trained with algo.precision float32 and
# bfloat16, 3 seeds each in one process (`arena train --seeds`), the same 5M env steps (no
# wall-clock limit), 1000 greedy evaluation episodes per seed, then `arena report` across the
# two (docs/training.md, "bfloat16 updates"). One training at a time: the wall-clock of each is
# appended to docs/results/precision/wall_clock.txt.
# Usage: bash docs/results/precision/bf16_vs_fp32.sh [steps] [seeds...]  (runs into runs/precision/)
set -uo pipefail
cd "$(dirname "$0")/../../.."
STEPS=${1:-5000000}
shift || true
SEEDS=${*:-0 1 2}
A=".venv/bin/arena"
OUT=docs/results/precision
C=configs/coordination/simple_spread_grpo.yaml
Q="total_steps=$STEPS time_limit=0 eval.every=40 eval.episodes=500 log.progress=false eval.gif=false"
for p in float32 bfloat16; do
  run=runs/precision/grpo_$p
  if [ ! -f $run/report.json ]; then
    start=$(date +%s)
    $A train $C --seeds $SEEDS --run-dir $run algo.precision=$p $Q | tail -n 3
    echo "$p: $(( $(date +%s) - start )) s for seeds $SEEDS, $STEPS steps each" >> $OUT/wall_clock.txt
  fi
  for s in $SEEDS; do
    $A eval $run/seed_$s --episodes 1000 --json $OUT/grpo_${p}_s$s.json | tail -n 3
  done
done
runs() { for s in $SEEDS; do echo runs/precision/grpo_$1/seed_$s; done; }
$A report --method float32 $(runs float32) --method bfloat16 $(runs bfloat16) \
  --metric eval/return/agent --json $OUT/report.json --plot docs/img/precision_bf16_vs_fp32.png
