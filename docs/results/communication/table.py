"""The tables of docs/communication.md from run.sh's `arena report` JSONs: per scenario and
method, the final greedy and sampled success and return, mean over seeds with Student-t 95%
intervals. Usage: python table.py"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
TEAMS = {"speaker_listener": "listener", "reference": "agent", "scouts": "agent"}


def cell(report: dict, method: str, digits: int) -> str:
    (r,) = report["per_task"][method].values()
    return f"{r['value']:.{digits}f} [{r['ci95_low']:.{digits}f}, {r['ci95_high']:.{digits}f}]"


def main() -> None:
    for task, team in TEAMS.items():
        files = {"success": f"eval_success", "sampled success": "eval_sampled_success",
                 "return": f"eval_return_{team}", "sampled return": f"eval_sampled_return_{team}"}
        reports = {k: json.loads((HERE / f"{task}_{v}.json").read_text())
                   for k, v in files.items() if (HERE / f"{task}_{v}.json").exists()}
        if not reports:
            continue
        first = next(iter(reports.values()))
        print(f"\n{task}\n| method | seeds | " + " | ".join(reports) + " |")
        print("|---|---:|" + "---|" * len(reports))
        for method, runs in first["methods"].items():
            cells = [cell(r, method, 3 if "success" in k else 2) for k, r in reports.items()]
            print(f"| {method} | {len(runs)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
