#!/usr/bin/env bash
# Does drawing members by fitness let the team beat the attackers it trains against?
# (docs/attacks.md, "Fitness-weighted draws".) Per seed and for each of robust.draw=uniform and
# robust.draw=fitness: round 4's robust team G4 (ROUND=4 attacks_rendezvous_honest_round.sh, on
# disk) resumed to 5M env steps with F4 added to its members (A, F1 .. F4), as a fifth round
# would, then `arena eval` of F4, F3 and F2 against it (1000 episodes each). No fresh attacker
# is trained: this checks the members only. Steps whose runs exist are skipped.
# Usage: bash docs/results/attacks_rendezvous_draw.sh [python] [seeds...]
# (seeds and draws side by side: one per process, OMP_NUM_THREADS=1; DRAWS="fitness" for one)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
D=runs/robust_rendezvous
R=docs/results/attacks
for s in $SEEDS; do
  F() { if [ "$1" = 1 ]; then echo "$D/robust_honest_s${s}_takeover1_honest"
        else echo "$D/robust_honest_r$1_s${s}_takeover1_honest"; fi; }
  G4="$D/robust_honest_r4_s$s"
  MEMBERS="$D/naive_s${s}_takeover1, $(F 1), $(F 2), $(F 3), $(F 4)"
  for draw in ${DRAWS:-uniform fitness}; do
    G="$D/robust_honest_r5_${draw}_s$s"
    if [ ! -f "$G/checkpoints/latest.pt" ] || [ ! -f "$G/done" ]; then
      rm -rf "$G"
      cp -r "$G4" "$G"
      $PY -m arena train --resume "$G" total_steps=5000000 "robust.attackers=[$MEMBERS]" \
        robust.draw=$draw
      touch "$G/done"
    fi
    for i in 4 3 2; do
      $PY -m arena eval "$(F $i)" --victim "$G" --episodes 1000 \
        --json "$R/rendezvous_draw_${draw}_vs_f${i}_seed$s.json"
    done
  done
done
