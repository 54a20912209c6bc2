#!/usr/bin/env bash
# A second round of the loop for robust.honest_reward on the tutorial plug-in (docs/attacks.md):
# per seed, the robust team R_honest (1M env steps; attacks_robust_navigation.sh with
# TAG=_honest) resumed to 2M steps with its fresh honest_return attacker F1
# (attacks_rendezvous_honest.sh) added to its population beside A (`arena train --resume G
# robust.attackers=[A, F1]`, a copy of R_honest), then a FRESH honest_return attacker F2 with
# G's whole 2M budget, and `arena eval` of F2, F1 and A against G, 1000 episodes each. Steps
# whose runs exist are skipped.
# Usage: bash docs/results/attacks_rendezvous_honest_round2.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
D=runs/robust_rendezvous
R=docs/results/attacks
STEPS=2000000
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0 total_steps=$STEPS"
for s in $SEEDS; do
  A="$D/naive_s${s}_takeover1"
  R1="$D/robust_honest_s$s"
  F1="${R1}_takeover1_honest"
  G="$D/robust_honest_r2_s$s"
  F2="${G}_takeover1_honest"
  for run in "$A" "$R1" "$F1"; do
    [ -f "$run/checkpoints/latest.pt" ] || { echo "missing run $run"; exit 1; }; done
  if [ ! -f "$F2/checkpoints/latest.pt" ]; then
    rm -rf "$G" "$F2"
    cp -r "$R1" "$G"
    $PY -m arena train --resume "$G" total_steps=$STEPS "robust.attackers=[$A, $F1]"
    $PY -m arena attack "$G" --agents 1 --run-dir "$F2" $Q attack.objective=honest_return
  fi
  $PY -m arena eval "$F2" --episodes 1000 --json "$R/rendezvous_robust_honest_r2_fresh_seed$s.json"
  $PY -m arena eval "$F1" --victim "$G" --episodes 1000 \
    --json "$R/rendezvous_robust_honest_r2_vs_round1_seed$s.json"
  $PY -m arena eval "$A" --victim "$G" --episodes 1000 \
    --json "$R/rendezvous_robust_honest_r2_vs_naive_attacker_seed$s.json"
done
