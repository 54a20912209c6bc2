#!/usr/bin/env bash
# A second round of robust training on navigation (docs/attacks.md), as in a double-oracle loop:
# per seed, G is a copy of the team R of attacks_navigation_saboteur_start.sh (OBJECTIVE=
# honest_return DEFENSE=1 HONEST=1 PLUS=1, with the same STEPS and VTAG), resumed to 2 x STEPS
# env steps with R's fresh rammer-started attacker F added to its population (members: A, F;
# the rammer stays), then a fresh attacker F2 started from the rammer and trained on the honest
# reward with G's whole budget (2 x STEPS). Reports (1000 episodes each): F2, A and F against G.
# Runs whose checkpoints exist are not retrained.
# Usage: [STEPS=2560000] [VTAG=_continuous] bash docs/results/attacks_navigation_grown.sh [python] [seeds...]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
STEPS=${STEPS:-2560000}
SFX=""
[ "$STEPS" = 640000 ] || SFX="_steps$STEPS"
SFX="${VTAG:-}$SFX"
D=runs/nav_saboteur_start$SFX
R=docs/results/attacks
A="$PY -m arena"
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
for s in $SEEDS; do
  team=$D/rammer_robust_honest_plus_s$s G=$D/rammer_robust_honest_plus_grown_s$s
  first=$D/naive_s${s}_saboteur_honest_return_x1 fresh=${team}_saboteur_honest_return_x1
  [ -d "$G" ] || cp -r "$team" "$G"  # a killed resume goes on from its last checkpoint
  # (once G has its 2 x STEPS, resuming again only evaluates it anew)
  $A train --resume "$G" total_steps=$((2 * STEPS)) "robust.attackers=[$first, $fresh]"
  [ -f "${G}_saboteur_honest_return_x1/checkpoints/latest.pt" ] || $A attack "$G" --agents 1 \
    --run-dir "${G}_saboteur_honest_return_x1" $Q total_steps=$((2 * STEPS)) \
    pretrain.source=saboteur pretrain.steps=500 attack.objective=honest_return
  $A eval "${G}_saboteur_honest_return_x1" --episodes 1000 \
    --json "$R/navigation_rammer_robust_honest_plus_grown_saboteur_start_honest_return_x1${SFX}_seed$s.json"
  for a in "$first:naive" "$fresh:first_round"; do
    $A eval "${a%%:*}" --victim "$G" --episodes 1000 \
      --json "$R/navigation_rammer_robust_honest_plus_grown_vs_${a##*:}_honest_return_attacker${SFX}_seed$s.json"
  done
done
