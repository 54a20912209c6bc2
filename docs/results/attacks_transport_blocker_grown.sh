#!/usr/bin/env bash
# A grown population (docs/attacks.md): the 15M blocker-aware team of
# attacks_transport_blocker_robust.sh resumed to STEPS (default 21M) env steps with its two
# fresh attackers added as fixed members, beside B and D (`arena train --resume R
# robust.attackers=[...]`: each kept member keeps its fitness, an added one starts at 0.5, and
# members are drawn anew). The attackers F9 and F15 (fresh MAPPO attackers with 9M and 15M
# steps against the 9M and 15M teams) block, as B does. Per seed s (the runs of
# `STEPS=15000000 attacks_transport_blocker_robust.sh` must be on disk):
#   G  a copy of runs/blocker_robust_15000000_transport_seed<s>, resumed to STEPS with
#      robust.attackers=[B, D, F9, F15] (each in 20% of the envs, the online attacker in 20%)
# Then cross-play of B, D, F9, F15 and G's final online attacker against the 15M team and G,
# and a FRESH MAPPO attacker with STEPS env steps against G; 1000 episodes each. Writes
# docs/results/attacks/transport_blocker_grown_<STEPS>_{crossplay,fresh}_seed<s>.json.
# Usage: [STEPS=N] bash docs/results/attacks_transport_blocker_grown.sh [python] [seeds...]
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0}
STEPS=${STEPS:-21000000}
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
TAG=blocker_grown_$STEPS
done_steps() {  # env steps of a run's last progress row (0 when none): a killed run is redone
  tail -n 1 "$1/progress.csv" 2>/dev/null | cut -d, -f1 | grep -E '^[0-9]+$' || echo 0; }
for s in $SEEDS; do
  B="runs/robust_restart8_long450_transport_seed${s}_takeover1_at150"
  D="runs/best_response_transport_seed${s}_takeover1"
  R15="runs/blocker_robust_15000000_transport_seed$s"
  F9="runs/blocker_robust_transport_seed${s}_takeover1"
  F15="${R15}_takeover1"
  for m in "$B" "$D" "$R15" "$F9" "$F15"; do
    [ -f "$m/checkpoints/latest.pt" ] || { echo "missing run $m"; exit 1; }; done
  G="runs/${TAG}_transport_seed$s"
  if [ "$(done_steps "$G")" -lt "$STEPS" ]; then
    [ -d "$G" ] || cp -r "$R15" "$G"  # a killed resume goes on from its own last checkpoint
    $PY -m arena train --resume "$G" total_steps=$STEPS "robust.attackers=[$B, $D, $F9, $F15]"
  fi
  $PY -m arena eval --env coordination/transport-v0 \
    --attackers "$B" "$D" "$F9" "$F15" "$G/population/attacker_online.pt" --defenders "$R15" "$G" \
    --episodes 1000 --json "docs/results/attacks/transport_${TAG}_crossplay_seed$s.json"
  F="${G}_takeover1"
  [ "$(done_steps "$F")" -ge "$STEPS" ] || { rm -rf "$F"; $PY -m arena attack "$G" --agents 1 --run-dir "$F" $Q total_steps=$STEPS; }
  $PY -m arena eval "$F" --episodes 1000 --json "docs/results/attacks/transport_${TAG}_fresh_seed$s.json"
  $PY docs/results/attacks_transport_behaviour.py --episodes 500 "$F"
done
