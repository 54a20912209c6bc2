"""The table of docs/attacks.md's "An insider that sees the whole team": per seed, the naive
navigation team's clean success and the ASR and return drop of its takeover attacker that
observes its own agent and of the one that also observes the global state, with the random and
scripted saboteurs' ASR (the same 1000 seeds), from the JSON that
docs/results/attacks_observe_state.sh writes.

Usage: python docs/results/attacks_observe_state_table.py [seeds...] (default 0 1 2)"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from attacks_robust_table import pct as rate  # this folder: the script's own (sys.path[0])

RESULTS = Path(__file__).parent / "attacks"


def mean(x: dict[str, Any]) -> str:
    return f"{x['mean']:.2f} [{x['ci95_low']:.2f}, {x['ci95_high']:.2f}]"


def row(seed: str, observe: str) -> str:
    data = json.loads((RESULTS / f"navigation_observe_{observe}_seed{seed}.json").read_text())
    trained, others = data["attackers"]["trained"], data["attackers"]
    cells = [seed, observe, rate(data["clean"]["success"]), rate(trained["asr"]),
             mean(trained["return_drop"]), rate(others["random"]["asr"]),
             rate(others["scripted"]["asr"])]
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    print("| seed | attacker observes | clean success | trained attacker: ASR | its return drop "
          "| random: ASR | scripted: ASR |")
    print("|---" * 7 + "|")
    for s in sys.argv[1:] or ["0", "1", "2"]:
        print(row(s, "own"))
        print(row(s, "state"))
