"""The table of docs/attacks.md "Robust training on any PettingZoo env", printed from what
attacks_pettingzoo_robust.sh wrote (docs/results/attacks/mpe2_robust/): per seed, the naive and
the robust team's clean honest return, and under each attacker (the fresh one trained against
that team, the naive team's attacker, random actions) the ASR by the return-drop rule and the
honest agents' return.

--robust NAME and --naive NAME read the robust and the naive teams' reports NAME_s<seed>*.json
(default robust and naive; robust1200000 for ROBUST_STEPS=1200000, naive1200000 for
NAIVE_STEPS=1200000).

Usage: python docs/results/attacks_pettingzoo_robust_table.py [--robust NAME] [--naive NAME] [seeds...]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from attacks_robust_table import pct  # this folder: the script's own (sys.path[0])

R = Path(__file__).parent / "attacks" / "mpe2_robust"


def ret(r: dict) -> str:
    return f"{r['mean']:.2f} [{r['ci95_low']:.2f}, {r['ci95_high']:.2f}]"


def cells(report: dict, name: str) -> str:
    a = report["attackers"][name]
    return f"{pct(a['asr'])} | {ret(a['honest_return'])}"


def main(seeds: list[int], tag: str = "robust", ntag: str = "naive") -> None:
    print("| seed | team | clean honest return | fresh attacker: ASR | its honest return | "
          "naive team's attacker: ASR | its honest return | random: ASR | its honest return |\n"
          "|---|---|---|---|---|---|---|---|---|")
    for s in seeds:
        naive = json.loads((R / f"{ntag}_s{s}.json").read_text())
        robust = json.loads((R / f"{tag}_s{s}.json").read_text())
        cross_path = R / f"{tag}_s{s}_vs_{ntag}_attacker.json"
        cross = json.loads(cross_path.read_text()) if cross_path.exists() else None
        print(f"| {s} | {ntag} | {ret(naive['clean']['honest_return'])} | "
              f"{cells(naive, 'trained')} | {cells(naive, 'trained')} | {cells(naive, 'random')} |")
        crossed = cells(cross, "trained") if cross else "not run | "
        print(f"| {s} | {tag} | {ret(robust['clean']['honest_return'])} | "
              f"{cells(robust, 'trained')} | {crossed} | {cells(robust, 'random')} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    names = {"--robust": "robust", "--naive": "naive"}
    while args[:1] and args[0] in names:
        names[args[0]], args = args[1], args[2:]
    main([int(a) for a in args] or [0, 1, 2], names["--robust"], names["--naive"])
