#!/usr/bin/env bash
# The learned graph's sparsity budget against its performance on scouts (6 agents, seed 0;
# policy.comm.edges = 0.2, 0.4, 0.8, 1.0: 1, 2, 4, 5 senders per receiver; 0.5, 3 senders,
# is run.sh's graph run), then the picture of run.sh's learned graph (seed 0).
# Usage: bash docs/results/communication/sparsity.sh [SEED]
set -euo pipefail
cd "$(dirname "$0")/../../.."
S=${1:-0}
A=".venv/bin/arena"
R=docs/results/communication
OUT=${OUT:-runs/communication}
export OMP_NUM_THREADS=1
COMMON="log.progress=false eval.every=0 eval.episodes=1000 eval.gif=false"
for e in 0.2 0.4 0.8 1.0; do
  d=$OUT/scouts/graph_edges$e/s$S
  [ -f "$d/eval.csv" ] && continue
  rm -rf "$d"
  $A train configs/communication/scouts_mappo.yaml --run-dir "$d" seed=$S $COMMON \
    env.kwargs.channel.drop_prob=1.0 policy.comm.kind=graph policy.comm.edges=$e > /dev/null
done
for m in eval/success eval/return/agent eval/goal_dist; do
  $A report --method 0.2 "$OUT/scouts/graph_edges0.2/s$S" --method 0.4 "$OUT/scouts/graph_edges0.4/s$S" \
    --method 0.5 "$OUT/scouts/graph/s$S" --method 0.8 "$OUT/scouts/graph_edges0.8/s$S" \
    --method 1.0 "$OUT/scouts/graph_edges1.0/s$S" --metric $m --json "$R/sparsity_${m//\//_}.json"
done
.venv/bin/python $R/plot_graph.py "$OUT/scouts/graph/s$S" docs/img/communication_graph.png 2
