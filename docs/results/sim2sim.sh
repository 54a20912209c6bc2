#!/usr/bin/env bash
# Sim-to-sim: trained policies (torch backend) and the scripted heuristics evaluated on the torch
# and the pymunk physics, 1000 episodes each (docs/sim2sim.md). Needs the runs of docs/training.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
A=.venv/bin/arena
for run in nav_mappo ss_mappo breach_mappo; do
  $A eval runs/$run --episodes 1000 --backend torch pymunk --json docs/results/sim2sim_$run.json
done
for env in navigation/navigation-v0 coordination/simple_spread-v0 attack_defense/breach-v0; do
  name=$(basename "$env" -v0)
  $A eval scripted --env "$env" --episodes 1000 --backend torch pymunk \
    --json docs/results/sim2sim_scripted_$name.json
done
$A bench --pymunk --num-envs 1 16 256 4096 --steps 200 --json docs/results/bench_pymunk.json
