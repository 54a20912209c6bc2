#!/usr/bin/env bash
# Robust training against takeover with GRPO on transport, or on simple_spread with
# SCENARIO=simple_spread (docs/attacks.md; the transport steps are described). For each seed:
#   1. the naive team V: the default recipe (configs/coordination/simple_spread_grpo.yaml) on
#      transport, 2M env steps: the runs of docs/results/seeds/ (default_recipe_new_scenarios.sh
#      for seed 0, grpo_minibatch_transport.sh for seeds 1 and 2); a takeover attacker A
#      against it (k = 1, the victim's algorithm and budget: GRPO, 2M steps);
#   2. the robust team R: the same recipe from scratch for 3M steps with robust.kind=takeover:
#      in half of the envs (whole groups) one slot, drawn per group and iteration, is played by
#      an attacker: A, 4 evolving mutants, the scripted saboteur, random, or (half of those
#      groups) an online GRPO attacker trained alongside; TEAM_BASELINE=1 adds
#      algo.team_baseline=true (AdvEvo-MARL's public baseline); ONLINE_MAPPO=1 makes the online
#      attacker a MAPPO learner (robust.online_algo, step 4's hyperparameters) instead;
#   3. the exploitation check: a FRESH attacker F from scratch against the frozen R with R's
#      budget (3M steps), then `arena eval` of F and of A against R, 1000 seeds each;
#   4. a second fresh attacker, MAPPO instead of the victim's GRPO (transport_mappo.yaml's
#      hyperparameters, 256 envs x 50 steps, 3M steps): a defense must hold against both.
# ONLINE_SHARE=X sets robust.online (default 0.5: half of the attacked groups play the online
# attacker) and appends _shareX to the run names.
# PRIOR=TAG (a second round, as in iterated best response): the fresh GRPO and MAPPO attackers
# of step 3-4 against the robust team runs/TAG_<scenario>_seed<s> join A as fixed members of
# the population; a new robust team is trained from scratch (run names get _round2) and checked
# by new fresh attackers. The prior round's team and attackers must exist.
# SUFFIX=X appends _X to the run names (e.g. SUFFIX=blocker for the runs made after transport's
# scripted saboteur, a population member, became the blocker).
# Steps whose results exist are skipped (rm the run directories to redo them).
# CONTROL=1 instead trains the budget control for each seed: the naive recipe for R's 3M steps
# (not 2M) and a fresh GRPO attacker against it (3M), evaluated the same way.
# SCENARIO=simple_spread: the naive teams are the default recipe's 5M-step runs of
# seeds/grpo_vs_mappo.sh, A is attacks_simple_spread_grpo.sh's attacker, R trains 5M steps
# (the naive budget: no control needed), the MAPPO attacker has simple_spread_mappo.yaml's
# hyperparameters.
# Budgets are env steps. Usage: [SCENARIO=...] [TEAM_BASELINE=1 | ONLINE_MAPPO=1] bash docs/results/attacks_robust_grpo.sh
# [python] [seeds...]   (one seed's chain at a time; run seeds side by side with
# OMP_NUM_THREADS=1)
set -euo pipefail
PY=${1:-.venv/bin/python}
shift || true
SEEDS=${*:-0 1 2}
A="$PY -m arena"
R=docs/results/attacks
Q="log.progress=false eval.every=0 eval.gif=false time_limit=0"
TAG=robust_grpo
EXTRA=()
if [ -n "${TEAM_BASELINE:-}" ]; then TAG=robust_grpo_public; EXTRA=(algo.team_baseline=true); fi
SCENARIO=${SCENARIO:-transport}
case "$SCENARIO" in
  transport)  # 2M-step naive teams; robust teams 3M steps
    SCENARIO_ARGS=(name=transport env.id=coordination/transport-v0
                   "env.kwargs={num_agents: 4, num_packages: 1, agents_needed: 2}")
    ROBUST_STEPS=3000000
    MAPPO_ALGO="{name: mappo, lr: 0.0005, critic_lr: 0.0005, epochs: 5, num_minibatches: 2, entropy_coef: 0.005}"
    MAPPO_ARGS=(env.num_envs=256 rollout_steps=50) ;;
  simple_spread)  # the 5M-step naive teams of seeds/grpo_vs_mappo.sh; robust teams 5M steps
    SCENARIO_ARGS=(name=simple_spread)
    ROBUST_STEPS=5000000
    MAPPO_ALGO="{name: mappo, lr: 0.0007, critic_lr: 0.0007, epochs: 10, num_minibatches: 1, entropy_coef: 0.01}"
    MAPPO_ARGS=() ;;
  *) echo "SCENARIO must be transport or simple_spread, got $SCENARIO"; exit 1 ;;
