"""The tables of docs/communication.md from run.sh's `arena report` JSONs: per scenario and
method, the final greedy and sampled success and return, mean over seeds with Student-t 95%
intervals, and each seed's greedy success and return. Usage: python table.py"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).parent
TEAMS = {"speaker_listener": "listener", "reference": "agent", "scouts": "agent"}


def cell(report: dict, method: str, digits: int) -> str:
    (r,) = report["per_task"][method].values()
    return f"{r['value']:.{digits}f} [{r['ci95_low']:.{digits}f}, {r['ci95_high']:.{digits}f}]"


def per_seed(runs: list[str], column: str) -> str:
    """The final evaluation of each run (its last ``eval.csv`` row)."""
    values = []
    for run in runs:
        with open(Path(run) / "eval.csv") as f:
            values.append(float(list(csv.DictReader(f))[-1][column]))
    return ", ".join(f"{v:.2f}" for v in values)


def main() -> None:
    for task, team in TEAMS.items():
        columns = {"success": "eval_success", "sampled success": "eval_sampled_success",
                   "return": f"eval_return_{team}", "sampled return": f"eval_sampled_return_{team}"}
        rows = []
        for method in ("nocomm", "channel", "tarmac", "graph"):
            paths = {k: HERE / f"{task}_{method}_{v}.json" for k, v in columns.items()}
            if not all(p.exists() for p in paths.values()):
                continue
            reports = {k: json.loads(p.read_text()) for k, p in paths.items()}
            seeds = len(reports["success"]["methods"][method])
            cells = [cell(r, method, 3 if "success" in k else 2) for k, r in reports.items()]
            runs = reports["success"]["methods"][method]
            rows.append(f"| {method} | {seeds} | " + " | ".join(cells)
                        + f" | {per_seed(runs, 'eval/success')}"
                        + f" | {per_seed(runs, f'eval/return/{team}')} |")
        if rows:
            print(f"\n{task}\n| method | seeds | " + " | ".join(columns)
                  + " | success per seed | return per seed |")
            print("|---|---:|" + "---|" * (len(columns) + 2))
            print("\n".join(rows))


if __name__ == "__main__":
    main()
