"""A per-seed table of greedy success (Wilson 95% interval) per method, with the mean share of
agents at their goal, from the evaluation JSONs ``<dir>/<method>_s<seed>.json`` that
hidden_goal_seeds.sh and flow_seeds.sh write; then the `arena report` aggregate
(``<dir>/report.json``: mean with t interval, IQM with bootstrap interval, probability of
improvement) if present.

Usage: python docs/results/seeds_table.py DIR METHOD...
  e.g. python docs/results/seeds_table.py docs/results/hidden_goal_seeds mlp gru ssm
       python docs/results/seeds_table.py docs/results/flow_seeds gaussian flow"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def cell(row: dict[str, float]) -> str:
    return f"{100 * row['mean']:.1f}% [{100 * row['ci95_low']:.1f}, {100 * row['ci95_high']:.1f}]"


def main(here: Path, methods: list[str], seeds: int = 3) -> None:
    print("| method | " + " | ".join(f"seed {s}" for s in range(seeds))
          + " | agents at goal (mean of seeds) |")
    print("|---" * (seeds + 1) + "|---:|")
    for m in methods:
        rows = [json.loads((here / f"{m}_s{s}.json").read_text())["rows"] for s in range(seeds)]
        at_goal = sum(r["at_goal_fraction"]["mean"] for r in rows) / seeds
        print(f"| {m} | " + " | ".join(cell(r["success"]) for r in rows)
              + f" | {100 * at_goal:.1f}% |")
    report = here / "report.json"
    if report.exists():
        print()
        print(json.dumps(json.loads(report.read_text()), indent=1)[:3000])


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2:])
