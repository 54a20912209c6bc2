#!/usr/bin/env bash
# Seeds and variants of the 256x256 + imitation defenders of docs/attack_defense.md, on 2 CPU
# cores, one training at a time (about 120 minutes; run after attack_defense.sh, whose seed-0
# runs it reuses): seeds 1 and 2 of co-evolution and of training against the scripted attacker
# only; co-evolution with prioritized opponent draws (pfsp), seed 0; the exploitation check
# of each; an attacker trained against the scripted intercept defense; then the cross-plays.
set -euo pipefail
cd "$(dirname "$0")/../.."
A=.venv/bin/arena
C=configs/attack_defense
I="teams.defender.algo.imitation_coef=1.0"
W="teams.defender.policy.hidden_sizes=[256,256]"
P="coevolution.opponent_sampling=pfsp"
train() { [ -d "runs/$2/checkpoints" ] || $A train "$C/$1.yaml" --run-dir "runs/$2" "${@:3}"; }
ex() { train breach_exploit "exploit_$1" "teams.defender.frozen=runs/$1" seed="$2"; }
train breach_attacker_vs_scripted breach_attacker_vs_intercept env.kwargs.scripted_defense=intercept
for s in 1 2; do
  train breach_coevolution "breach_coevolution_imitation_256_s$s" "$I" "$W" seed=$s
  train breach_defender_vs_scripted "breach_defender_vs_scripted_imitation_256_s$s" "$I" "$W" seed=$s
  ex "breach_coevolution_imitation_256_s$s" $s
  ex "breach_defender_vs_scripted_imitation_256_s$s" $s
done
train breach_coevolution breach_coevolution_imitation_256_pfsp "$I" "$W" "$P"
ex breach_coevolution_imitation_256_pfsp 0
D="breach_defender_vs_scripted_imitation_256 breach_defender_vs_scripted_imitation_256_s1
   breach_defender_vs_scripted_imitation_256_s2 breach_coevolution_imitation_256
   breach_coevolution_imitation_256_s1 breach_coevolution_imitation_256_s2
   breach_coevolution_imitation_256_pfsp"
# shellcheck disable=SC2046,SC2086
$A eval --env attack_defense/breach-v0 --episodes 1000 \
  --attackers scripted runs/exploit_breach_defender_vs_scripted_imitation \
    runs/exploit_breach_coevolution_imitation $(printf 'runs/exploit_%s ' $D) \
    runs/breach_coevolution_imitation_256 runs/breach_coevolution_imitation_256_s1 \
    runs/breach_coevolution_imitation_256_s2 runs/breach_coevolution_imitation_256_pfsp \
  --defenders $(printf 'runs/%s ' $D) \
  --json docs/results/breach_crossplay_seeds.json --png docs/img/breach_crossplay_seeds.png
$A eval scripted_defense=intercept --env attack_defense/breach-v0 --episodes 1000 \
  --attackers scripted random runs/breach_attacker_vs_intercept runs/breach_attacker_vs_scripted \
  --defenders scripted random --json docs/results/breach_crossplay_intercept.json
