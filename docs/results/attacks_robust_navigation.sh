#!/usr/bin/env bash
# Robust training against takeover on navigation, or (SCENARIO=rendezvous) on the tutorial
# plug-in (docs/attacks.md), at equal budgets. For each seed:
#   1. the naive team V: configs/navigation/navigation_mappo.yaml, 640k env steps (rendezvous:
#      docs/tutorial/rendezvous.yaml, 1M); a takeover attacker A against it (k = 1, MAPPO, the
#      victim's budget);
#   2. the robust team R: the same recipe from scratch, with the same budget (so no budget
#      control is needed), with robust.kind=takeover: in half of the envs one slot,
#      drawn per episode, is played by an attacker: A, 4 evolving mutants, the scripted
#      saboteur, random, or (half of those envs) an online MAPPO attacker trained alongside;
#   3. the exploitation check: a FRESH attacker F from scratch against the frozen R with R's
#      budget, then `arena eval` of F and of A against R, 1000 seeds each.
# Steps whose results exist are skipped (rm -r runs/robust_nav, runs/robust_rendezvous to redo
# them). Budgets are env steps. The plug-in is installed as a user would (pip install -e).
# A variant of the robust team: ROBUST="key=value ..." replaces its robust.* keys after
# robust.kind and robust.attackers (default "robust.online=0.5") and TAG names its runs and
# reports (runs .../robust<TAG>_s<seed>, reports <scenario>_robust<TAG>_fresh_seed<seed>.json).
# NAIVE_ONLY=1 trains step 1's runs (V and A) and nothing else, evaluates nothing.
# Usage: [SCENARIO=rendezvous] [NAIVE_ONLY=1] [ROBUST=... TAG=...] bash docs/results/attacks_robust_navigation.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
A="$PY -m arena"
R=docs/results/attacks
SCENARIO=${SCENARIO:-navigation}
case $SCENARIO in
  navigation) D=runs/robust_nav; STEPS=640000; CONFIG=configs/navigation/navigation_mappo.yaml ;;
  rendezvous) D=runs/robust_rendezvous; STEPS=1000000; CONFIG=docs/tutorial/rendezvous.yaml
              $PY -m pip install -q -e docs/tutorial ;;
  *) echo "SCENARIO must be navigation or rendezvous, got $SCENARIO"; exit 2 ;;
esac
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0 total_steps=$STEPS"
ROBUST=${ROBUST:-robust.online=0.5}
TAG=${TAG:-}
mkdir -p "$R" "$D"
for s in $SEEDS; do
  V="$D/naive_s$s"
  if [ ! -f "${V}_takeover1/checkpoints/latest.pt" ]; then
    rm -rf "$V" "${V}_takeover1"
    $A train "$CONFIG" --run-dir "$V" seed=$s $Q
    $A attack "$V" --agents 1 --run-dir "${V}_takeover1" $Q
  fi
  [ "${NAIVE_ONLY:-0}" = 1 ] && continue  # step 1's runs only (attacks_observe_state.sh)
  $A eval "${V}_takeover1" --episodes 1000 --json "$R/${SCENARIO}_naive_takeover1_seed$s.json"
  RB="$D/robust${TAG}_s$s"
  if [ ! -f "${RB}_takeover1/checkpoints/latest.pt" ]; then
    rm -rf "$RB" "${RB}_takeover1"
    $A train "$CONFIG" --run-dir "$RB" seed=$s $Q robust.kind=takeover \
      "robust.attackers=[${V}_takeover1]" $ROBUST
    $A attack "$RB" --agents 1 --run-dir "${RB}_takeover1" $Q
  fi
  $A eval "${RB}_takeover1" --episodes 1000 --json "$R/${SCENARIO}_robust${TAG}_fresh_seed$s.json"
  $A eval "${V}_takeover1" --victim "$RB" --episodes 1000 \
    --json "$R/${SCENARIO}_robust${TAG}_vs_naive_attacker_seed$s.json"
done
