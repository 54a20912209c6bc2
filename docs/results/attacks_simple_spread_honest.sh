#!/usr/bin/env bash
# robust.honest_reward on simple_spread (docs/attacks.md, "With the honest reward on
# simple_spread"). Per seed, every run GRPO (the default recipe, configs/coordination/
# simple_spread_grpo.yaml) for STEPS env steps (default 5M, the naive teams' budget):
#   1. the naive team V (the default recipe);
#   2. AH, a takeover attacker against V (k = 1, fixed slot) trained on minus the honest
#      agents' reward without itself (attack.objective=honest_return);
#   3. the robust team R from scratch: robust.kind=takeover (half of the envs attacked, in whole
#      groups), AH as the fixed member plus the default mutants, scripted saboteur and random,
#      an online GRPO attacker in half of the attacked groups, and robust.honest_reward=true
#      (the honest agents and the online attacker rewarded with the honest reward);
#   4. the exploitation check: a fresh honest_return attacker FH against the frozen R, R's
#      budget;
#   5. `arena eval` (1000 episodes) of AH against V, of FH against R (each with the clean,
#      random and scripted rows) and of AH against R.
# Steps whose runs exist are skipped. Budgets are env steps (time_limit=0).
# Usage: [STEPS=N] [RUNS=DIR] bash docs/results/attacks_simple_spread_honest.sh [python]
# [seeds...]   (seeds side by side: one per process, OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
A="$PY -m arena"
D=${RUNS:-runs/robust_ss_honest}
R=${OUT:-docs/results/attacks}
CFG=configs/coordination/simple_spread_grpo.yaml
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0 total_steps=${STEPS:-5000000}"
mkdir -p "$R"
for s in $SEEDS; do
  V="$D/naive_s$s"
  AH="${V}_takeover1_honest"
  RB="$D/robust_honest_s$s"
  FH="${RB}_takeover1_honest"
  [ -f "$V/checkpoints/latest.pt" ] || $A train $CFG --run-dir "$V" seed=$s $Q
  [ -f "$AH/checkpoints/latest.pt" ] || $A attack "$V" --agents 1 --run-dir "$AH" $Q \
    attack.objective=honest_return
  $A eval "$AH" --episodes 1000 --json "$R/simple_spread_naive_honest_attacker_seed$s.json"
  [ -f "$RB/checkpoints/latest.pt" ] || $A train $CFG --run-dir "$RB" seed=$s $Q \
    robust.kind=takeover "robust.attackers=[$AH]" robust.online=0.5 robust.honest_reward=true
  [ -f "$FH/checkpoints/latest.pt" ] || $A attack "$RB" --agents 1 --run-dir "$FH" $Q \
    attack.objective=honest_return
  $A eval "$FH" --episodes 1000 --json "$R/simple_spread_robust_honest_fresh_seed$s.json"
  $A eval "$AH" --victim "$RB" --episodes 1000 \
    --json "$R/simple_spread_robust_honest_vs_naive_attacker_seed$s.json"
done
