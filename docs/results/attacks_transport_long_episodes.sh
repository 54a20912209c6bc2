#!/usr/bin/env bash
# The blocking hypothesis of docs/attacks.md, tested in training: robust MAPPO teams on
# transport with episodes of 450 steps instead of 150 (max_steps=450), 3M env steps,
# robust.kind=takeover with a population of 4 mutants of the initial network, the scripted
# blocker and random actions (no fixed attackers: none were trained at this limit), and an
# online MAPPO attacker on half of the attacked envs; then a FRESH MAPPO attacker (arena attack:
# the victim's algorithm and budget, 3M steps) against each frozen team, 1000 episodes.
# Writes docs/results/attacks/transport_long450_robust_fresh_seed<s>.json. NAIVE=1 trains the
# naive control instead (the same recipe and budget without robust training; runs/naive_long450_*,
# transport_long450_naive_fresh_seed<s>.json). RESTART=N restarts the online attacker every N
# generations (robust.restart_online; runs/robust_restartN_long450_*).
# Usage: bash docs/results/attacks_transport_long_episodes.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
TAG=robust
ROBUST=(robust.kind=takeover "robust.attackers=[]" robust.online=0.5)
if [ -n "${NAIVE:-}" ]; then TAG=naive; ROBUST=(); fi
if [ -n "${RESTART:-}" ]; then  # the online attacker restarts from new weights every RESTART generations
  TAG=robust_restart$RESTART; ROBUST+=(robust.restart_online=$RESTART); fi
for s in $SEEDS; do
  RB="runs/${TAG}_long450_transport_seed$s"
  if [ ! -f "${RB}_takeover1/checkpoints/latest.pt" ]; then
    rm -rf "$RB" "${RB}_takeover1"
    $PY -m arena train configs/coordination/transport_mappo.yaml --run-dir "$RB" seed=$s $Q \
      "env.kwargs={num_agents: 4, num_packages: 1, agents_needed: 2, max_steps: 450}" \
      total_steps=3000000 "${ROBUST[@]}"
    $PY -m arena attack "$RB" --agents 1 --run-dir "${RB}_takeover1" $Q
  fi
  $PY -m arena eval "${RB}_takeover1" --episodes 1000 \
    --json "docs/results/attacks/transport_long450_${TAG}_fresh_seed$s.json"
done
