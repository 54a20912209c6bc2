#!/usr/bin/env bash
# SSM vs GRU vs MLP on navigation/hidden_goal-v0 over 3 seeds (docs/policies.md): each backbone
# trains its seeds in one process (`arena train --seeds`, replicas bit-identical to single-seed
# runs), the same config and env-step budget for all, then 1000 greedy evaluation episodes per
# seed and `arena report` across the three methods (t intervals, IQM with stratified-bootstrap
# intervals, probability of improvement, aggregate curves).
# Usage: bash docs/results/hidden_goal_seeds.sh [steps] [seeds...]  (runs into runs/hg3_*)
set -uo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-5000000}
shift || true
SEEDS=${*:-0 1 2}
A=".venv/bin/arena"
OUT=docs/results/hidden_goal_seeds
mkdir -p $OUT
C=configs/navigation/hidden_goal_ssm.yaml
Q="env.num_envs=1024 algo.num_minibatches=4 total_steps=$STEPS time_limit=0 eval.every=20 eval.episodes=500 log.progress=false eval.gif=false"
for bb in gru ssm mlp; do
  run=runs/hg3_$bb
  [ -f $run/report.json ] || $A train $C --seeds $SEEDS --run-dir $run policy.backbone=$bb $Q | tail -n 3
  for s in $SEEDS; do
    $A eval $run/seed_$s --episodes 1000 --json $OUT/${bb}_s$s.json | tail -n 3
  done
done
runs() { for s in $SEEDS; do echo runs/hg3_$1/seed_$s; done; }
$A report --method SSM $(runs ssm) --method GRU $(runs gru) --method MLP $(runs mlp) \
  --metric eval/success --json $OUT/report.json --plot docs/img/hidden_goal_seeds.png
