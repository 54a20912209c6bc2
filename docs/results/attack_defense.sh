#!/usr/bin/env bash
# Reproduces docs/attack_defense.md on 2 CPU cores, one training at a time (about 140 minutes):
# an attacker trained from scratch against the scripted defense; defenders trained against the
# scripted attacker only and by population co-evolution, both warm-started by behaviour cloning
# of the scripted defense, each without and with an imitation term toward the scripted defense
# during training; the exploitation check of every defense (a fresh attacker, warm-started by
# cloning the scripted attacker, trained against it); and the cross-play of all of them. Last,
# the imitation runs again with wider defender networks (256x256), their exploiters and cross-play.
set -euo pipefail
cd "$(dirname "$0")/../.."
A=.venv/bin/arena
C=configs/attack_defense
I="teams.defender.algo.imitation_coef=1.0"
train() { [ -d "runs/$2/checkpoints" ] || $A train "$C/$1.yaml" --run-dir "runs/$2" "${@:3}"; }
train breach_attacker_vs_scripted breach_attacker_vs_scripted    # 6 min, from scratch
train breach_defender_vs_scripted breach_defender_vs_scripted    # 6 min (+ cloning)
train breach_coevolution breach_coevolution                      # 12 min (+ cloning)
train breach_defender_vs_scripted breach_defender_vs_scripted_imitation "$I"
train breach_coevolution breach_coevolution_imitation "$I"
train breach_exploit exploit_scripted                            # the scripted defense, 6 min
for d in breach_defender_vs_scripted breach_coevolution breach_defender_vs_scripted_imitation \
         breach_coevolution_imitation; do
  train breach_exploit "exploit_$d" "teams.defender.frozen=runs/$d"   # 6 min each
done
$A eval --env attack_defense/breach-v0 --episodes 1000 \
  --attackers scripted random runs/breach_attacker_vs_scripted runs/breach_coevolution \
    runs/breach_coevolution_imitation runs/exploit_scripted \
    runs/exploit_breach_defender_vs_scripted runs/exploit_breach_coevolution \
    runs/exploit_breach_defender_vs_scripted_imitation runs/exploit_breach_coevolution_imitation \
  --defenders scripted random runs/breach_defender_vs_scripted runs/breach_coevolution \
    runs/breach_defender_vs_scripted_imitation runs/breach_coevolution_imitation \
  --json docs/results/breach_crossplay_all.json --png docs/img/breach_crossplay_all.png
$A plot runs/exploit_scripted runs/exploit_breach_defender_vs_scripted runs/exploit_breach_coevolution \
  runs/exploit_breach_defender_vs_scripted_imitation runs/exploit_breach_coevolution_imitation \
  --source eval --metric eval/attack_success --labels "scripted guard defense" \
  "cloned + vs scripted attacker" "cloned + co-evolution" "cloned + vs scripted attacker + imitation" \
  "cloned + co-evolution + imitation" --out docs/img/breach_exploiters.png \
  --title "exploitation check: ASR of a fresh attacker vs each frozen defense"
W="teams.defender.policy.hidden_sizes=[256,256]"
train breach_defender_vs_scripted breach_defender_vs_scripted_imitation_256 "$I" "$W"
train breach_coevolution breach_coevolution_imitation_256 "$I" "$W"
for d in breach_coevolution_imitation_256 breach_defender_vs_scripted_imitation_256; do
  train breach_exploit "exploit_$d" "teams.defender.frozen=runs/$d"
done
$A eval --env attack_defense/breach-v0 --episodes 1000 \
  --attackers scripted runs/breach_coevolution_imitation_256 runs/exploit_breach_defender_vs_scripted \
    runs/exploit_breach_coevolution runs/exploit_breach_defender_vs_scripted_imitation \
    runs/exploit_breach_coevolution_imitation runs/exploit_breach_coevolution_imitation_256 \
    runs/exploit_breach_defender_vs_scripted_imitation_256 \
  --defenders runs/breach_defender_vs_scripted_imitation_256 runs/breach_coevolution_imitation_256 \
  --json docs/results/breach_crossplay_256.json --png docs/img/breach_crossplay_256.png
