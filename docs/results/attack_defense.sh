#!/usr/bin/env bash
# Reproduces docs/attack_defense.md: defenders trained three ways, a fresh attacker trained
# against each frozen defense (exploitation check), attackers against the scripted defense, and
# the cross-play matrix. One training at a time (2 cores); about 50 minutes in all.
set -euo pipefail
cd "$(dirname "$0")/../.."
A=.venv/bin/arena
C=configs/attack_defense
train() { [ -d "runs/$2/checkpoints" ] || $A train "$C/$1.yaml" --run-dir "runs/$2" "${@:3}"; }
train breach_mappo breach_mappo                                  # simultaneous self-play, 6 min
train breach_defender_vs_scripted breach_defender_vs_scripted    # 6 min
train breach_coevolution breach_coevolution                      # 12 min (each learner plays half the envs)
train breach_attacker_vs_scripted breach_attacker_vs_scripted    # 6 min
for d in breach_defender_vs_scripted breach_coevolution breach_mappo; do
  train breach_exploit "exploit_$d" "teams.defender.frozen=runs/$d"   # 6 min each
done
for r in breach_defender_vs_scripted breach_coevolution breach_attacker_vs_scripted \
         exploit_breach_defender_vs_scripted exploit_breach_coevolution exploit_breach_mappo; do
  $A eval "runs/$r" --episodes 1000 --json "docs/results/$r.json"
done
$A eval --env attack_defense/breach-v0 --episodes 1000 \
  --attackers scripted random runs/breach_mappo runs/breach_attacker_vs_scripted runs/breach_coevolution \
    runs/exploit_breach_defender_vs_scripted runs/exploit_breach_coevolution runs/exploit_breach_mappo \
  --defenders scripted random runs/breach_mappo runs/breach_defender_vs_scripted runs/breach_coevolution \
  --json docs/results/breach_crossplay_coevolution.json --png docs/img/breach_crossplay_coevolution.png
# alternating updates (10 iterations each), and the exploitation check of its defenders
train breach_alternating breach_alternating
train breach_exploit exploit_breach_alternating "teams.defender.frozen=runs/breach_alternating"
for r in breach_alternating exploit_breach_alternating; do
  $A eval "runs/$r" --episodes 1000 --json "docs/results/$r.json"
done
$A eval --env attack_defense/breach-v0 --episodes 1000 \
  --attackers scripted runs/breach_attacker_vs_scripted runs/breach_alternating runs/exploit_breach_alternating \
  --defenders runs/breach_alternating --json docs/results/breach_crossplay_alternating.json
