#!/usr/bin/env bash
# Turn-based games (docs/turn_based.md): tictactoe trained through PettingZoo's own tictactoe_v3
# and on the native batched port, evaluated in both seats against random and the scripted
# lookahead player; the game's speed next to PettingZoo's. One job at a time on 2 cores.
# Usage: bash docs/results/turn_based.sh [python]
set -euo pipefail
PY=${1:-.venv/bin/python}
A="$PY -m arena"
R=docs/results/turn_based
mkdir -p "$R"
seats() {  # RUN NAME [--env ID]: every seat vs random and vs the scripted player
  run=$1; name=$2; shift 2
  $A eval "$run" "$@" --vs random --episodes 1000 --json "$R/${name}_vs_random.json"
  $A eval "$run" --env games/tictactoe-v0 --vs scripted --episodes 1000 \
    --json "$R/${name}_vs_scripted.json"
}
# PettingZoo's tictactoe_v3 through ExternalVecEnv, league self-play (snapshots + random)
$A train configs/games/tictactoe_pettingzoo.yaml --run-dir runs/tictactoe_pettingzoo log.progress=false
$A eval runs/tictactoe_pettingzoo --vs random --episodes 1000 --json "$R/pettingzoo_league_vs_random.json"
seats runs/tictactoe_pettingzoo pettingzoo_league_native --env games/tictactoe-v0
# the native batched game: league self-play (snapshots + scripted + random)
$A train configs/games/tictactoe_league.yaml --run-dir runs/tictactoe_league log.progress=false
seats runs/tictactoe_league native_league
# naive self-play against the current policy only
$A train configs/games/tictactoe_selfplay.yaml --run-dir runs/tictactoe_selfplay log.progress=false
seats runs/tictactoe_selfplay native_selfplay
$A train configs/games/tictactoe_selfplay.yaml --run-dir runs/tictactoe_selfplay_3m \
  log.progress=false total_steps=3000000 algo.entropy_coef=0.03 time_limit=0
seats runs/tictactoe_selfplay_3m native_selfplay_3m
# reference players
$A eval scripted --env games/tictactoe-v0 --vs random --episodes 1000 --json "$R/scripted_vs_random.json"
$A eval random --env games/tictactoe-v0 --vs random --episodes 1000 --json "$R/random_vs_random.json"
# speed: moves per second, the batched game next to PettingZoo's tictactoe_v3
$A bench --games --num-envs 1 1024 8192 65536 --json "$R/bench_games.json"
