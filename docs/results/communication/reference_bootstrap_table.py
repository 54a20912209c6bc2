"""The table of reference_bootstrap.sh: each run's training-episode goal distance (the mean
distance of the agents to their goals at episode end) at the start, its largest, and at the
end, and the final 1000-episode greedy evaluation."""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f))


def main(out: Path) -> None:
    print("| run | goal_dist: first iteration | largest | last | greedy return "
          "| greedy goal_dist |")
    print("|---|---:|---:|---:|---:|---:|")
    for run in sorted(p for p in out.iterdir() if (p / "eval.csv").exists()):
        dist = [float(r["episode/goal_dist"]) for r in rows(run / "progress.csv")]
        final = rows(run / "eval.csv")[-1]
        print(f"| {run.name} | {dist[0]:.2f} | {max(dist):.2f} | {dist[-1]:.2f} | "
              f"{float(final['eval/return/agent']):.2f} | {float(final['eval/goal_dist']):.2f} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
