#!/usr/bin/env bash
# A policy trained on Arena's speaker_listener port (run.sh's channel runs), evaluated on
# Arena's port and on MPE2's own simple_speaker_listener_v4 through the PettingZoo adapter,
# 1000 episodes each, greedy (sampled beside it).
# Usage: bash docs/results/communication/mpe2_eval.sh [seeds...]     (default 0 1 2)
set -euo pipefail
cd "$(dirname "$0")/../../.."
A=".venv/bin/arena"
R=docs/results/communication
OUT=${OUT:-runs/communication}
for s in ${*:-0 1 2}; do
  V=$OUT/speaker_listener/channel/s$s
  $A eval "$V" --episodes 1000 --json "$R/speaker_listener_arena_s$s.json"
  $A eval "$V" --episodes 1000 --external mpe2.simple_speaker_listener_v4:parallel_env \
    --json "$R/speaker_listener_mpe2_s$s.json"
done
