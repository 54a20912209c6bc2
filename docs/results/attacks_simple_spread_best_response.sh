#!/usr/bin/env bash
# Can any team hold simple_spread against one known attacker? (docs/attacks.md, "With the
# honest reward on simple_spread".) Per seed, two best responses, each the default recipe
# (GRPO, STEPS env steps, default 5M) from scratch with that one attacker in EVERY env, in slot
# 0 (robust.fraction=1.0, robust.agents_random=false, no population, no online attacker), on the
# honest reward (robust.honest_reward=true):
#   BA: against AH, the honest_return attacker of the naive team (attacks_simple_spread_honest.sh,
#       whose runs must be on disk);
#   BS: against the scripted saboteur (it rams the nearest honest agent).
# Then `arena eval` of AH against each (1000 episodes; the reports' random and scripted rows
# are those saboteurs against the same team). Steps whose runs exist are skipped.
# STEPS=N, when set, appends _N to the run and report names; WHO="ah" or "scripted" runs
# one of the two (default both).
# Usage: [STEPS=N] [WHO=...] [RUNS=DIR] bash docs/results/attacks_simple_spread_best_response.sh [python]
# [seeds...]   (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
A="$PY -m arena"
D=${RUNS:-runs/robust_ss_honest}
R=${OUT:-docs/results/attacks}
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0 total_steps=${STEPS:-5000000}"
TAG=${STEPS:+_$STEPS}
ONE=(robust.kind=takeover robust.fraction=1.0 robust.agents_random=false robust.online=0
     robust.population_size=0 robust.include_random=false robust.honest_reward=true)
mkdir -p "$R"
for s in $SEEDS; do
  AH="$D/naive_s${s}_takeover1_honest"
  [ -f "$AH/checkpoints/latest.pt" ] || { echo "missing attacker $AH"; exit 1; }
  for who in ${WHO:-ah scripted}; do
    B="$D/best_response_${who}${TAG}_s$s"
    if [ "$who" = ah ]; then MEMBERS=("robust.attackers=[$AH]" robust.include_scripted=false)
    else MEMBERS=("robust.attackers=[]" robust.include_scripted=true); fi
    [ -f "$B/checkpoints/latest.pt" ] || $A train configs/coordination/simple_spread_grpo.yaml \
      --run-dir "$B" seed=$s $Q "${ONE[@]}" "${MEMBERS[@]}"
    $A eval "$AH" --victim "$B" --episodes 1000 \
      --json "$R/simple_spread_best_response_${who}${TAG}_seed$s.json"
  done
done
