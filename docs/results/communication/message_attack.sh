#!/usr/bin/env bash
# Message injection (docs/communication.md): a fresh attacker learns the speaker's messages
# against the speaker_listener team of run.sh (seed 0; the listener and the speaker's moves,
# here none, stay the victim's), 1M env steps; then `arena eval` on 1000 seeds: clean,
# trained injection and random tokens.
# Usage: bash docs/results/communication/message_attack.sh [SEED]
set -euo pipefail
cd "$(dirname "$0")/../../.."
S=${1:-0}
A=".venv/bin/arena"
R=docs/results/communication
V=${OUT:-runs/communication}/speaker_listener/channel/s$S
export OMP_NUM_THREADS=1
rm -rf "${V}_message1"
$A attack "$V" --kind message --team speaker --agents 1 --run-dir "${V}_message1" \
  total_steps=1000000 seed=$S log.progress=false eval.every=0 eval.gif=false
$A eval "${V}_message1" --episodes 1000 --json "$R/speaker_listener_message1_s$S.json"
