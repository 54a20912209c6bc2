#!/usr/bin/env bash
# Reproduces docs/attack_defense.md on 2 CPU cores, one training at a time (about 50 minutes):
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
