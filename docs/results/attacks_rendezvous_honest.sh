#!/usr/bin/env bash
# The exploitation check of robust.honest_reward on the tutorial plug-in (docs/attacks.md): per
# seed, a fresh takeover attacker (k = 1, fixed slot, 1M env steps, MAPPO) with
# attack.objective=honest_return (minus the honest agents' reward without itself, the reward the
# robust team was trained on) against the naive team V and against the robust team R_honest of
# `SCENARIO=rendezvous TAG=_honest ROBUST="robust.online=0.5 robust.honest_reward=true" bash
# docs/results/attacks_robust_navigation.sh` (those runs must be on disk), then `arena eval`
# of each, 1000 episodes. Steps whose runs exist are skipped. TEAMS names the teams attacked
# (default "naive robust_honest"; e.g. robust_honest_frac09, the run of TAG=_honest_frac09).
# Usage: [TEAMS="naive robust_honest"] bash docs/results/attacks_rendezvous_honest.sh [python] [seeds...]
# (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
D=runs/robust_rendezvous
R=docs/results/attacks
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0 total_steps=1000000"
for s in $SEEDS; do
  for team in ${TEAMS:-naive robust_honest}; do
    V="$D/${team}_s$s"
    F="${V}_takeover1_honest"
    [ -f "$V/checkpoints/latest.pt" ] || { echo "missing run $V"; exit 1; }
    if [ ! -f "$F/checkpoints/latest.pt" ]; then
      rm -rf "$F"
      $PY -m arena attack "$V" --agents 1 --run-dir "$F" $Q attack.objective=honest_return
    fi
    $PY -m arena eval "$F" --episodes 1000 --json "$R/rendezvous_${team}_honest_attacker_seed$s.json"
  done
done
