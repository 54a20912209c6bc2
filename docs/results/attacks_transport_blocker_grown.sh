#!/usr/bin/env bash
# A grown population (docs/attacks.md): the 15M blocker-aware team of
# attacks_transport_blocker_robust.sh resumed to STEPS (default 21M) env steps with its two
# fresh attackers added as fixed members, beside B and D (`arena train --resume R
# robust.attackers=[...]`: each kept member keeps its fitness, an added one starts at 0.5, and
# members are drawn anew). The attackers F9 and F15 (fresh MAPPO attackers with 9M and 15M
# steps against the 9M and 15M teams) block, as B does. Per seed s (the runs of
# `STEPS=15000000 attacks_transport_blocker_robust.sh` must be on disk):
#   G  a copy of runs/blocker_robust_15000000_transport_seed<s>, resumed to STEPS with
#      robust.attackers=[B, D, F9, F15] (each in 20% of the envs, the online attacker in 20%)
#   C  the control (CONTROL=1, default): the same copy resumed to STEPS with its own members
#      [B, D], i.e. the 15M recipe run on to STEPS (resume is exact: equal to a STEPS run)
#   a FRESH MAPPO attacker (FRESH=1, default) with STEPS env steps against G
# Then (XPLAY=1, default) per seed a cross-play of every attacker on disk against the 15M
# team, C and G: B, D, F9, F15, the online attackers of G and C, G's fresh attacker, and the
# other listed seeds' F9 and F15 (never met by this seed's teams); 1000 episodes per cell.
# TRAIN=0 skips the training steps. Writes docs/results/attacks/transport_blocker_grown_<STEPS>_
# {fresh,crossplay}_seed<s>.json.
# Usage: [STEPS=N] [CONTROL=0] [FRESH=0] [TRAIN=0] [XPLAY=0]
#        bash docs/results/attacks_transport_blocker_grown.sh [python] [seeds...]
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1}
STEPS=${STEPS:-21000000}
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
TAG=blocker_grown_$STEPS
done_steps() {  # env steps of a run's last progress row (0 when none): a killed run is redone
  tail -n 1 "$1/progress.csv" 2>/dev/null | cut -d, -f1 | grep -E '^[0-9]+$' || echo 0; }
B() { echo "runs/robust_restart8_long450_transport_seed${1}_takeover1_at150"; }
D() { echo "runs/best_response_transport_seed${1}_takeover1"; }
R15() { echo "runs/blocker_robust_15000000_transport_seed$1"; }
F9() { echo "runs/blocker_robust_transport_seed${1}_takeover1"; }
F15() { echo "$(R15 "$1")_takeover1"; }
G() { echo "runs/${TAG}_transport_seed$1"; }
C() { echo "runs/blocker_robust_${STEPS}_transport_seed$1"; }
resume() {  # resume() RUN MEMBERS...: a copy of the 15M team resumed to STEPS with MEMBERS
  local run=$1; shift
  [ "$(done_steps "$run")" -ge "$STEPS" ] && return
  [ -d "$run" ] || cp -r "$(R15 "$s")" "$run"  # a killed resume goes on from its last checkpoint
  local members; members=$(IFS=,; echo "$*")
  $PY -m arena train --resume "$run" total_steps=$STEPS "robust.attackers=[${members//,/, }]"
}
if [ "${TRAIN:-1}" = 1 ]; then
  for s in $SEEDS; do
    for m in "$(B $s)" "$(D $s)" "$(R15 $s)" "$(F9 $s)" "$(F15 $s)"; do
      [ -f "$m/checkpoints/latest.pt" ] || { echo "missing run $m"; exit 1; }; done
    resume "$(G $s)" "$(B $s)" "$(D $s)" "$(F9 $s)" "$(F15 $s)"
    [ "${CONTROL:-1}" = 1 ] && resume "$(C $s)" "$(B $s)" "$(D $s)"
    [ "${FRESH:-1}" = 1 ] || continue
    F="$(G $s)_takeover1"
    [ "$(done_steps "$F")" -ge "$STEPS" ] || { rm -rf "$F"; $PY -m arena attack "$(G $s)" --agents 1 --run-dir "$F" $Q total_steps=$STEPS; }
    $PY -m arena eval "$F" --episodes 1000 --json "docs/results/attacks/transport_${TAG}_fresh_seed$s.json"
    $PY docs/results/attacks_transport_behaviour.py --episodes 500 "$F"
  done
fi
[ "${XPLAY:-1}" = 1 ] || exit 0
for s in $SEEDS; do
  atk=("$(B $s)" "$(D $s)" "$(F9 $s)" "$(F15 $s)")
  for r in "$(G $s)" "$(C $s)"; do  # the final online attackers of the finished teams
    [ "$(done_steps "$r")" -ge "$STEPS" ] && atk+=("$r/population/attacker_online.pt"); done
  [ "$(done_steps "$(G $s)_takeover1")" -ge "$STEPS" ] && atk+=("$(G $s)_takeover1")
  for t in $SEEDS; do [ "$t" = "$s" ] || atk+=("$(F9 $t)" "$(F15 $t)"); done
  def=("$(R15 $s)")
  for r in "$(C $s)" "$(G $s)"; do [ "$(done_steps "$r")" -ge "$STEPS" ] && def+=("$r"); done
  $PY -m arena eval --env coordination/transport-v0 --attackers "${atk[@]}" --defenders "${def[@]}" \
    --episodes 1000 --json "docs/results/attacks/transport_${TAG}_crossplay_seed$s.json"
done
