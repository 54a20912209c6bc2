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
# other listed seeds' F9, F15 and fresh attackers (never met by this seed's teams); 1000
# episodes per cell.
# Further rounds of the loop (ROUNDS, the step counts of earlier grown teams, e.g. ROUNDS=21000000
# STEPS=27000000): G is then a copy of the last listed grown team, resumed to STEPS with the fresh
# attacker of every listed round added as a member; the control C is always the 15M team run on
# with [B, D] (use CONTROL=0 to skip it). The cross-play adds those teams and attackers.
# TRAIN=0 skips the training steps; XPLAY_SEEDS="..." runs the cross-play of those seeds only (the
# other listed seeds still lend their attackers). Writes docs/results/attacks/transport_blocker_grown_<STEPS>_
# {fresh,crossplay}_seed<s>.json.
# Usage: [STEPS=N] [ROUNDS="N1 N2 ..."] [CONTROL=0] [FRESH=0] [TRAIN=0] [XPLAY=0] [XPLAY_SEEDS=...]
#        bash docs/results/attacks_transport_blocker_grown.sh [python] [seeds...]
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1}
STEPS=${STEPS:-21000000}
ROUNDS=${ROUNDS:-}
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
TAG=blocker_grown_$STEPS
done_steps() {  # env steps of a run's last progress row (0 when none): a killed run is redone
  tail -n 1 "$1/progress.csv" 2>/dev/null | cut -d, -f1 | grep -E '^[0-9]+$' || echo 0; }
B() { echo "runs/robust_restart8_long450_transport_seed${1}_takeover1_at150"; }
D() { echo "runs/best_response_transport_seed${1}_takeover1"; }
R15() { echo "runs/blocker_robust_15000000_transport_seed$1"; }
F9() { echo "runs/blocker_robust_transport_seed${1}_takeover1"; }
F15() { echo "$(R15 "$1")_takeover1"; }
Gat() { echo "runs/blocker_grown_$2_transport_seed$1"; }  # Gat SEED STEPS: a grown team
G() { Gat "$1" "$STEPS"; }
C() { echo "runs/blocker_robust_${STEPS}_transport_seed$1"; }
FROM() {  # the team G starts from: the last earlier round's grown team, or the 15M team
  local last=${ROUNDS##* }; if [ -n "$last" ]; then Gat "$1" "$last"; else R15 "$1"; fi; }
FRESH_EARLIER() { for r in $ROUNDS; do echo "$(Gat "$1" "$r")_takeover1"; done; }
resume() {  # resume() RUN FROM MEMBERS...: a copy of the team FROM resumed to STEPS with MEMBERS
  local run=$1 from=$2; shift 2
  [ "$(done_steps "$run")" -ge "$STEPS" ] && return
  [ -d "$run" ] || cp -r "$from" "$run"  # a killed resume goes on from its last checkpoint
  local members; members=$(IFS=,; echo "$*")
  $PY -m arena train --resume "$run" total_steps=$STEPS "robust.attackers=[${members//,/, }]"
}
if [ "${TRAIN:-1}" = 1 ]; then
  for s in $SEEDS; do
    mapfile -t later < <(FRESH_EARLIER "$s")
    for m in "$(B $s)" "$(D $s)" "$(FROM $s)" "$(F9 $s)" "$(F15 $s)" "${later[@]}"; do
      [ -f "$m/checkpoints/latest.pt" ] || { echo "missing run $m"; exit 1; }; done
    resume "$(G $s)" "$(FROM $s)" "$(B $s)" "$(D $s)" "$(F9 $s)" "$(F15 $s)" "${later[@]}"
    [ "${CONTROL:-1}" = 1 ] && resume "$(C $s)" "$(R15 $s)" "$(B $s)" "$(D $s)"
    [ "${FRESH:-1}" = 1 ] || continue
    F="$(G $s)_takeover1"
    [ "$(done_steps "$F")" -ge "$STEPS" ] || { rm -rf "$F"; $PY -m arena attack "$(G $s)" --agents 1 --run-dir "$F" $Q total_steps=$STEPS; }
    $PY -m arena eval "$F" --episodes 1000 --json "docs/results/attacks/transport_${TAG}_fresh_seed$s.json"
    $PY docs/results/attacks_transport_behaviour.py --episodes 500 "$F"
  done
fi
[ "${XPLAY:-1}" = 1 ] || exit 0
for s in ${XPLAY_SEEDS:-$SEEDS}; do
  mapfile -t later < <(FRESH_EARLIER "$s")
  atk=("$(B $s)" "$(D $s)" "$(F9 $s)" "$(F15 $s)" "${later[@]}")
  for r in "$(G $s)" "$(C $s)"; do  # the final online attackers of the finished teams
    [ "$(done_steps "$r")" -ge "$STEPS" ] && atk+=("$r/population/attacker_online.pt"); done
  [ "$(done_steps "$(G $s)_takeover1")" -ge "$STEPS" ] && atk+=("$(G $s)_takeover1")
  for t in $SEEDS; do [ "$t" = "$s" ] && continue  # the other seeds' attackers: never met
    mapfile -t -O "${#atk[@]}" atk < <(F9 "$t"; F15 "$t"; FRESH_EARLIER "$t")
    [ "$(done_steps "$(G $t)_takeover1")" -ge "$STEPS" ] && atk+=("$(G $t)_takeover1"); done
  def=("$(R15 $s)")
  for r in $ROUNDS; do def+=("$(Gat "$s" "$r")"); done
  for r in "$(C $s)" "$(G $s)"; do [ "$(done_steps "$r")" -ge "$STEPS" ] && def+=("$r"); done
  $PY -m arena eval --env coordination/transport-v0 --attackers "${atk[@]}" --defenders "${def[@]}" \
    --episodes 1000 --json "docs/results/attacks/transport_${TAG}_crossplay_seed$s.json"
done
