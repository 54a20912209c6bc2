#!/usr/bin/env bash
# Many seeds in one process against sequential runs (docs/training.md, "Many seeds in one
# process"): the default recipe (configs/coordination/simple_spread_grpo.yaml) for seeds 0..7,
# first as 8 `arena train` processes one after another, then as one `arena train --seeds 0..7`;
# wall-clock of each, their ratio, and whether every replica's checkpoint and evaluations equal
# its sequential run's. STEPS env steps per seed (default 500k; the recipe's own is 5M).
# DEVICE=cuda trains on a GPU; JSON=F writes the result there instead of
# docs/results/seeds/one_process_vs_sequential.json; OUT=DIR keeps the runs there.
# Usage: [DEVICE=cuda] [JSON=F] bash docs/results/seeds/one_process_vs_sequential.sh [python] [steps]
set -euo pipefail
cd "$(dirname "$0")/../../.."
PY=${1:-.venv/bin/python}
STEPS=${2:-500000}
OUT=${OUT:-runs/one_process}
JSON=${JSON:-docs/results/seeds/one_process_vs_sequential.json}
rm -rf "$OUT"
CFG=configs/coordination/simple_spread_grpo.yaml
Q="total_steps=$STEPS log.progress=false device=${DEVICE:-cpu}"
SEEDS=${SEEDS_LIST:-0 1 2 3 4 5 6 7}
t0=$(date +%s.%N)
for s in $SEEDS; do  # each run's log beside it; its end time printed as it finishes
  mkdir -p $OUT/sequential
  $PY -m arena train $CFG --run-dir $OUT/sequential/seed_$s seed=$s $Q >$OUT/sequential/seed_$s.log 2>&1
  echo "sequential seed $s done at $(date +%s.%N | awk -v t0="$t0" '{printf "%.1f", $1 - t0}') s"
done
t1=$(date +%s.%N)
$PY -m arena train $CFG --run-dir $OUT/group $Q --seeds $SEEDS | tail -n 12 || echo "!!! the group run failed"
t2=$(date +%s.%N)
$PY - "$t0" "$t1" "$t2" "$OUT" "$SEEDS" "$JSON" "${DEVICE:-cpu}" <<'PY'
import csv, json, platform, sys
import torch
t0, t1, t2, out, seeds = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5].split()
path, device = sys.argv[6], sys.argv[7]
def tensors(path):
    state = torch.load(path, weights_only=True, map_location="cpu")
    state.pop("config")
    def walk(x):
        if isinstance(x, torch.Tensor): yield x
        elif isinstance(x, dict):
            for v in x.values(): yield from walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x: yield from walk(v)
    return list(walk(state))
def evals(run):
    with open(f"{run}/eval.csv") as f:
        return [{k: v for k, v in r.items() if not k.startswith("time/")} for r in csv.DictReader(f)]
same = {}
for s in seeds:
    a, b = f"{out}/sequential/seed_{s}", f"{out}/group/seed_{s}"
    ta, tb = tensors(f"{a}/checkpoints/latest.pt"), tensors(f"{b}/checkpoints/latest.pt")
    same[s] = len(ta) == len(tb) and all(torch.equal(x, y) for x, y in zip(ta, tb)) and evals(a) == evals(b)
finals = {s: float(evals(f"{out}/group/seed_{s}")[-1]["eval/return/agent"]) for s in seeds}
result = {"machine": platform.processor() or platform.machine(), "torch": torch.__version__,
          "device": torch.cuda.get_device_name() if device != "cpu" else "cpu",
          "threads": torch.get_num_threads(), "seeds": len(seeds),
          "sequential_s": round(t1 - t0, 1), "one_process_s": round(t2 - t1, 1),
          "ratio": round((t1 - t0) / (t2 - t1), 3), "bit_identical": same,
          "final_greedy_return": finals}
print(json.dumps(result, indent=2))
json.dump(result, open(path, "w"), indent=2)
PY
