#!/usr/bin/env bash
# Before/after check of the layered redesign: the seeded CPU runs of equivalence.py trained by
# the last commit before it (REF, default fa3db8e) and by this tree, then compared bit for bit
# (every CSV column but wall-clock ones, every tensor of the final checkpoints).
# Usage: bash docs/results/architecture/equivalence.sh [REF]   (one job at a time on 2 cores)
set -euo pipefail
REF=${1:-fa3db8e}
ROOT=$(pwd)
PY=${PY:-$ROOT/.venv/bin/python}
OUT=${OUT:-/tmp/arena_equivalence}
SCRIPT=$ROOT/docs/results/architecture/equivalence.py
rm -rf "$OUT"
mkdir -p "$OUT"
git worktree add --detach "$OUT/ref" "$REF"
(cd "$OUT/ref" && PYTHONPATH="$OUT/ref" "$PY" "$SCRIPT" run "$OUT/before")
PYTHONPATH="$ROOT" "$PY" "$SCRIPT" run "$OUT/after"
"$PY" "$SCRIPT" compare "$OUT/before" "$OUT/after" | tee "$ROOT/docs/results/architecture/equivalence.txt"
git worktree remove --force "$OUT/ref"
