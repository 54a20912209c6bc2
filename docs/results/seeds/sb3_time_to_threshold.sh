#!/usr/bin/env bash
# Time to a -12 return per agent on simple_spread (docs/training.md): SB3 PPO with parameter
# sharing (configs/baselines/simple_spread_sb3_ppo.yaml) given 3x the default recipe's
# training time (3 x 222 s), against the default recipe (make train's GRPO run). The threshold
# is read from each run's sampled training return (progress.csv, mean over the last 5 logged
# iterations), the one curve both trainers log.
# Usage: bash docs/results/seeds/sb3_time_to_threshold.sh [python] [grpo run dir]
# (run `make train` first, alone on the machine: its run is the GRPO curve)
set -uo pipefail
cd "$(dirname "$0")/../../.."
PY=${1:-.venv/bin/python}
GRPO=${2:-runs/default}   # make train's run, trained with nothing else running
RUN=runs/seeds/sb3_ppo_666s
[ -f $RUN/sb3_model.zip ] || $PY -m arena train configs/baselines/simple_spread_sb3_ppo.yaml \
  --run-dir $RUN time_limit=666 log.progress=false | tail -n 4
$PY - "$GRPO" "$RUN" <<'PY'
import csv, json, sys
out = {}
for run in sys.argv[1:]:
    rows = list(csv.DictReader(open(f"{run}/progress.csv")))
    key = next(k for k in rows[0] if k.startswith("episode/return_"))
    hit = None
    for i in range(4, len(rows)):
        window = [float(r[key]) for r in rows[i - 4:i + 1] if r[key] not in ("", "nan")]
        if window and sum(window) / len(window) >= -12.0:
            hit = rows[i]
            break
    last = rows[-1]
    out[run] = {"reached_-12_at_s": float(hit["time/elapsed_s"]) if hit else None,
                "reached_-12_at_steps": int(float(hit["env_steps"])) if hit else None,
                "final_s": float(last["time/elapsed_s"]), "final_steps": int(float(last["env_steps"])),
                "final_return_5": sum(float(r[key]) for r in rows[-5:]) / 5}
    print(run, out[run])
labels = ["grpo_default_recipe", "sb3_ppo"]
json.dump(dict(zip(labels, out.values())), open("docs/results/seeds/time_to_threshold.json", "w"),
          indent=2)
PY
