#!/usr/bin/env bash
# More fresh attackers (k = 1, from scratch) against the robust teams trained on 450-step
# transport episodes (attacks_transport_long_episodes.sh, which must have run for the seed),
# each evaluated on 1000 episodes (docs/attacks.md). ATTACKER picks which:
#   x2    (default) MAPPO, the team's algorithm, with twice the team's 3M env steps;
#   grpo  GRPO (the default recipe's algorithm: groups of 16 envs, whole 450-step episodes,
#         returns-to-go) with the team's budget;
#   at150 MAPPO with the team's budget, trained and evaluated at the standard 150-step limit:
#         does the robustness carry over to the standard scenario?
# Runs runs/robust_long450_transport_seed<s>_takeover1_<ATTACKER>; writes
# docs/results/attacks/transport_long450_robust_fresh_<ATTACKER>_seed<s>.json.
# TEAM=robust_restart8 attacks the teams of RESTART=8 attacks_transport_long_episodes.sh instead
# (runs/robust_restart8_long450_*, transport_long450_robust_restart8_fresh_<ATTACKER>_seed<s>.json).
# Usage: [ATTACKER=x2|grpo|at150] [TEAM=robust|robust_restart8] bash docs/results/attacks_transport_long_fresh.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
TAG=${ATTACKER:-x2}
TEAM=${TEAM:-robust}
case "$TAG" in
  x2) ARGS=(total_steps=6000000) ;;
  grpo) ARGS=("algo={name: grpo, group_size: 16, advantage: reward_to_go, lr: 0.0007, epochs: 10, minibatch_size: 12800, entropy_coef: 0.01}") ;;
  at150) ARGS=("env.kwargs={num_agents: 4, num_packages: 1, agents_needed: 2, max_steps: 150}") ;;
  *) echo "ATTACKER must be x2, grpo or at150, got $TAG"; exit 1 ;;
esac
for s in $SEEDS; do
  V="runs/${TEAM}_long450_transport_seed$s"
  [ -f "$V/checkpoints/latest.pt" ] || { echo "missing robust team $V"; exit 1; }
  F="${V}_takeover1_$TAG"
  if [ ! -f "$F/checkpoints/latest.pt" ]; then
    rm -rf "$F"
    $PY -m arena attack "$V" --agents 1 --run-dir "$F" $Q "${ARGS[@]}"
  fi
  $PY -m arena eval "$F" --episodes 1000 \
    --json "docs/results/attacks/transport_long450_${TEAM}_fresh_${TAG}_seed$s.json"
done
