#!/usr/bin/env bash
# Breach at GPU scale, all runs side by side on one GPU (docs/attack_defense.md, "At GPU scale"):
# - the 256x256 + imitation defenders, co-evolved and trained against the scripted attacker only,
#   each followed by its exploitation check (a fresh attacker cloned from the scripted attacker);
# - attackers trained against the scripted guard defense (from scratch, and cloned from the
#   scripted attacker) and against the scripted intercept defense (from scratch);
# then the cross-play of all of them against both scripted defenses (on the CPU).
# Usage: OUT=dir bash docs/results/attack_defense_gpu_256.sh [seconds_defense] [seconds_exploit]
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-runs}
T=${1:-170}
E=${2:-140}
A="python3 -m arena"
C=configs/attack_defense
G="device=cuda env.num_envs=4096 pretrain.num_envs=2048 eval.every=1000000 log.checkpoint_every=1000000"
I="teams.defender.algo.imitation_coef=1.0"
W="teams.defender.policy.hidden_sizes=[256,256]"
export OMP_NUM_THREADS=3
t() {  # config seconds run [overrides]
  timeout $(( $2 + 150 )) $A train "$C/$1.yaml" --run-dir "$OUT/$3" $G time_limit="$2" "${@:4}" \
    > "$OUT/$3.log" 2>&1 || echo "train $3 failed: $?"
}
( t breach_coevolution "$T" gpu_coevolution_256 "$I" "$W"
  t breach_exploit "$E" gpu_exploit_coevolution_256 teams.defender.frozen="$OUT/gpu_coevolution_256" ) &
( t breach_defender_vs_scripted "$T" gpu_vs_scripted_256 "$I" "$W"
  t breach_exploit "$E" gpu_exploit_vs_scripted_256 teams.defender.frozen="$OUT/gpu_vs_scripted_256" ) &
t breach_attacker_vs_scripted $((T + E)) gpu_attacker_vs_guard &
t breach_exploit $((T + E)) gpu_attacker_cloned_vs_guard &
t breach_attacker_vs_scripted $((T + E)) gpu_attacker_vs_intercept env.kwargs.scripted_defense=intercept &
wait
X="--env attack_defense/breach-v0 --episodes 1000"
timeout 200 $A eval $X --attackers scripted "$OUT/gpu_attacker_vs_guard" "$OUT/gpu_attacker_cloned_vs_guard" \
  "$OUT/gpu_attacker_vs_intercept" "$OUT/gpu_coevolution_256" "$OUT/gpu_exploit_coevolution_256" \
  "$OUT/gpu_exploit_vs_scripted_256" \
  --defenders scripted "$OUT/gpu_coevolution_256" "$OUT/gpu_vs_scripted_256" \
  --json "$OUT/gpu_crossplay_256.json" > "$OUT/gpu_crossplay_256.txt" 2>&1 &
timeout 200 $A eval scripted_defense=intercept $X --attackers scripted "$OUT/gpu_attacker_vs_intercept" \
  "$OUT/gpu_attacker_vs_guard" "$OUT/gpu_attacker_cloned_vs_guard" --defenders scripted \
  --json "$OUT/gpu_crossplay_intercept.json" > "$OUT/gpu_crossplay_intercept.txt" 2>&1 &
wait
cat "$OUT"/gpu_crossplay_*.txt
for f in "$OUT"/*.log; do echo "== $f"; tr '\r' '\n' < "$f" | grep -v '^\s*$' | tail -2; done
