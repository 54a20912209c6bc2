"""The per-seed table of docs/training.md, "bfloat16 updates", from the evaluation reports
that bf16_vs_fp32.sh writes (docs/results/precision/grpo_<precision>_s<seed>.json).

Usage: python docs/results/precision/table.py [seeds...]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent


def cell(row: dict, scale: float = 1.0, digits: int = 2) -> str:
    return (f"{scale * row['mean']:.{digits}f} "
            f"[{scale * row['ci95_low']:.{digits}f}, {scale * row['ci95_high']:.{digits}f}]")


def main(seeds: list[int]) -> None:
    print("| precision | seed | greedy return per agent | coverage, % | sampled return |")
    print("|---|---:|---|---|---|")
    for p in ("float32", "bfloat16"):
        for s in seeds:
            rep = json.loads((HERE / f"grpo_{p}_s{s}.json").read_text())
            g, sp = rep["rows"], rep["sampled"]
            print(f"| {p} | {s} | {cell(g['return/agent'])} | "
                  f"{cell(g['coverage'], 100, 1)} | {cell(sp['return/agent'])} |")


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1:]] or [0, 1, 2])
