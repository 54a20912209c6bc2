#!/usr/bin/env bash
# Learned communication (docs/communication.md): every variant of every scenario for each seed,
# two single-threaded jobs at a time on 2 cores, then `arena report` of the final 1000-episode
# evaluations (Student-t intervals over seeds; IQM with bootstrap intervals).
# Variants: nocomm (the env channel cut: channel.drop_prob=1), channel (tokens on the env
# channel, learned by RL), tarmac and graph (policy.comm inside the team, env channel cut).
# On reference, graph is left out: with 2 agents the only graph is the full one (= tarmac).
# Usage: bash docs/results/communication/run.sh [seeds...]      (default 0 1 2)
# TASKS (default "speaker_listener reference scouts") and JOBS (default 2) select and pace;
# REPORT_ONLY=1 skips training.
set -euo pipefail
cd "$(dirname "$0")/../../.."
SEEDS=${*:-0 1 2}
A=".venv/bin/arena"
R=docs/results/communication
OUT=${OUT:-runs/communication}
export OMP_NUM_THREADS=1
COMMON="log.progress=false eval.every=0 eval.episodes=1000 eval.gif=false"
CUT="env.kwargs.channel.drop_prob=1.0"
SL=configs/communication/speaker_listener_mappo.yaml
REF=configs/communication/reference_grpo.yaml
SC=configs/communication/scouts_mappo.yaml
jobs=$(mktemp)
for s in $SEEDS; do
  cat >> "$jobs" <<JOBS
$A train $SL --run-dir $OUT/speaker_listener/channel/s$s seed=$s $COMMON
$A train $SL --run-dir $OUT/speaker_listener/nocomm/s$s seed=$s $COMMON $CUT
$A train $REF --run-dir $OUT/reference/channel/s$s seed=$s $COMMON
$A train $REF --run-dir $OUT/reference/nocomm/s$s seed=$s $COMMON $CUT
$A train $REF --run-dir $OUT/reference/tarmac/s$s seed=$s $COMMON $CUT policy.comm.kind=tarmac
$A train $SC --run-dir $OUT/scouts/channel/s$s seed=$s $COMMON
$A train $SC --run-dir $OUT/scouts/nocomm/s$s seed=$s $COMMON $CUT
$A train $SC --run-dir $OUT/scouts/tarmac/s$s seed=$s $COMMON $CUT policy.comm.kind=tarmac
$A train $SC --run-dir $OUT/scouts/graph/s$s seed=$s $COMMON $CUT policy.comm.kind=graph
JOBS
done
# a run with its final evaluation (eval.csv) is kept: the script resumes where it stopped
TASKS=${TASKS:-speaker_listener reference scouts}
[ -n "${REPORT_ONLY:-}" ] && : > "$jobs"  # REPORT_ONLY=1: the reports of the runs there are
{ grep -E "communication/($(echo $TASKS | tr ' ' '|'))/" "$jobs" | while read -r cmd; do
  dir=$(echo "$cmd" | sed 's/.*--run-dir \([^ ]*\).*/\1/')
  [ -f "$dir/eval.csv" ] || echo "rm -rf $dir && $cmd > /dev/null"
done || true; } | xargs -r -P "${JOBS:-2}" -I{} bash -c "{}"
rm -f "$jobs"
# one report per method: a cut channel makes another task (other env arguments)
for task in $TASKS; do
  team=agent
  [ "$task" = speaker_listener ] && team=listener
  for v in nocomm channel tarmac graph; do
    [ -d "$OUT/$task/$v" ] || continue
    for metric in eval/success eval/sampled/success eval/return/$team eval/sampled/return/$team; do
      $A report --method "$v" "$OUT/$task/$v"/s[0-9] --metric "$metric" \
        --json "$R/${task}_${v}_${metric//\//_}.json"
    done
  done
done
