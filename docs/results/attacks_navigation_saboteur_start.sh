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
# DEFENSE=1 then trains, per seed, the team R against the rammer: the naive recipe from scratch
# with V's budget and the scripted saboteur as the only robust-training member, in half of the
# envs (robust.kind=takeover, population_size=0, no random member, no online attacker), and
# attacks it with a fresh attacker from scratch and a saboteur-started one (as above). With
# HONEST=1, R is trained on navigation's honest reward (robust.honest_reward=true: the success
# bonus when every honest agent is at its goal), runs and reports named rammer_robust_honest.
# With PLUS=1 as well, R's population also holds V's saboteur-started attacker (the one this
# OBJECTIVE/TAG/MULT names, trained first) as a fixed member: runs and reports named
# rammer_robust[_honest]_plus. DEXTRA adds run-config keys to R (e.g. robust.greedy_members=true),
# with DTAG appended to its runs' and reports' names; AEXTRA adds keys to both attackers against R
# (e.g. env.kwargs.hold_bonus=null: the scenario's own reward where DEXTRA changed R's).
# VEXTRA adds run-config keys to both teams, V and R (e.g. env.kwargs.continuous_actions=true;
# the attackers inherit the victim's env), with VTAG naming the runs' folder and the reports.
# STEPS (default 640000) is V's and R's budget in env steps, the attackers' base budget; any other
# value runs under runs/nav_saboteur_start_steps<STEPS> with reports suffixed _steps<STEPS>.
# Usage: [STEPS=640000] [MULT=1] [OBJECTIVE=outcome] [EXTRA=... TAG=...] [VEXTRA=... VTAG=...] [DEFENSE=1 [HONEST=1] [PLUS=1] [DEXTRA=... DTAG=... AEXTRA=...]] bash docs/results/attacks_navigation_saboteur_start.sh [python] [seeds...]
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
STEPS=${STEPS:-640000}
SFX=""
[ "$STEPS" = 640000 ] || SFX="_steps$STEPS"
SFX="${VTAG:-}$SFX"
D=runs/nav_saboteur_start$SFX
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
mkdir -p "$R" "$D"
attackers() {  # attackers TEAM SCRATCH_REPORT START_REPORT [KEYS...]: both attackers against TEAM
  local team=$1 start="$1_saboteur_${OBJECTIVE}${TAG}_x$MULT" scratch=$2 report=$3
  shift 3
  [ -f "${team}_scratch/checkpoints/latest.pt" ] || $A attack "$team" --agents 1 \
    --run-dir "${team}_scratch" $Q total_steps=$STEPS "$@"
  $A eval "${team}_scratch" --episodes 1000 --json "$R/${scratch}${SFX}_seed$s.json"
  [ -f "$start/checkpoints/latest.pt" ] || $A attack "$team" --agents 1 --run-dir "$start" $Q \
    total_steps=$((STEPS * MULT)) pretrain.source=saboteur pretrain.steps=500 \
    attack.objective=$OBJECTIVE $EXTRA "$@"
  $A eval "$start" --episodes 1000 --json "$R/${report}_${OBJECTIVE}${TAG}_x${MULT}${SFX}_seed$s.json"
}
for s in $SEEDS; do
  V="$D/naive_s$s"
  [ -f "$V/checkpoints/latest.pt" ] || $A train configs/navigation/navigation_mappo.yaml \
    --run-dir "$V" seed=$s $Q total_steps=$STEPS ${VEXTRA:-}
  attackers "$V" navigation_scratch_takeover1 navigation_saboteur_start
  [ "${DEFENSE:-0}" = 1 ] || continue
  H=${HONEST:+_honest}${PLUS:+_plus}${DTAG:-} HR=false MEMBERS=[]
  [ -n "${HONEST:-}" ] && HR=true
  [ -n "${PLUS:-}" ] && MEMBERS="[${V}_saboteur_${OBJECTIVE}${TAG}_x$MULT]"
  RB="$D/rammer_robust${H}_s$s"
  [ -f "$RB/checkpoints/latest.pt" ] || $A train configs/navigation/navigation_mappo.yaml \
    --run-dir "$RB" seed=$s $Q total_steps=$STEPS robust.kind=takeover \
    robust.population_size=0 robust.include_random=false robust.online=0 \
    robust.honest_reward=$HR "robust.attackers=$MEMBERS" ${VEXTRA:-} ${DEXTRA:-}
  attackers "$RB" "navigation_rammer_robust${H}_scratch" \
    "navigation_rammer_robust${H}_saboteur_start" ${AEXTRA:-}
done
