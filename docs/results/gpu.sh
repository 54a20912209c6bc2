#!/usr/bin/env bash
# GPU measurements for docs/benchmarks.md ("GPU"): simulator env-steps/s up to 262,144 envs
# (eager and compiled), MAPPO training throughput, SSM vs GRU training steps vs sequence length,
# Gaussian vs flow-head decision cost, and GRPO vs MAPPO iteration time and memory.
# Usage: OUT=dir bash docs/results/gpu.sh [device] [python]   (each part has its own timeout)
set -uo pipefail
cd "$(dirname "$0")/../.."
DEV=${1:-cuda}
PY=${2:-python3}
OUT=${OUT:-docs/results}
A="$PY -m arena"
run() { local t=$1; shift; echo "### $*"; timeout "$t" "$@" || echo "!!! failed or timed out ($?)"; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null | tee "$OUT/gpu_device.txt"
$PY -c "import torch; print('torch', torch.__version__)" | tee -a "$OUT/gpu_device.txt"
run 90 $A bench --device "$DEV" --num-envs 1 1024 16384 65536 262144 --steps 200 \
  --json "$OUT/gpu_env_eager.json"
run 120 $A bench --training --device "$DEV" --num-envs 4096 16384 65536 --iterations 3 \
  --json "$OUT/gpu_training.json"
run 90 $A bench --sequence --device "$DEV" --batch 256 --lengths 64 128 256 512 1024 \
  --json "$OUT/gpu_sequence.json"
run 30 $A bench --heads --device "$DEV" --agents 65536 --json "$OUT/gpu_heads.json"
for c in coordination/simple_spread_mappo coordination/simple_spread_grpo; do
  run 45 $A profile configs/$c.yaml device="$DEV" env.num_envs=16384 algo.minibatch_size=0 --iterations 2 \
    --json "$OUT/gpu_profile.jsonl"
done
run 45 $A profile configs/navigation/hidden_goal_ssm.yaml device="$DEV" env.num_envs=4096 \
  --iterations 2 --json "$OUT/gpu_profile.jsonl"
run 45 $A profile configs/navigation/hidden_goal_ssm.yaml device="$DEV" env.num_envs=4096 \
  policy.backbone=gru --iterations 2 --json "$OUT/gpu_profile.jsonl"
run 150 $A bench --device "$DEV" --compile --num-envs 65536 262144 --steps 200 \
  --json "$OUT/gpu_env_compiled.json"
