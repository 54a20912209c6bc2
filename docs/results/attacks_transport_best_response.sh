#!/usr/bin/env bash
# Can any team beat a learned blocker on standard (150-step) transport? (docs/attacks.md)
# The blocking hypothesis asks whether a team can hold a learned k = 1 blocker below 20% ASR
# within 150 steps at all. This script trains the team's best response to one fixed blocker:
#   B   the blocker: a fresh MAPPO attacker trained at 150 steps against the frozen robust
#       team of RESTART=8 attacks_transport_long_episodes.sh (ATTACKER=at150
#       TEAM=robust_restart8 attacks_transport_long_fresh.sh must have run for the seed);
#   BR  a MAPPO team trained from scratch at 150 steps (transport_mappo.yaml, 3M env steps,
#       or BR_STEPS) with B as the only attacker of its robust training: in half of the envs
#       B plays the slot it was trained on (agent 0, robust.agents_random=false), so the team
#       meets the blocker as it is evaluated; no population, no online attacker.
# Then B against the frozen BR team (arena eval --victim, 1000 episodes: clean success, B's
# ASR, and the ASR of the random and scripted saboteurs, the latter transport's blocker), B's
# behaviour against it, and the same match with 450-step episodes (neither side trained for
# them).
# Writes docs/results/attacks/transport_best_response_seed<s>.json and ..._450_seed<s>.json.
# FRESH=1 also trains a fresh MAPPO attacker (arena attack, BR's budget) against BR and
# evaluates it (transport_best_response_fresh_seed<s>.json): does BR hold anything else?
# FRACTION=f (default 0.5) sets the share of BR's envs in which B plays (robust.fraction;
# 1.0: every env, the pure best response); runs and files get the suffix _f<f>.
# Usage: [BR_STEPS=N] [FRACTION=f] [FRESH=1] bash docs/results/attacks_transport_best_response.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
STEPS=${BR_STEPS:-3000000}
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
TAG=best_response
FRACTION=${FRACTION:-0.5}
[ "$STEPS" = 3000000 ] || TAG=${TAG}_$STEPS
[ "$FRACTION" = 0.5 ] || TAG=${TAG}_f$FRACTION
done_steps() {  # env steps of a run's last progress row (0 when none): a killed run is redone
  tail -n 1 "$1/progress.csv" 2>/dev/null | cut -d, -f1 | grep -E '^[0-9]+$' || echo 0; }
for s in $SEEDS; do
  B="runs/robust_restart8_long450_transport_seed${s}_takeover1_at150"
  [ -f "$B/checkpoints/latest.pt" ] || { echo "missing blocker $B"; exit 1; }
  BR="runs/${TAG}_transport_seed$s"
  if [ "$(done_steps "$BR")" -lt "$STEPS" ]; then
    rm -rf "$BR"
    $PY -m arena train configs/coordination/transport_mappo.yaml --run-dir "$BR" seed=$s $Q \
      total_steps=$STEPS robust.kind=takeover "robust.attackers=[$B]" robust.fraction=$FRACTION robust.online=0 \
      robust.agents_random=false robust.population_size=0 robust.include_scripted=false robust.include_random=false
  fi
  $PY -m arena eval "$B" --victim "$BR" --episodes 1000 \
    --json "docs/results/attacks/transport_${TAG}_seed$s.json"
  $PY docs/results/attacks_transport_behaviour.py --episodes 500 "$B:$BR"
  $PY -m arena eval "$B" --victim "$BR" --episodes 1000 max_steps=450 \
    --json "docs/results/attacks/transport_${TAG}_450_seed$s.json"   # does time decide it?
  if [ -n "${FRESH:-}" ]; then
    F="${BR}_takeover1"
    [ "$(done_steps "$F")" -ge "$STEPS" ] || { rm -rf "$F"; $PY -m arena attack "$BR" --agents 1 --run-dir "$F" $Q; }
    $PY -m arena eval "$F" --episodes 1000 --json "docs/results/attacks/transport_${TAG}_fresh_seed$s.json"
    $PY docs/results/attacks_transport_behaviour.py --episodes 500 "$F"
  fi
done
