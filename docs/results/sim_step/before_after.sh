#!/usr/bin/env bash
# The simulator step before and after a change, side by side with VMAS: checks out REF (default
# 69d222d, the commit before the step rework of docs/benchmarks.md) in a temporary worktree and
# runs `arena bench` at 8192 envs with actions drawn in advance, discrete and continuous, for
# REF and for this checkout in turn, twice. Both use this checkout's .venv (same torch, VMAS).
# Usage: bash docs/results/sim_step/before_after.sh [REF]
set -euo pipefail
cd "$(dirname "$0")/../../.."
REF=${1:-69d222d}
HERE=$(pwd)
OLD=$(mktemp -d)/arena_before
git worktree add --detach "$OLD" "$REF" >/dev/null
trap 'git worktree remove --force "$OLD"' EXIT
for rep in 1 2; do
  for cont in "" "--continuous"; do
    for tree in "$OLD" "$HERE"; do
      echo "== $([ "$tree" = "$OLD" ] && echo "$REF" || echo HEAD) ${cont:-discrete} run $rep"
      (cd "$tree" && PYTHONPATH="$tree" "$HERE/.venv/bin/python" -m arena bench --peers \
        --compile $cont --num-envs 8192 --steps 1600 --action-pool 16 2>&1 \
        | grep -E "\| (arena|vmas) " | grep 8192)
    done
  done
done
