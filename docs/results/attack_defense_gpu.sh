#!/usr/bin/env bash
# The co-evolution pipeline of docs/attack_defense.md at GPU scale (8192 envs): co-evolution,
# then the exploitation check of its defenders, then cross-play against the scripted policies.
# Usage: OUT=dir bash docs/results/attack_defense_gpu.sh [seconds_coevo] [seconds_exploit]
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-runs}
A="python3 -m arena"
C=configs/attack_defense
G="device=cuda env.num_envs=8192 pretrain.num_envs=2048 eval.every=1000000"
timeout 300 $A train $C/breach_coevolution.yaml --run-dir "$OUT/gpu_coevolution" $G \
  time_limit="${1:-120}" log.checkpoint_every=1000000
timeout 240 $A train $C/breach_exploit.yaml --run-dir "$OUT/gpu_exploit_coevolution" $G \
  time_limit="${2:-90}" teams.defender.frozen="$OUT/gpu_coevolution" log.checkpoint_every=1000000
timeout 120 $A eval --env attack_defense/breach-v0 --episodes 1000 \
  --attackers scripted "$OUT/gpu_coevolution" "$OUT/gpu_exploit_coevolution" \
  --defenders scripted "$OUT/gpu_coevolution" --json "$OUT/gpu_crossplay.json"
