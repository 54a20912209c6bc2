#!/usr/bin/env bash
# Can a team beat rendezvous's latest fresh attacker when it meets nothing else? (docs/attacks.md,
# "A fourth round".) Per seed, a best response: the plug-in's recipe (docs/tutorial/
# rendezvous.yaml, MAPPO) from scratch for STEPS env steps (default 2M) with round 4's fresh
# honest_return attacker F4 (ROUND=4 attacks_rendezvous_honest_round.sh, on disk) in EVERY env,
# in its slot 0 (robust.fraction=1.0, robust.agents_random=false, no population, no online
# attacker), on the honest reward; then `arena eval` of F4 against it (1000 episodes; the
# report's random and scripted rows are those saboteurs against the same team).
# Usage: [STEPS=N] bash docs/results/attacks_rendezvous_best_response.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
D=runs/robust_rendezvous
R=docs/results/attacks
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0 total_steps=${STEPS:-2000000}"
for s in $SEEDS; do
  F="$D/robust_honest_r4_s${s}_takeover1_honest"
  B="$D/best_response_f4_s$s"
  [ -f "$F/checkpoints/latest.pt" ] || { echo "missing attacker $F"; exit 1; }
  [ -f "$B/checkpoints/latest.pt" ] || $PY -m arena train docs/tutorial/rendezvous.yaml \
    --run-dir "$B" seed=$s $Q robust.kind=takeover robust.fraction=1.0 \
    robust.agents_random=false robust.online=0 robust.population_size=0 \
    robust.include_random=false robust.include_scripted=false "robust.attackers=[$F]" \
    robust.honest_reward=true
  $PY -m arena eval "$F" --victim "$B" --episodes 1000 \
    --json "$R/rendezvous_best_response_f4_seed$s.json"
done
