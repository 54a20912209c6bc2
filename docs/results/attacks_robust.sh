#!/usr/bin/env bash
# Robust training against takeover on transport (docs/attacks.md). For each seed:
#   1. the naive team V (MAPPO, 2M env steps) and a takeover attacker A against it (k = 1,
#      2M steps), as in attacks_seeds.sh (reused when they exist);
#   2. the robust team R: the same recipe trained from scratch for 3M steps with
#      robust.kind=takeover: in half of the envs one slot (drawn per episode) is played by an
#      attacker: with ONLINE=0 (the default) one drawn from the population (A, 4 evolving
#      mutants of A, the scripted saboteur, random); with ONLINE=0.5, half of those envs are
#      played by an online attacker learner trained alongside R, whose snapshots join the
#      population (runs/robust_online_*, *_robust_online_* reports);
#   3. the exploitation check: a FRESH attacker F trained from scratch against the frozen R,
#      with R's budget (3M steps), then `arena eval` of F (clean success of R, ASR of F, of the
#      random and of the scripted saboteur) and of A against R (`--victim`), 1000 seeds each.
# Budgets are env steps (wall-clock caps only guard against a slow machine).
#   With RESTART=N (and ONLINE > 0) the online attacker restarts from new weights every N
#   generations, once its snapshot has joined the population (robust.restart_online;
#   runs/robust_restart<N>_*, *_robust_restart<N>_* reports).
# Usage: [ONLINE=0.5] [RESTART=N] bash docs/results/attacks_robust.sh [python] [seeds...]
# (one job at a time on 2 cores)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
A="$PY -m arena"
R=docs/results/attacks
QUIET="log.progress=false eval.every=0 eval.gif=false"
ONLINE=${ONLINE:-0}
RESTART=${RESTART:-0}
TAG=robust
[ "$ONLINE" = 0 ] || TAG=robust_online
[ "$RESTART" = 0 ] || TAG=robust_restart$RESTART
mkdir -p "$R"
for s in $SEEDS; do
  V="runs/attack_transport_seed$s"
  if [ ! -f "${V}_takeover1/checkpoints/latest.pt" ]; then
    rm -rf "$V" "${V}_takeover1"
    $A train configs/coordination/transport_mappo.yaml --run-dir "$V" seed=$s \
      total_steps=2000000 time_limit=1200 $QUIET
    $A attack "$V" --agents 1 --run-dir "${V}_takeover1" total_steps=2000000 time_limit=1200 \
      $QUIET
  fi
  # re-evaluated every time: seeded runs are bit-reproducible, so git diff shows any drift
    $A eval "${V}_takeover1" --episodes 1000 --json "$R/transport_takeover1_seed$s.json"
  RB="runs/${TAG}_transport_seed$s"
  rm -rf "$RB" "${RB}_takeover1"
  $A train configs/coordination/transport_mappo.yaml --run-dir "$RB" seed=$s \
    total_steps=3000000 time_limit=1800 $QUIET robust.kind=takeover \
    "robust.attackers=[${V}_takeover1]" robust.online=$ONLINE robust.restart_online=$RESTART
  $A attack "$RB" --agents 1 --run-dir "${RB}_takeover1" time_limit=1800 $QUIET
  $A eval "${RB}_takeover1" --episodes 1000 --json "$R/transport_${TAG}_fresh_seed$s.json"
  $A eval "${V}_takeover1" --victim "$RB" --episodes 1000 \
    --json "$R/transport_${TAG}_vs_naive_attacker_seed$s.json"
done
