#!/usr/bin/env bash
# Takeover on navigation with the attacker warm-started from the scripted saboteur
# (docs/attacks.md): for each seed, the naive team V (configs/navigation/navigation_mappo.yaml,
# 640k env steps), then two attackers against it (k = 1, MAPPO): F from scratch with V's budget,
# and S, first a behaviour clone of the scripted ramming saboteur on its slot
# (pretrain.source=saboteur, 500 gradient steps on 256 envs x 100 steps of demonstrations),
# then reinforcement learning with MULT x V's budget and the attack objective OBJECTIVE
# (default: outcome). Each attacker is evaluated with `arena eval` on 1000 seeds beside the
# random and scripted saboteurs. Runs whose checkpoints exist are not retrained. EXTRA adds
# run-config keys to S (e.g. EXTRA=attack.observe=state), with TAG naming its run and report.
# Usage: [MULT=1] [OBJECTIVE=outcome] [EXTRA=... TAG=...] bash docs/results/attacks_navigation_saboteur_start.sh [python] [seeds...]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
MULT=${MULT:-1}
OBJECTIVE=${OBJECTIVE:-outcome}
EXTRA=${EXTRA:-}
TAG=${TAG:-}
A="$PY -m arena"
R=docs/results/attacks
D=runs/nav_saboteur_start
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
mkdir -p "$R" "$D"
for s in $SEEDS; do
  V="$D/naive_s$s"
  [ -f "$V/checkpoints/latest.pt" ] || $A train configs/navigation/navigation_mappo.yaml \
    --run-dir "$V" seed=$s $Q total_steps=640000
  F="${V}_scratch"
  [ -f "$F/checkpoints/latest.pt" ] || $A attack "$V" --agents 1 --run-dir "$F" $Q \
    total_steps=640000
  $A eval "$F" --episodes 1000 --json "$R/navigation_scratch_takeover1_seed$s.json"
  S="${V}_saboteur_${OBJECTIVE}${TAG}_x$MULT"
  [ -f "$S/checkpoints/latest.pt" ] || $A attack "$V" --agents 1 --run-dir "$S" $Q \
    total_steps=$((640000 * MULT)) pretrain.source=saboteur pretrain.steps=500 \
    attack.objective=$OBJECTIVE $EXTRA
  $A eval "$S" --episodes 1000 --json "$R/navigation_saboteur_start_${OBJECTIVE}${TAG}_x${MULT}_seed$s.json"
done
