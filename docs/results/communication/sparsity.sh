#!/usr/bin/env bash
# The learned graph's sparsity budget against its performance on scouts (6 agents;
# policy.comm.edges = 0.2, 0.4, 0.8, 1.0: 1, 2, 4, 5 senders per receiver; 0.5, 3 senders,
# is run.sh's graph run) for the given seeds, one job per seed at a time; then the reports over
# every seed present, and the picture of run.sh's learned graph (seed 0).
# Usage: bash docs/results/communication/sparsity.sh [seeds...]      (default 0)
set -euo pipefail
cd "$(dirname "$0")/../../.."
SEEDS=${*:-0}
A=".venv/bin/arena"
R=docs/results/communication
OUT=${OUT:-runs/communication}
export OMP_NUM_THREADS=1
COMMON="log.progress=false eval.every=0 eval.episodes=1000 eval.gif=false"
train_seed() {
  for e in 0.2 0.4 0.8 1.0; do
    d=$OUT/scouts/graph_edges$e/s$1
    [ -f "$d/eval.csv" ] && continue
    rm -rf "$d"
    $A train configs/communication/scouts_mappo.yaml --run-dir "$d" seed=$1 $COMMON \
      env.kwargs.channel.drop_prob=1.0 policy.comm.kind=graph policy.comm.edges=$e > /dev/null
  done
}
for s in $SEEDS; do train_seed "$s" & done
wait
for m in eval/success eval/return/agent eval/goal_dist; do
  $A report --method 0.2 "$OUT"/scouts/graph_edges0.2/s[0-9] \
    --method 0.4 "$OUT"/scouts/graph_edges0.4/s[0-9] --method 0.5 "$OUT"/scouts/graph/s[0-9] \
    --method 0.8 "$OUT"/scouts/graph_edges0.8/s[0-9] --method 1.0 "$OUT"/scouts/graph_edges1.0/s[0-9] \
    --metric $m --json "$R/sparsity_${m//\//_}.json"
done
.venv/bin/python $R/plot_graph.py "$OUT/scouts/graph/s0" docs/img/communication_graph.png 2
