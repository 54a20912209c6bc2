#!/usr/bin/env bash
# Reproduces the scaling and profile tables of docs/benchmarks.md ("Scale" section).
# Usage: bash docs/results/scaling.sh [device]   (run one job at a time: nothing else on the box)
set -euo pipefail
cd "$(dirname "$0")/../.."
DEV=${1:-cpu}
A=.venv/bin/arena
OUT=docs/results
SS=configs/coordination/simple_spread_mappo.yaml
rm -f $OUT/profile_$DEV.jsonl
# 1. env-steps/s of the simulator alone vs num_envs (random actions), eager and compiled
$A bench --device "$DEV" --compile --num-envs 1 16 256 4096 65536 --steps 200 \
  --json $OUT/scaling_env_$DEV.json
# 2. where a training iteration's time goes vs num_envs (MAPPO, simple_spread config)
for n in 16 256 4096 65536; do
  $A profile $SS device="$DEV" env.num_envs=$n --iterations 2 --json $OUT/profile_$DEV.jsonl
done
# 3. the measured effect of compiling the simulator step and the networks (4096 envs)
$A profile $SS device="$DEV" env.num_envs=4096 env.compile=true --iterations 2 --json $OUT/profile_$DEV.jsonl
$A profile $SS device="$DEV" env.num_envs=4096 policy.compile=true --iterations 2 --json $OUT/profile_$DEV.jsonl
# 4. other scenarios and backbones at their configs' num_envs
for c in configs/attack_defense/breach_mappo.yaml configs/navigation/navigation_attention.yaml; do
  $A profile $c device="$DEV" --iterations 2 --json $OUT/profile_$DEV.jsonl
done
