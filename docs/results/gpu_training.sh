#!/usr/bin/env bash
# GPU measurements of the update, the seeds and robust training (docs/benchmarks.md "The update
# on the GPU", docs/training.md "Many seeds in one process", docs/attacks.md "At GPU scale"),
# each part with its own timeout, in priority order:
#   1. MAPPO training throughput and peak memory per update variant (gpu_update.py);
#   2. the stacked (vmap) gradient of 8 seeds against each seed's own (stacked_update.py);
#   3. 8 seeds of the default recipe: 8 sequential runs against one `arena train --seeds`;
#   4. robust training against takeover on simple_spread, 3 seeds side by side, equal wall-clock;
#   5. the same at equal env steps (16M per run), training only: the runs come back in
#      gpu_attacks_equal_steps.tar.gz, evaluated on the CPU by
#      MODE=eval RUNS=/tmp/gpu_eq/runs bash docs/results/attacks_robust_gpu.sh python cpu 0 1 2
#      after `tar -xzf gpu_attacks_equal_steps.tar.gz -C /tmp` (the runs name each other by path).
# Measured 2026-12-04 on an H200: part 1 took 100 s, part 2 11 s; part 3 (then 256k steps per
# seed) did not finish in 150 s, and part 4 needs about 240 s (its rerun was cut at 230 s,
# before its last evaluation), so parts 3 to 5 need a call of their own: PARTS="5 3" runs those.
# In a later session part 3 (128k steps per seed) took 117-137 s and part 5 233 s; the call
# (a fresh machine, the wheels installed) used about 7 minutes of device time.
# The GPU machine has no gymnasium, pettingzoo, pymunk, rliable, arch or pytz: carry them as
# wheels (pandas 2.x too, for rliable's arch), and the project's own wheel for its entry points.
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
[[ $PARTS == *" 3 "* ]] && run 200 env DEVICE=cuda JSON="$OUT/gpu_seeds.json" OUT=/tmp/one_process \
  bash docs/results/seeds/one_process_vs_sequential.sh "$PY" 128000
[[ $PARTS == *" 4 "* ]] && run 280 env ENVS=4096 STEPS=20000000 CAP=30 OUT=/tmp/attacks_gpu \
  RUNS=/tmp/attacks_gpu/runs bash docs/results/attacks_robust_gpu.sh "$PY" cuda 0 1 2
[[ $PARTS == *" 4 "* ]] && tar -czf "$OUT/gpu_attacks.tar.gz" --exclude='*.pt' --exclude='*.gif' --exclude='events.out.*' \
  -C /tmp attacks_gpu
[[ $PARTS == *" 5 "* ]] && run 330 env ENVS=4096 STEPS=16000000 CAP=200 MODE=train OUT=/tmp/gpu_eq \
  RUNS=/tmp/gpu_eq/runs bash docs/results/attacks_robust_gpu.sh "$PY" cuda 0 1 2
[[ $PARTS == *" 5 "* ]] && tar -czf "$OUT/gpu_attacks_equal_steps.tar.gz" --exclude='*.gif' \
  --exclude='events.out.*' -C /tmp gpu_eq
echo "### done ($(date +%T))"
