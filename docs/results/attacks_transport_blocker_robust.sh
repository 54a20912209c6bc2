#!/usr/bin/env bash
# Robust training on standard (150-step) transport with a learned blocker and a learned deserter
# as fixed members, and the budget a best response to the blocker needed (docs/attacks.md).
# attacks_transport_best_response.sh showed that a team trained against one blocker B in every
# env for 6M steps holds it to 14% ASR, where 3M steps with B in half of the envs left it at 93%.
# Here, per seed s (its runs of FRESH=1 attacks_transport_best_response.sh must be on disk):
#   B  runs/robust_restart8_long450_transport_seed<s>_takeover1_at150  (blocks)
#   D  runs/best_response_transport_seed<s>_takeover1                 (deserts: the fresh
#      attacker that broke the 3M best response to B)
#   R  a MAPPO team from scratch (transport_mappo.yaml, 150 steps, STEPS env steps, default 9M)
#      with an attacker in every env (robust.fraction=1): B or D (fixed members, drawn per
#      generation) in 80% of them, an online MAPPO attacker in 20%; no mutants, no scripted or
#      random members. Slots are drawn anew every episode.
# Then B, D and R's final online attacker (random slots, as in training) against the frozen R,
# and a FRESH MAPPO attacker (arena attack: the team's
# algorithm and budget, from scratch) against it; 1000 episodes each. Writes
# docs/results/attacks/transport_<TAG>_{vs_B,vs_D,online,fresh}_seed<s>.json.
# With STEPS above 9M and the 9M team on disk, R starts as a copy of the 9M team and resumes to
# STEPS (`arena train --resume`: exact, and no schedule depends on total_steps, so this equals a
# STEPS run from scratch); the fresh attacker then gets STEPS env steps, and B, D and the fresh
# attackers of both budgets play cross-play against the 9M team and R.
# Usage: [STEPS=N] bash docs/results/attacks_transport_blocker_robust.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1}
STEPS=${STEPS:-9000000}
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
TAG=blocker_robust
[ "$STEPS" = 9000000 ] || TAG=${TAG}_$STEPS
done_steps() {  # env steps of a run's last progress row (0 when none): a killed run is redone
  tail -n 1 "$1/progress.csv" 2>/dev/null | cut -d, -f1 | grep -E '^[0-9]+$' || echo 0; }
for s in $SEEDS; do
  B="runs/robust_restart8_long450_transport_seed${s}_takeover1_at150"
  D="runs/best_response_transport_seed${s}_takeover1"
  for m in "$B" "$D"; do [ -f "$m/checkpoints/latest.pt" ] || { echo "missing member $m"; exit 1; }; done
  R="runs/${TAG}_transport_seed$s"
  R9="runs/blocker_robust_transport_seed$s"
  if [ "$R" != "$R9" ] && [ "$(done_steps "$R")" -lt "$STEPS" ] && [ "$(done_steps "$R9")" -ge 9000000 ]; then
    [ -d "$R" ] || cp -r "$R9" "$R"  # a killed resume goes on from its own last checkpoint
    $PY -m arena train --resume "$R" total_steps=$STEPS
  fi
  if [ "$(done_steps "$R")" -lt "$STEPS" ]; then
    rm -rf "$R"
    $PY -m arena train configs/coordination/transport_mappo.yaml --run-dir "$R" seed=$s $Q \
      total_steps=$STEPS robust.kind=takeover "robust.attackers=[$B, $D]" robust.fraction=1.0 \
      robust.online=0.2 robust.population_size=0 robust.include_scripted=false \
      robust.include_random=false
  fi
  $PY -m arena eval "$B" --victim "$R" --episodes 1000 --json "docs/results/attacks/transport_${TAG}_vs_B_seed$s.json"
  $PY -m arena eval "$D" --victim "$R" --episodes 1000 --json "docs/results/attacks/transport_${TAG}_vs_D_seed$s.json"
  $PY -m arena eval "$R/population/attacker_online.pt" --episodes 1000 \
    --json "docs/results/attacks/transport_${TAG}_online_seed$s.json"  # its final online attacker
  F="${R}_takeover1"
  [ "$(done_steps "$F")" -ge "$STEPS" ] || { rm -rf "$F"; $PY -m arena attack "$R" --agents 1 --run-dir "$F" $Q total_steps=$STEPS; }
  $PY -m arena eval "$F" --episodes 1000 --json "docs/results/attacks/transport_${TAG}_fresh_seed$s.json"
  $PY docs/results/attacks_transport_behaviour.py --episodes 500 "$F"
  # with a longer budget: cross-play of B, D and every fresh attacker against the 9M and this team
  [ "$R" != "$R9" ] && [ -d "$R9" ] || continue
  atk=("$B" "$D")
  for f in "${R9}_takeover1" "$F"; do [ "$(done_steps "$f")" -gt 0 ] && atk+=("$f"); done
  $PY -m arena eval --env coordination/transport-v0 --attackers "${atk[@]}" --defenders "$R9" "$R" \
    --episodes 1000 --json "docs/results/attacks/transport_${TAG}_crossplay_seed$s.json"
done
