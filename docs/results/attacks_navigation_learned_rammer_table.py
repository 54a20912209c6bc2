"""The table of docs/attacks.md's "On navigation against the learned rammer": per seed and team
(naive; trained against the rammer on the honest reward; trained against the rammer and A on
the honest reward, with sampled or greedy members, with navigation's hold_bonus at 0.5, or in
a quarter of the envs), the clean success and the ASR of a fresh attacker from scratch, of a
fresh attacker started from the rammer and trained on the honest reward, of A (the naive
team's such attacker), of random actions and of the rammer, then the worst case. From the JSON that
docs/results/attacks_navigation_saboteur_start.sh writes (OBJECTIVE=honest_return, DEFENSE=1
HONEST=1 [PLUS=1]) and the `arena eval A --victim TEAM` reports named in attacks.md. A team
whose reports are missing is left out.

Usage: python docs/results/attacks_navigation_learned_rammer_table.py [seeds...] (default 0 1 2)
         [--suffix _steps<STEPS>] (the reports of a run with another STEPS)"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from attacks_robust_table import pct  # this folder: the script's own (sys.path[0])

RESULTS = Path(__file__).parent / "attacks"
VS_A = "vs_naive_honest_return_attacker"


def defended(label: str, tag: str) -> tuple[str, str, str, str]:
    """A team trained against the rammer (``tag``: its variant): its reports' stems."""
    stem = f"navigation_rammer_robust_honest{tag}"
    return (label, f"{stem}_scratch", f"{stem}_saboteur_start_honest_return_x1",
            f"{stem}_{VS_A}")


TEAMS = [  # label, from-scratch stem, rammer-started stem, A's stem (None: the started one)
    ("naive", "navigation_scratch_takeover1", "navigation_saboteur_start_honest_return_x1", None),
    defended("trained against the rammer, honest reward", ""),
    defended("trained against the rammer and A, honest reward", "_plus"),
    defended("trained against the rammer and A, greedy members, honest reward", "_plus_greedy"),
    defended("trained against the rammer and A, honest reward with hold_bonus 0.5",
             "_plus_hold05"),
    defended("trained against the rammer and A, honest reward, in a quarter of the envs",
             "_plus_frac025"),
]


def load(stem: str, suffix: str, seed: str) -> dict[str, Any] | None:
    path = RESULTS / f"{stem}{suffix}_seed{seed}.json"
    return json.loads(path.read_text()) if path.exists() else None


def row(seed: str, suffix: str, label: str, scratch: str, start: str,
        a: str | None) -> str | None:
    reports = [load(stem, suffix, seed) for stem in (scratch, start, a or start)]
    if any(r is None for r in reports[:2]):
        return None
    first = reports[0]
    assert first is not None
    return "| " + " | ".join([seed, label, *asr_cells(first, reports)]) + " |"


def asr_cells(first: dict[str, Any], reports: list[dict[str, Any] | None]) -> list[str]:
    """The clean success of ``first``'s report, the ASR of each report's trained attacker
    ("-" where a report is missing), ``first``'s random and scripted ASR, and the worst case."""
    attackers = [r["attackers"]["trained"]["asr"] if r else None for r in reports]
    attackers += [first["attackers"]["random"]["asr"], first["attackers"]["scripted"]["asr"]]
    worst = max((x for x in attackers if x), key=lambda x: x["rate"])
    return [pct(first["clean"]["success"]), *(pct(x) if x else "-" for x in attackers),
            f"**{pct(worst)}**"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("seeds", nargs="*", default=["0", "1", "2"])
    parser.add_argument("--suffix", default="")
    args = parser.parse_args()
    print("| seed | team | clean honest success | fresh attacker (scratch): ASR | fresh attacker "
          "(rammer start, honest reward): ASR | A: ASR | random: ASR | scripted (rammer): ASR "
          "| worst case |")
    print("|---" * 9 + "|")
    for s in args.seeds:
        for team in TEAMS:
            line = row(s, args.suffix, *team)
            if line:
                print(line)
