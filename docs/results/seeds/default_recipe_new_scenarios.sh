#!/usr/bin/env bash
# The default recipe (make train's GRPO config) on scenarios it was not tuned on
# (docs/training.md, "The default recipe on other scenarios"): the tutorial plug-in rendezvous
# with 5 discrete agents, and transport, each with the shipped MAPPO config beside it, the same
# env-step budget, then greedy and sampled evaluation over 1000 episodes, random and scripted.
# Usage: bash docs/results/seeds/default_recipe_new_scenarios.sh [python] [steps]
set -uo pipefail
cd "$(dirname "$0")/../../.."
PY=${1:-.venv/bin/python}
STEPS=${2:-2000000}
A="$PY -m arena"
OUT=docs/results/seeds
$PY -m pip install -q -e docs/tutorial   # the plug-in, installed as a user would
Q="total_steps=$STEPS time_limit=0 eval.every=0 log.progress=false eval.gif=false"
one() {  # name env kwargs mappo_config scenario-args
  local name=$1 env=$2 kwargs=$3 mappo=$4 args=$5
  for recipe in grpo mappo; do
    run=runs/seeds/new_${name}_$recipe
    if [ ! -f $run/eval.json ]; then
      if [ $recipe = grpo ]; then
        $A train configs/coordination/simple_spread_grpo.yaml --run-dir $run name=$name \
          env.id=$env "env.kwargs=$kwargs" $Q | tail -n 1
      else
        $A train $mappo --run-dir $run env.id=$env "env.kwargs=$kwargs" $Q | tail -n 1
      fi
      $A eval $run --episodes 1000 --json $run/eval.json | tail -n 5
    fi
    cp $run/eval.json $OUT/new_${name}_$recipe.json
  done
  for baseline in random scripted; do
    $A eval $baseline --env $env $args --episodes 1000 \
      --json $OUT/new_${name}_$baseline.json | tail -n 4
  done
}
one rendezvous coordination/rendezvous-v0 '{num_agents: 5}' docs/tutorial/rendezvous.yaml \
  num_agents=5
one transport coordination/transport-v0 '{num_agents: 4, num_packages: 1, agents_needed: 2}' \
  configs/coordination/transport_mappo.yaml "num_agents=4 num_packages=1 agents_needed=2"
$PY -m pip uninstall -y -q arena-rendezvous   # leave the venv as it was