esac
if [ -n "${ONLINE_MAPPO:-}" ]; then
  TAG=robust_grpo_mappo_online; EXTRA=("robust.online_algo=$MAPPO_ALGO")
fi
SHARE=${ONLINE_SHARE:-0.5}
[ -n "${ONLINE_SHARE:-}" ] && TAG="${TAG}_share$SHARE"
[ -n "${PRIOR:-}" ] && TAG="${TAG}_round2"
[ -n "${SUFFIX:-}" ] && TAG="${TAG}_$SUFFIX"
mkdir -p "$R"
if [ -n "${CONTROL:-}" ]; then  # transport
  for s in $SEEDS; do
    V3="runs/naive3m_grpo_transport_seed$s"
    if [ ! -f "${V3}_takeover1/checkpoints/latest.pt" ]; then
      rm -rf "$V3" "${V3}_takeover1"
      $A train configs/coordination/simple_spread_grpo.yaml --run-dir "$V3" name=transport \
        seed=$s env.id=coordination/transport-v0 \
        "env.kwargs={num_agents: 4, num_packages: 1, agents_needed: 2}" total_steps=3000000 $Q
      $A attack "$V3" --agents 1 --run-dir "${V3}_takeover1" $Q
    fi
    $A eval "${V3}_takeover1" --episodes 1000 --json "$R/transport_grpo3m_takeover1_seed$s.json"
  done
  exit 0
fi
for s in $SEEDS; do
  if [ "$SCENARIO" = transport ]; then
    V=runs/seeds/transport_grpo_minibatch_size_s$s
    [ "$s" = 0 ] && V=runs/seeds/new_transport_grpo
    AV="runs/attack_transport_grpo_seed${s}_takeover1"
  else
    V=runs/seeds/ss_grpo_s$s
    AV="runs/attack_ss_grpo_s${s}_takeover1"
  fi
  [ -f "$V/checkpoints/latest.pt" ] || { echo "missing naive team $V: run its script"; exit 1; }
  [ -f "$AV/checkpoints/latest.pt" ] || $A attack "$V" --agents 1 --run-dir "$AV" $Q
  $A eval "$AV" --episodes 1000 --json "$R/${SCENARIO}_grpo_takeover1_seed$s.json"
  RB="runs/${TAG}_${SCENARIO}_seed$s"
  MEMBERS="$AV"
  if [ -n "${PRIOR:-}" ]; then
    P="runs/${PRIOR}_${SCENARIO}_seed$s"
    for F in "${P}_takeover1" "${P}_takeover1_mappo"; do
      [ -f "$F/checkpoints/latest.pt" ] || { echo "missing prior attacker $F"; exit 1; }
    done
    MEMBERS="$AV, ${P}_takeover1, ${P}_takeover1_mappo"
  fi
  if [ ! -f "${RB}_takeover1/checkpoints/latest.pt" ]; then
    rm -rf "$RB" "${RB}_takeover1"
    $A train configs/coordination/simple_spread_grpo.yaml --run-dir "$RB" seed=$s $Q \
      "${SCENARIO_ARGS[@]}" total_steps=$ROBUST_STEPS \
      robust.kind=takeover "robust.attackers=[$MEMBERS]" robust.online=$SHARE "${EXTRA[@]}"
    $A attack "$RB" --agents 1 --run-dir "${RB}_takeover1" $Q
  fi
  $A eval "${RB}_takeover1" --episodes 1000 --json "$R/${SCENARIO}_${TAG}_fresh_seed$s.json"
  $A eval "$AV" --victim "$RB" --episodes 1000 \
    --json "$R/${SCENARIO}_${TAG}_vs_naive_attacker_seed$s.json"
  FM="${RB}_takeover1_mappo"
  [ -f "$FM/checkpoints/latest.pt" ] || $A attack "$RB" --agents 1 --run-dir "$FM" $Q \
    "algo=$MAPPO_ALGO" "${MAPPO_ARGS[@]}"
  $A eval "$FM" --episodes 1000 --json "$R/${SCENARIO}_${TAG}_fresh_mappo_seed$s.json"
done
