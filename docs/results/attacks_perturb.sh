#!/usr/bin/env bash
# Observation-perturbation attacks on navigation (docs/attacks.md): the victim team of
# attacks.sh (MAPPO, 640k env steps), then for each epsilon a fresh attacker that perturbs the
# observations of one agent (k = 1, L-inf <= epsilon) with the victim's step budget, then
# `arena eval` of each attack run: the team's task success clean, under the trained
# perturbation, uniform noise and the gradient-sign attack of the same epsilon, 1000 seeds.
# Then the plot docs/img/attacks_perturb_navigation.png.
# Usage: bash docs/results/attacks_perturb.sh [python]     (one job at a time on 2 cores)
set -euo pipefail
PY=${1:-.venv/bin/python}
A="$PY -m arena"
R=docs/results/attacks
V=runs/attack_navigation
COMMON="total_steps=640000 time_limit=1200 log.progress=false eval.every=0 eval.gif=false"
mkdir -p "$R"
if [ ! -f "$V/checkpoints/latest.pt" ]; then
  rm -rf "$V"
  $A train configs/navigation/navigation_mappo.yaml --run-dir "$V" $COMMON
fi
for eps in 0.02 0.05 0.1 0.2 0.5; do
  run="runs/attack_navigation_perturb1_eps$eps"
  rm -rf "$run"
  $A attack "$V" --kind perturb --agents 1 --epsilon "$eps" --run-dir "$run" $COMMON
  $A eval "$run" --episodes 1000 --json "$R/navigation_perturb1_eps$eps.json"
done
$PY docs/results/attacks_perturb_plot.py "$R" docs/img/attacks_perturb_navigation.png
