"""The GPU-scale robust-training table of docs/attacks.md ("At GPU scale"), printed from what
attacks_robust_gpu.sh wrote (copied to docs/results/gpu/attacks/: the eval reports and each
run's progress.csv); --dir names another such folder (the equal-steps runs are in
docs/results/gpu/attacks_equal_steps/).

Usage: python docs/results/attacks_robust_gpu_table.py [--dir DIR] [seeds...]"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from attacks_robust_table import pct  # this folder: the script's own (sys.path[0])

R = Path(__file__).parent / "gpu" / "attacks"  # replaced by --dir


def steps(run: str) -> str:
    """Env steps the run reached (its last progress row) and its seconds."""
    with open(R / f"{run}_progress.csv") as f:
        last = list(csv.DictReader(f))[-1]
    return f"{int(last['env_steps']) / 1e6:.1f}M in {float(last['time/elapsed_s']):.0f} s"


def main(seeds: list[int]) -> None:
    print("| seed | team | team's env steps | clean honest success | fresh attacker (its steps): "
          "ASR | A: ASR | random: ASR | scripted: ASR |\n|---|---|---|---|---|---|---|---|")
    for s in seeds:
        naive = json.loads((R / f"ss_gpu_naive_attacker_s{s}.json").read_text())
        fresh = json.loads((R / f"ss_gpu_robust_fresh_s{s}.json").read_text())
        vs_a = json.loads((R / f"ss_gpu_robust_vs_A_s{s}.json").read_text())
        a = naive["attackers"]
        print(f"| {s} | naive | {steps(f'naive_s{s}')} | {pct(naive['clean']['success'])} | "
              f"{pct(a['trained']['asr'])} ({steps(f'naive_s{s}_takeover1')}) | "
              f"{pct(a['trained']['asr'])} | {pct(a['random']['asr'])} | "
              f"{pct(a['scripted']['asr'])} |")
        f = fresh["attackers"]
        print(f"| {s} | robust | {steps(f'robust_s{s}')} | {pct(fresh['clean']['success'])} | "
              f"{pct(f['trained']['asr'])} ({steps(f'robust_s{s}_takeover1')}) | "
              f"{pct(vs_a['attackers']['trained']['asr'])} | {pct(f['random']['asr'])} | "
              f"{pct(f['scripted']['asr'])} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--dir"]:
        R, args = Path(args[1]), args[2:]
    main([int(s) for s in args] or [0, 1, 2])
