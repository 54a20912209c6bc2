"""The table of docs/policies.md "over 3 seeds" from the evaluation JSONs of
hidden_goal_seeds.sh: greedy success (Wilson 95% interval) per backbone and seed, and the
aggregate of `arena report` (mean with t interval, IQM with bootstrap interval).
Usage: python docs/results/hidden_goal_seeds_table.py"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent / "hidden_goal_seeds"


def cell(row: dict[str, float]) -> str:
    return f"{100 * row['mean']:.1f}% [{100 * row['ci95_low']:.1f}, {100 * row['ci95_high']:.1f}]"


def main() -> None:
    print("| backbone | seed 0 | seed 1 | seed 2 | agents at goal (mean of seeds) |")
    print("|---|---|---|---|---:|")
    for bb in ("mlp", "gru", "ssm"):
        rows = [json.loads((HERE / f"{bb}_s{s}.json").read_text())["rows"] for s in range(3)]
        at_goal = sum(r["at_goal_fraction"]["mean"] for r in rows) / 3
        print(f"| {bb.upper()} | " + " | ".join(cell(r["success"]) for r in rows)
              + f" | {100 * at_goal:.1f}% |")
    report = HERE / "report.json"
    if report.exists():
        print()
        print(json.dumps(json.loads(report.read_text()), indent=1)[:3000])


if __name__ == "__main__":
    main()
