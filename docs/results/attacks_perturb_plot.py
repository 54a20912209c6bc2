"""ASR against epsilon of the observation-perturbation attacks (docs/attacks.md), from the
``arena eval`` reports ``navigation_perturb1_eps*.json`` (the naively trained team) and, when
present, ``navigation_robust_perturb1_eps*.json`` (the team trained with ``robust.kind:
perturb``), with Wilson 95% intervals.

Usage: python docs/results/attacks_perturb_plot.py RESULTS_DIR OUT.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {"trained": "trained perturbation", "random": "uniform noise",
          "gradient": "gradient sign (FGSM)"}
TEAMS = {"navigation_perturb1": ("naive team", "-"),
         "navigation_robust_perturb1": ("robust team", "--")}


def _reports(results: Path, prefix: str) -> list[dict]:
    return sorted((json.loads(p.read_text()) for p in results.glob(f"{prefix}_eps*.json")),
                  key=lambda r: r["epsilon"])


def main(results: Path, out: Path) -> None:
    teams = {prefix: _reports(results, prefix) for prefix in TEAMS}
    if not teams["navigation_perturb1"]:
        raise SystemExit(f"{results}: no navigation_perturb1_eps*.json reports")
    fig, ax = plt.subplots(figsize=(7.2, 4.6))
    for prefix, reports in teams.items():
        if not reports:
            continue
        team, style = TEAMS[prefix]
        eps = [r["epsilon"] for r in reports]
        clean = [1 - r["clean"]["success"]["rate"] for r in reports]
        ax.plot(eps, clean, "k" + (":" if style == "-" else "-."), alpha=0.6,
                label=f"{team}: no attack (1 - clean success)")
        for k, (name, label) in enumerate(LABELS.items()):
            rows = [r["attackers"][name] for r in reports]
            if any("unavailable" in row for row in rows):
                continue
            y = [row["asr"]["rate"] for row in rows]
            low = [row["asr"]["rate"] - row["asr"]["ci95_low"] for row in rows]
            high = [row["asr"]["ci95_high"] - row["asr"]["rate"] for row in rows]
            ax.errorbar(eps, y, yerr=[low, high], marker="o", capsize=3, linestyle=style,
                        color=f"C{k}", label=f"{team}: {label}")
        ax.set_xscale("log")
        ax.set_xticks(eps, [f"{e:g}" for e in eps])
    ax.minorticks_off()
    ax.set_xlabel("epsilon (L-inf bound on one agent's observation)")
    ax.set_ylabel("attack success rate (task fails)")
    ax.set_ylim(0, 1)
    ax.set_title("navigation (4 agents), MAPPO teams, k = 1")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
