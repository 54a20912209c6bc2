#!/usr/bin/env bash
# Robust training against observation perturbations on navigation (docs/attacks.md): after
# attacks_perturb.sh (the naive team V and its fresh attackers per epsilon), the robust team R
# trained from scratch with V's recipe and budget (MAPPO, 640k env steps) and robust.kind=perturb
# at epsilon 0.2: in half of the envs one agent's observations (slot drawn per episode) are
# perturbed by a member of the population (V's trained epsilon-0.2 attacker, 2 mutants of it,
# uniform noise) or, in half of those envs, by the gradient-sign attack on R's current policy.
# Then the exploitation check for each epsilon: a FRESH attacker trained from scratch against
# the frozen R with R's budget, and `arena eval` of it (clean success of R, ASR of the trained
# perturbation, of uniform noise and of the gradient-sign attack), 1000 seeds each.
# Then the plot with both teams, docs/img/attacks_perturb_navigation.png.
# Usage: bash docs/results/attacks_perturb_robust.sh [python]   (one job at a time on 2 cores)
set -euo pipefail
PY=${1:-.venv/bin/python}
A="$PY -m arena"
R=docs/results/attacks
V=runs/attack_navigation
RB=runs/robust_perturb_navigation
COMMON="total_steps=640000 time_limit=1200 log.progress=false eval.every=0 eval.gif=false"
[ -f "${V}_perturb1_eps0.2/checkpoints/latest.pt" ] || bash docs/results/attacks_perturb.sh "$PY"
rm -rf "$RB"
$A train configs/navigation/navigation_mappo.yaml --run-dir "$RB" $COMMON robust.kind=perturb \
  robust.epsilon=0.2 "robust.attackers=[${V}_perturb1_eps0.2]" robust.population_size=2 \
  robust.include_random=true robust.online=0.5 robust.agents=1
for eps in 0.02 0.05 0.1 0.2 0.5; do
  run="${RB}_perturb1_eps$eps"
  rm -rf "$run"
  $A attack "$RB" --kind perturb --agents 1 --epsilon "$eps" --run-dir "$run" $COMMON
  $A eval "$run" --episodes 1000 --json "$R/navigation_robust_perturb1_eps$eps.json"
done
$PY docs/results/attacks_perturb_plot.py "$R" docs/img/attacks_perturb_navigation.png
