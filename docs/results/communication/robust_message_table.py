"""The table of docs/communication.md "Robust training against injection": for each seed, the
naive team (message_attack.sh) and the robust team (robust_message.sh) under their fresh
injectors and random tokens, from the `arena eval` JSONs.
Usage: python docs/results/communication/robust_message_table.py [seeds...]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent


def rate(r: dict[str, float]) -> str:
    return f"{100 * r['rate']:.1f}% [{100 * r['ci95_low']:.1f}, {100 * r['ci95_high']:.1f}]"


def mean(r: dict[str, float]) -> str:
    return f"{r['mean']:.2f} [{r['ci95_low']:.2f}, {r['ci95_high']:.2f}]"


def main(seeds: list[str]) -> None:
    print("| seed | team | clean success | ASR, fresh injector | ASR among clean successes: "
          "fresh injector | random tokens | return drop: fresh injector | random tokens |")
    print("|---|---|---|---|---|---|---|---|")
    for s in seeds:
        for team, name in (("naive", "message1"), ("robust", "robust_message1")):
            path = HERE / f"speaker_listener_{name}_s{s}.json"
            if not path.exists():
                continue
            d = json.loads(path.read_text())
            t, r = d["attackers"]["trained"], d["attackers"]["random"]
            print(f"| {s} | {team} | {rate(d['clean']['success'])} | {rate(t['asr'])} | "
                  f"{rate(t['asr_among_clean_successes'])} | "
                  f"{rate(r['asr_among_clean_successes'])} | {mean(t['return_drop'])} | "
                  f"{mean(r['return_drop'])} |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["0", "1", "2"])
