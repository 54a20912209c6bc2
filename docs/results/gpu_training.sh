#!/usr/bin/env bash
# GPU measurements of the update, the seeds and robust training (docs/benchmarks.md "The update
# on the GPU", docs/training.md "Many seeds in one process", docs/attacks.md "At GPU scale"),
# each part with its own timeout, in priority order:
#   1. MAPPO training throughput and peak memory per update variant (gpu_update.py);
#   2. the stacked (vmap) gradient of 8 seeds against each seed's own (stacked_update.py);
#   3. 8 seeds of the default recipe: 8 sequential runs against one `arena train --seeds`;
#   4. robust training against takeover on simple_spread, 3 seeds side by side.
# Measured 2026-12-04 on an H200: part 1 took 100 s, part 2 11 s; part 3 did not finish in 150 s,
# and part 4 needs about 240 s (its rerun was cut at 230 s, before its last evaluation), so
# parts 3 and 4 need a call of their own: PARTS="3 4" runs only those.
# Usage: [PARTS="1 2 3 4"] OUT=dir bash docs/results/gpu_training.sh [python]
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-python3}
OUT=${OUT:-docs/results/gpu}
mkdir -p "$OUT"
run() { local t=$1; shift; echo "### $* ($(date +%T))"; timeout "$t" "$@" || echo "!!! failed or timed out ($?)"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null
  $PY -c "import torch; print('torch', torch.__version__)"; nproc; } | tee "$OUT/gpu_training_device.txt"
PARTS=" ${PARTS:-1 2 3 4} "
[[ $PARTS == *" 1 "* ]] && run 150 $PY docs/results/gpu_update.py --device cuda --json "$OUT/gpu_update.json"
[[ $PARTS == *" 2 "* ]] && run 75 $PY docs/results/seeds/stacked_update.py --device cuda --seeds 8 \
  --num-envs 512 --chunk-size 0 16777216 --rounds 3 --json "$OUT/gpu_stacked_update.json"
[[ $PARTS == *" 3 "* ]] && run 300 env DEVICE=cuda JSON="$OUT/gpu_seeds.json" OUT=/tmp/one_process \
  bash docs/results/seeds/one_process_vs_sequential.sh "$PY" 256000
[[ $PARTS == *" 4 "* ]] && run 280 env ENVS=4096 STEPS=20000000 CAP=30 OUT=/tmp/attacks_gpu \
  RUNS=/tmp/attacks_gpu/runs bash docs/results/attacks_robust_gpu.sh "$PY" cuda 0 1 2
[[ $PARTS == *" 4 "* ]] && tar -czf "$OUT/gpu_attacks.tar.gz" --exclude='*.pt' --exclude='*.gif' --exclude='events.out.*' \
  -C /tmp attacks_gpu
echo "### done ($(date +%T))"
