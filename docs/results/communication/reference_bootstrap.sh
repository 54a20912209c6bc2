#!/usr/bin/env bash
# Why MAPPO's agents drift away from the landmarks on reference (docs/communication.md).
# 1. Controls at local_ratio=1, where an agent's reward is the *other* agent's distance to a
#    landmark: its own actions have no effect on its own reward, so an unbiased policy gradient
#    is zero in expectation and the agents should not move away. 600k env steps, no channel
#    (seed 0): MAPPO with and without the time-limit bootstrap, GAE lambda 0.95 and 1, and
#    critic-free GRPO.
# 2. The task itself (local_ratio 0.5), MAPPO without the bootstrap, 2M env steps, seed 0:
#    no comm, channel, tarmac.
# Two single-threaded jobs at a time; then the table (training episodes' goal distance).
# Usage: bash docs/results/communication/reference_bootstrap.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
A=".venv/bin/arena"
OUT=${OUT:-runs/communication/reference_bootstrap}
export OMP_NUM_THREADS=1
M=configs/communication/reference_mappo.yaml
G=configs/communication/reference_grpo.yaml
COMMON="log.progress=false eval.every=0 eval.episodes=1000 eval.gif=false"
CUT="env.kwargs.channel.drop_prob=1.0"
CTRL="$COMMON $CUT env.kwargs.local_ratio=1.0 total_steps=600000"
{
  echo "$A train $M --run-dir $OUT/ctrl_boot_lam0.95 $CTRL algo.bootstrap_truncation=true"
  echo "$A train $M --run-dir $OUT/ctrl_boot_lam1 $CTRL algo.bootstrap_truncation=true algo.gae_lambda=1.0"
  echo "$A train $M --run-dir $OUT/ctrl_noboot_lam0.95 $CTRL algo.bootstrap_truncation=false"
  echo "$A train $M --run-dir $OUT/ctrl_noboot_lam1 $CTRL algo.bootstrap_truncation=false algo.gae_lambda=1.0"
  echo "$A train $G --run-dir $OUT/ctrl_grpo $CTRL"
  echo "$A train $M --run-dir $OUT/mappo_noboot_nocomm $COMMON $CUT"
  echo "$A train $M --run-dir $OUT/mappo_noboot_channel $COMMON"
  echo "$A train $M --run-dir $OUT/mappo_noboot_tarmac $COMMON $CUT policy.comm.kind=tarmac"
} | while read -r cmd; do
  dir=$(echo "$cmd" | sed 's/.*--run-dir \([^ ]*\).*/\1/')
  [ -f "$dir/eval.csv" ] || echo "rm -rf $dir && $cmd > /dev/null"
done | xargs -r -P "${JOBS:-2}" -I{} bash -c "{}"
.venv/bin/python docs/results/communication/reference_bootstrap_table.py "$OUT"
