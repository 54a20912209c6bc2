#!/usr/bin/env bash
# More seeds of the GPU-scale defenders of attack_defense_gpu_256.sh, side by side on one GPU:
# per seed, the 256x256 + imitation defenders co-evolved and trained against the scripted attacker
# only, each followed by its exploitation check; then one cross-play per seed (on the CPU).
# Usage: OUT=dir bash docs/results/attack_defense_gpu_seeds.sh [seconds_defense] [seconds_exploit]
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-runs}
R=${RUNS:-$OUT}  # where the runs go (OUT keeps only the reports)
T=${1:-140}
E=${2:-110}
A="python3 -m arena"
C=configs/attack_defense
G="device=cuda env.num_envs=4096 pretrain.num_envs=2048 eval.every=1000000 log.checkpoint_every=1000000"
I="teams.defender.algo.imitation_coef=1.0"
W="teams.defender.policy.hidden_sizes=[256,256]"
export OMP_NUM_THREADS=3
mkdir -p "$R"
t() {  # config seconds run [overrides]
  timeout $(( $2 + 150 )) $A train "$C/$1.yaml" --run-dir "$R/$3" $G time_limit="$2" "${@:4}" \
    > "$R/$3.log" 2>&1 || echo "train $3 failed: $?"
}
for s in ${SEEDS:-1 2}; do
  ( t breach_coevolution "$T" gpu_coevolution_256_s$s "$I" "$W" seed=$s
    t breach_exploit "$E" gpu_exploit_coevolution_256_s$s seed=$s \
      teams.defender.frozen="$R/gpu_coevolution_256_s$s" ) &
  ( t breach_defender_vs_scripted "$T" gpu_vs_scripted_256_s$s "$I" "$W" seed=$s
    t breach_exploit "$E" gpu_exploit_vs_scripted_256_s$s seed=$s \
      teams.defender.frozen="$R/gpu_vs_scripted_256_s$s" ) &
done
wait
for s in ${SEEDS:-1 2}; do
  timeout 200 $A eval --env attack_defense/breach-v0 --episodes 1000 --attackers scripted \
    "$R/gpu_coevolution_256_s$s" "$R/gpu_exploit_coevolution_256_s$s" "$R/gpu_exploit_vs_scripted_256_s$s" \
    --defenders scripted "$R/gpu_coevolution_256_s$s" "$R/gpu_vs_scripted_256_s$s" \
    --json "$OUT/gpu_crossplay_256_s$s.json" > "$OUT/gpu_crossplay_256_s$s.txt" 2>&1 &
done
wait
cat "$OUT"/gpu_crossplay_256_s*.txt
for f in "$R"/*.log; do echo "== $f"; tr '\r' '\n' < "$f" | grep -E "step/s" | tail -1 | cut -c1-160; done
