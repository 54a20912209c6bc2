#!/usr/bin/env bash
# Cross-play of every takeover attacker against every transport team of a seed (docs/attacks.md):
# attackers A (trained against the naive team V), F and F_online (fresh attackers trained
# against the robust teams R and R_online), then the random and scripted saboteurs; defenders
# V, R, R_online. Needs the runs of attacks_robust.sh with ONLINE=0 and/or ONLINE=0.5; a
# variant whose runs are not on disk is left out of the matrix.
# Writes docs/results/attacks/transport_robust_crossplay_seed$s.json (and the heatmap of the
# first seed, docs/img/attacks_robust_crossplay.png). 1000 episodes per cell.
# Usage: bash docs/results/attacks_robust_crossplay.sh [python] [seeds...]
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
first=1
for s in $SEEDS; do
  V=runs/attack_transport_seed$s
  R=runs/robust_transport_seed$s
  O=runs/robust_online_transport_seed$s
  png=()
  [ $first = 1 ] && png=(--png docs/img/attacks_robust_crossplay.png)
  defenders=()
  for d in "$V" "$R" "$O"; do [ -d "$d" ] && [ -d "${d}_takeover1" ] && defenders+=("$d"); done
  attackers=("${defenders[@]/%/_takeover1}")
  $PY -m arena eval --env coordination/transport-v0 \
    --attackers "${attackers[@]}" --defenders "${defenders[@]}" \
    --episodes 1000 --json "docs/results/attacks/transport_robust_crossplay_seed$s.json" \
    "${png[@]}"
  first=0
done
