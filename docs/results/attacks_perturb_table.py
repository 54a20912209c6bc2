"""The observation-perturbation tables of docs/attacks.md (naive and robust navigation teams),
printed from the ``arena eval`` reports that attacks_perturb.sh and attacks_perturb_robust.sh
write (docs/results/attacks/navigation[_robust]_perturb1_eps*.json).

Usage: python docs/results/attacks_perturb_table.py"""

from __future__ import annotations

import json
from pathlib import Path

R = Path(__file__).parent / "attacks"
EPSILONS = ("0.02", "0.05", "0.1", "0.2", "0.5")


def pct(r: dict) -> str:
    return f"{100 * r['rate']:.1f}% [{100 * r['ci95_low']:.1f}, {100 * r['ci95_high']:.1f}]"


def drop(r: dict) -> str:
    return f"{r['mean']:.2f} [{r['ci95_low']:.2f}, {r['ci95_high']:.2f}]"


def main() -> None:
    print("| team | epsilon | clean success | trained: ASR | uniform noise: ASR "
          "| gradient sign: ASR | trained: return drop |")
    print("|---|---|---|---|---|---|---|")
    for team, prefix in (("naive", "navigation_perturb1"),
                         ("robust", "navigation_robust_perturb1")):
        for eps in EPSILONS:
            path = R / f"{prefix}_eps{eps}.json"
            if not path.exists():
                continue
            d = json.loads(path.read_text())
            a = d["attackers"]
            print(f"| {team} | {eps} | {pct(d['clean']['success'])} | {pct(a['trained']['asr'])} "
                  f"| {pct(a['random']['asr'])} | {pct(a['gradient']['asr'])} "
                  f"| {drop(a['trained']['return_drop'])} |")


if __name__ == "__main__":
    main()
