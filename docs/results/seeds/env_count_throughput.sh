#!/usr/bin/env bash
# Training throughput of the default recipe at 512 envs (one seed's) and 4096 envs (eight seeds'
# worth in one batch), alternated twice in one command: on a machine where 4096 envs train at
# about the env-steps/s of 512, the update is FLOP-bound and batching seeds together (stacked
# networks, one VecEnv) has little to gain (docs/training.md, "Many seeds in one process").
# Usage: bash docs/results/seeds/env_count_throughput.sh [python]
set -euo pipefail
cd "$(dirname "$0")/../../.."
PY=${1:-.venv/bin/python}
CFG=configs/coordination/simple_spread_grpo.yaml
for round in 1 2; do
  for n in 512 4096; do
    echo "round $round, env.num_envs=$n"
    # one minibatch per epoch at both sizes, as measured (the recipe's minibatch_size would
    # cut 4096 envs into eight)
    $PY -m arena profile $CFG env.num_envs=$n algo.minibatch_size=0 --iterations 4 | tail -n 8
  done
done
