#!/usr/bin/env bash
# Round N >= 2 of the loop for robust.honest_reward on the tutorial plug-in (docs/attacks.md):
# per seed, the previous round's robust team (round 1: R_honest, 1M env steps;
# attacks_robust_navigation.sh with TAG=_honest) resumed to N M env steps as G_N, with every
# earlier fresh honest_return attacker F1 .. F_{N-1} (attacks_rendezvous_honest.sh, earlier
# rounds of this script) added to its population beside A (`arena train --resume G_N
# robust.attackers=[A, F1, ...]`, on a copy of G_{N-1}); then a FRESH honest_return attacker F_N
# with G_N's whole budget, and `arena eval` of F_N, of each earlier F_i and of A against G_N,
# 1000 episodes each. Steps whose runs exist are skipped.
# Usage: [ROUND=N] bash docs/results/attacks_rendezvous_honest_round.sh [python] [seeds...]
# (ROUND defaults to 2; seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
N=${ROUND:-2}
[ "$N" -ge 2 ] || { echo "ROUND must be >= 2, got $N"; exit 1; }
D=runs/robust_rendezvous
R=docs/results/attacks
STEPS=$((N * 1000000))
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0 total_steps=$STEPS"
team() { if [ "$1" = 1 ]; then echo "$D/robust_honest_s$2"; else echo "$D/robust_honest_r$1_s$2"; fi; }
for s in $SEEDS; do
  A="$D/naive_s${s}_takeover1"
  PREV=$(team $((N - 1)) "$s")
  G=$(team "$N" "$s")
  FN="${G}_takeover1_honest"
  MEMBERS="$A"
  for i in $(seq 1 $((N - 1))); do MEMBERS="$MEMBERS, $(team "$i" "$s")_takeover1_honest"; done
  for run in "$A" "$PREV" ${MEMBERS//,/}; do
    [ -f "$run/checkpoints/latest.pt" ] || { echo "missing run $run"; exit 1; }; done
  if [ ! -f "$FN/checkpoints/latest.pt" ]; then
    rm -rf "$G" "$FN"
    cp -r "$PREV" "$G"
    $PY -m arena train --resume "$G" total_steps=$STEPS "robust.attackers=[$MEMBERS]"
    $PY -m arena attack "$G" --agents 1 --run-dir "$FN" $Q attack.objective=honest_return
  fi
  $PY -m arena eval "$FN" --episodes 1000 --json "$R/rendezvous_robust_honest_r${N}_fresh_seed$s.json"
  for i in $(seq 1 $((N - 1))); do
    $PY -m arena eval "$(team "$i" "$s")_takeover1_honest" --victim "$G" --episodes 1000 \
      --json "$R/rendezvous_robust_honest_r${N}_vs_round${i}_seed$s.json"
  done
  $PY -m arena eval "$A" --victim "$G" --episodes 1000 \
    --json "$R/rendezvous_robust_honest_r${N}_vs_naive_attacker_seed$s.json"
done
