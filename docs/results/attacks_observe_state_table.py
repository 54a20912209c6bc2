"""The tables of docs/attacks.md's "An insider that sees the whole team" and "The saboteur as a
warm start": per seed, the naive navigation team's clean success and, for each attacker, the
ASR and return drop of the trained takeover attacker, with the random and scripted saboteurs'
ASR (the same 1000 seeds), from the JSON that docs/results/attacks_observe_state.sh (or
attacks_navigation_saboteur_start.sh) writes, ``<stem>_seed<s>.json``.

Usage: python docs/results/attacks_observe_state_table.py [seeds...] (default 0 1 2)
         [--rows LABEL=STEM ...] (default: own=navigation_observe_own
         state=navigation_observe_state)"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from attacks_robust_table import pct as rate  # this folder: the script's own (sys.path[0])

RESULTS = Path(__file__).parent / "attacks"
OBSERVE = ["own=navigation_observe_own", "state=navigation_observe_state"]


def mean(x: dict[str, Any]) -> str:
    return f"{x['mean']:.2f} [{x['ci95_low']:.2f}, {x['ci95_high']:.2f}]"


def row(seed: str, label: str, stem: str) -> str:
    data = json.loads((RESULTS / f"{stem}_seed{seed}.json").read_text())
    trained, others = data["attackers"]["trained"], data["attackers"]
    cells = [seed, label, rate(data["clean"]["success"]), rate(trained["asr"]),
             mean(trained["return_drop"]), rate(others["random"]["asr"]),
             rate(others["scripted"]["asr"])]
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("seeds", nargs="*", default=["0", "1", "2"])
    parser.add_argument("--rows", nargs="+", default=OBSERVE, metavar="LABEL=STEM")
    args = parser.parse_args()
    rows = [r.split("=", 1) for r in args.rows]
    header = "attacker observes" if args.rows == OBSERVE else "attacker"
    print(f"| seed | {header} | clean success | trained attacker: ASR | its return drop "
          "| random: ASR | scripted: ASR |")
    print("|---" * 7 + "|")
    for s in args.seeds:
        for label, stem in rows:
            print(row(s, label, stem))
