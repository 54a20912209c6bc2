#!/usr/bin/env bash
# Robust training against message injection (docs/communication.md, docs/attacks.md): for a
# seed, the speaker_listener channel team of run.sh trained again from scratch with
# robust.kind message (in half of the envs the speaker's messages are chosen by a population
# member: the seed's trained injector of message_attack.sh, 2 mutants of it, random tokens;
# the listener learns in every env), the same 4M-step budget; then a fresh injector trained
# from scratch against the frozen robust team with the same budget as the defense (4M env
# steps), and `arena eval` on 1000 seeds: clean, trained injection, random tokens.
# Needs runs of run.sh (channel) and message_attack.sh for the seed.
# Usage: bash docs/results/communication/robust_message.sh [SEED]
set -euo pipefail
cd "$(dirname "$0")/../../.."
S=${1:-0}
A=".venv/bin/arena"
R=docs/results/communication
OUT=${OUT:-runs/communication}/speaker_listener
V=$OUT/channel/s$S
RB=$OUT/robust_message/s$S
COMMON="log.progress=false eval.every=0 eval.episodes=1000 eval.gif=false"
[ -f $RB/eval.csv ] || $A train configs/communication/speaker_listener_mappo.yaml --run-dir $RB \
  seed=$S $COMMON robust.kind=message robust.team=speaker "robust.attackers=[${V}_message1]" \
  robust.population_size=2 robust.online=0 robust.include_random=true robust.fraction=0.5 \
  | tail -n 3
rm -rf "${RB}_message1"
$A attack "$RB" --kind message --team speaker --agents 1 --run-dir "${RB}_message1" \
  total_steps=4000000 seed=$S log.progress=false eval.every=0 eval.gif=false | tail -n 2
$A eval "${RB}_message1" --episodes 1000 --json "$R/speaker_listener_robust_message1_s$S.json"
