#!/usr/bin/env bash
# Reproduces docs/attack_defense.md on 2 CPU cores, one training at a time (about 90 minutes):
# an attacker trained from scratch against the scripted defense, defenders trained against the
# scripted attacker only and by population co-evolution (both warm-started by behaviour cloning
# of the scripted defense), the exploitation check of every defense (a fresh attacker,
# warm-started from the scripted attacker, trained against it), and the cross-play matrix.
set -euo pipefail
cd "$(dirname "$0")/../.."
A=.venv/bin/arena
C=configs/attack_defense
train() { [ -d "runs/$2/checkpoints" ] || $A train "$C/$1.yaml" --run-dir "runs/$2" "${@:3}"; }
train breach_attacker_vs_scripted breach_attacker_vs_scripted    # 6 min, from scratch
train breach_defender_vs_scripted breach_defender_vs_scripted    # 6 min (+ cloning)
train breach_coevolution breach_coevolution                      # 12 min (+ cloning)
train breach_exploit exploit_scripted                            # the scripted defense, 6 min
for d in breach_defender_vs_scripted breach_coevolution; do
  train breach_exploit "exploit_$d" "teams.defender.frozen=runs/$d"   # 6 min each
done
$A eval --env attack_defense/breach-v0 --episodes 1000 \
  --attackers scripted random runs/breach_attacker_vs_scripted runs/breach_coevolution \
    runs/exploit_scripted runs/exploit_breach_defender_vs_scripted runs/exploit_breach_coevolution \
  --defenders scripted random runs/breach_defender_vs_scripted runs/breach_coevolution \
  --json docs/results/breach_crossplay.json --png docs/img/breach_crossplay.png
# the same two defenses trained with an imitation term toward the scripted defense on their
# own states (algo.imitation_coef), their exploitation checks, and the cross-play with them
I="teams.defender.algo.imitation_coef=1.0"
train breach_defender_vs_scripted breach_defender_vs_scripted_imitation "$I"
train breach_coevolution breach_coevolution_imitation "$I"
for d in breach_defender_vs_scripted_imitation breach_coevolution_imitation; do
  train breach_exploit "exploit_$d" "teams.defender.frozen=runs/$d"
done
$A eval --env attack_defense/breach-v0 --episodes 1000 \
  --attackers scripted random runs/breach_attacker_vs_scripted runs/breach_coevolution \
    runs/breach_coevolution_imitation runs/exploit_scripted \
    runs/exploit_breach_defender_vs_scripted runs/exploit_breach_coevolution \
    runs/exploit_breach_defender_vs_scripted_imitation runs/exploit_breach_coevolution_imitation \
  --defenders scripted random runs/breach_defender_vs_scripted runs/breach_coevolution \
    runs/breach_defender_vs_scripted_imitation runs/breach_coevolution_imitation \
  --json docs/results/breach_crossplay_all.json --png docs/img/breach_crossplay_all.png
