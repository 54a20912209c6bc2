#!/usr/bin/env bash
# The navigation learned-rammer comparison (docs/attacks.md) scored again with the victim sampling
# its actions (`arena eval --sample`) instead of playing greedy: every attack run that
# docs/results/attacks_navigation_saboteur_start.sh leaves (OBJECTIVE=honest_return DEFENSE=1
# HONEST=1, and its PLUS=1 variants: plain, DTAG=_greedy, DTAG=_hold05) against its own team, and the naive
# team's rammer-started attacker A against each defended team. Reports as that script's and
# attacks.md's, suffixed _sampled; runs not on disk are skipped. VTAG: as that script's (the runs
# of its VEXTRA variant, e.g. VTAG=_continuous).
# Usage: [STEPS=640000] [VTAG=...] bash docs/results/attacks_navigation_sampled.sh [python] [seeds...]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
STEPS=${STEPS:-640000}
SFX=""
[ "$STEPS" = 640000 ] || SFX="_steps$STEPS"
SFX="${VTAG:-}$SFX"
D=runs/nav_saboteur_start$SFX
R=docs/results/attacks
score() {  # score ATTACK_RUN REPORT_STEM [--victim RUN]: a sampled-victim report, if the run exists
  local run=$1 stem=$2
  shift 2
  [ -f "$run/checkpoints/latest.pt" ] || { echo "skipped: $run (not on disk)"; return 0; }
  "$PY" -m arena eval "$run" --sample --episodes 1000 "$@" --json "$R/${stem}${SFX}_sampled_seed$s.json"
}
for s in $SEEDS; do
  V=$D/naive_s$s A=$D/naive_s${s}_saboteur_honest_return_x1
  score "${V}_scratch" navigation_scratch_takeover1
  score "$A" navigation_saboteur_start_honest_return_x1
  for t in rammer_robust_honest rammer_robust_honest_plus rammer_robust_honest_plus_greedy \
      rammer_robust_honest_plus_hold05; do
    score "$D/${t}_s${s}_scratch" "navigation_${t}_scratch"
    score "$D/${t}_s${s}_saboteur_honest_return_x1" "navigation_${t}_saboteur_start_honest_return_x1"
    [ -d "$D/${t}_s$s" ] && score "$A" "navigation_${t}_vs_naive_honest_return_attacker" --victim "$D/${t}_s$s"
  done
done
