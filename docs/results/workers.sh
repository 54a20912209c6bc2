#!/usr/bin/env bash
# Env-steps/s of training vs data-parallel workers (torchrun; gloo on CPU, NCCL on GPUs) at a
# fixed number of envs per worker, next to one process with the same total number of envs;
# docs/benchmarks.md ("Scale"). Usage: bash docs/results/workers.sh [W ...]  (default: 1 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
SS=configs/coordination/simple_spread_mappo.yaml
DEV=${DEV:-cpu}
PER=${PER:-512}
CORES=$(nproc)
OUT=docs/results/workers_$DEV.jsonl
rm -f $OUT
for w in ${@:-1 2}; do
  OMP_NUM_THREADS=$(( CORES / w > 0 ? CORES / w : 1 )) .venv/bin/torchrun --standalone \
    --nproc-per-node "$w" -m arena profile $SS device="$DEV" env.num_envs="$PER" \
    --iterations 3 --json $OUT
  if [ "$w" -gt 1 ]; then  # one process, the same total number of envs
    OMP_NUM_THREADS=$CORES .venv/bin/arena profile $SS device="$DEV" \
      env.num_envs=$(( PER * w )) --iterations 3 --json $OUT
  fi
done
