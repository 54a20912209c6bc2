"""The cross-play tables of docs/attacks.md's "Growing the population" section: the ASR
[95% Wilson interval] of every attacker against the 15M blocker-aware team, its control run on
to 21M with the same members, and the teams grown with their fresh attackers (G21 after one
round, G27 after two), per seed, from
docs/results/attacks/transport_blocker_grown_<STEPS>_crossplay_seed<s>.json.

Usage: python docs/results/attacks_grown_table.py [--steps N] [seeds...] (default 21000000; 0 1)"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

RESULTS = Path(__file__).parent / "attacks"
LABELS = [  # (pattern on the attacker's path (its last group: the seed of the run), label;
    #  {m}: the millions of env steps of a grown team)
    (r"long450_transport_seed(\d)_takeover1_at150$", "B"),
    (r"best_response_transport_seed(\d)_takeover1$", "D"),
    (r"blocker_robust_transport_seed(\d)_takeover1$", "F9"),
    (r"blocker_robust_15000000_transport_seed(\d)_takeover1$", "F15"),
    (r"blocker_grown_(?P<m>\d+)000000_transport_seed(\d)_takeover1$", "fresh vs G{m}"),
    (r"blocker_grown_(?P<m>\d+)000000_transport_seed(\d)/population/attacker_online.pt$",
     "G{m}'s online"),
    (r"blocker_robust_\d+_transport_seed(\d)/population/attacker_online.pt$", "C's online"),
]


def label(attacker: str, seed: int) -> str:
    for pattern, name in LABELS:
        found = re.search(pattern, attacker)
        if found:
            other = int(found.group(found.lastindex or 1))
            name = name.format(**found.groupdict())
            return name if other == seed else f"{name} of seed {other} (never met)"
    return attacker


def defender(path: str) -> str:
    grown = re.search(r"blocker_grown_(\d+)000000_", path)
    if grown:
        return f"G{grown.group(1)} (grown, {grown.group(1)}M)"
    return "15M team" if "15000000" in path else "C (control, 21M)"


def table(seed: int, steps: int = 21_000_000) -> str:
    data = json.loads((RESULTS / f"transport_blocker_grown_{steps}_crossplay_seed{seed}.json")
                      .read_text())
    head = ["attacker", *(defender(d) for d in data["defenders"])]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for name, row in zip(data["attackers"], data["cells"], strict=True):
        cells = [f"{c['asr']:.1%} [{c['ci95_low']:.1%}, {c['ci95_high']:.1%}]".replace("%", "")
                 for c in row]
        lines.append(f"| {label(name, seed)} | " + " | ".join(cells) + " |")
    worst = [f"**{data['worst_case'][d]['asr']:.1%}**".replace("%", "")
             for d in data["defenders"]]
    lines.append("| worst case | " + " | ".join(worst) + " |")
    return f"Seed {seed} (ASR in %, 1000 episodes per cell):\n\n" + "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=21_000_000)
    parser.add_argument("seeds", type=int, nargs="*", default=[0, 1])
    args = parser.parse_args()
    print("\n\n".join(table(s, args.steps) for s in args.seeds))
