"""The second-round table of docs/attacks.md's "On navigation with continuous actions": per seed,
the grown team G (attacks_navigation_grown.sh) with its clean success and the ASR of its fresh
attacker F2, of the first-round attackers A (the naive team's) and F (the first-round team's
fresh one), of random actions and of the rammer, then the worst case. A seed whose reports are
missing is left out.

Usage: python docs/results/attacks_navigation_grown_table.py [seeds...] (default 0 1 2)
         [--suffix _continuous_steps2560000] (the reports' suffix: VTAG and STEPS)"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from attacks_navigation_learned_rammer_table import asr_cells  # this folder (sys.path[0])

RESULTS = Path(__file__).parent / "attacks"
STEM = "navigation_rammer_robust_honest_plus_grown"


def load(name: str, suffix: str, seed: str) -> dict[str, Any] | None:
    path = RESULTS / f"{STEM}_{name}{suffix}_seed{seed}.json"
    return json.loads(path.read_text()) if path.exists() else None


def row(seed: str, suffix: str) -> str | None:
    names = ("saboteur_start_honest_return_x1", "vs_naive_honest_return_attacker",
             "vs_first_round_honest_return_attacker")
    reports = [load(name, suffix, seed) for name in names]
    fresh = reports[0]
    if fresh is None:
        return None
    return "| " + " | ".join([seed, *asr_cells(fresh, reports)]) + " |"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("seeds", nargs="*", default=["0", "1", "2"])
    parser.add_argument("--suffix", default="_continuous_steps2560000")
    args = parser.parse_args()
    print("| seed | G: clean honest success | fresh attacker F2 (rammer start, honest reward, "
          "G's budget): ASR | A: ASR | F: ASR | random: ASR | scripted (rammer): ASR | "
          "worst case |")
    print("|---" * 8 + "|")
    for s in args.seeds:
        line = row(s, args.suffix)
        if line:
            print(line)
