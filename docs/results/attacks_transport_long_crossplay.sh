#!/usr/bin/env bash
# Cross-play on transport with 450-step episodes (docs/attacks.md): per seed, the naive and the
# robust team of attacks_transport_long_episodes.sh as defenders; as attackers, every fresh
# attacker trained at that limit on disk, of every seed given: against the naive teams
# (*_naive_*_takeover1), against the robust teams (*_robust_*_takeover1) and their 6M-step ones
# (*_takeover1_x2, attacks_transport_long_fresh.sh); then random and the blocker.
# Each defender's worst case is over all of them. 1000 episodes per cell.
# Writes docs/results/attacks/transport_long450_crossplay_seed<s>.json.
# DEFEND="1 2" plays only those seeds' teams (the attackers stay those of every seed given).
# Usage: [DEFEND=...] bash docs/results/attacks_transport_long_crossplay.sh [python] [seeds...]
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
attackers=()
for s in $SEEDS; do
  for a in runs/naive_long450_transport_seed${s}_takeover1 \
           runs/robust_long450_transport_seed${s}_takeover1 \
           runs/robust_long450_transport_seed${s}_takeover1_x2; do
    [ -f "$a/checkpoints/latest.pt" ] && attackers+=("$a")
  done
done
for s in ${DEFEND:-$SEEDS}; do
  defenders=(runs/naive_long450_transport_seed$s runs/robust_long450_transport_seed$s)
  $PY -m arena eval --env coordination/transport-v0 \
    --attackers "${attackers[@]}" --defenders "${defenders[@]}" \
    --episodes 1000 --json "docs/results/attacks/transport_long450_crossplay_seed$s.json"
done
