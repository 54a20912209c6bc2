#!/usr/bin/env bash
# The default recipe on transport with and without its minibatch_size (docs/training.md, "The
# default recipe on scenarios it was not tuned on"): GRPO, 2M env steps, seeds 1 and 2 (seed 0
# is default_recipe_new_scenarios.sh's), 1000 greedy episodes each; "fixed" is
# algo.minibatch_size=0, one minibatch of 512 x 150 env steps per epoch, as before.
# Usage: bash docs/results/seeds/grpo_minibatch_transport.sh [python] [seeds...]
set -uo pipefail
cd "$(dirname "$0")/../../.."
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-1 2}
A="$PY -m arena"
OUT=docs/results/seeds
Q="total_steps=2000000 time_limit=0 eval.every=0 log.progress=false eval.gif=false"
ENV="env.id=coordination/transport-v0"
for s in $SEEDS; do
  for variant in minibatch_size fixed; do
    run=runs/seeds/transport_grpo_${variant}_s$s
    extra=""
    [ $variant = fixed ] && extra="algo.minibatch_size=0"
    if [ ! -f $run/eval.json ]; then
      $A train configs/coordination/simple_spread_grpo.yaml --run-dir $run name=transport \
        seed=$s $ENV "env.kwargs={num_agents: 4, num_packages: 1, agents_needed: 2}" $Q $extra \
        | tail -n 1
      $A eval $run --episodes 1000 --json $run/eval.json | tail -n 4
    fi
    cp $run/eval.json $OUT/transport_grpo_${variant}_s$s.json
  done
done
