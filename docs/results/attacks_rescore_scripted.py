"""Re-score the scripted saboteur in the transport attack reports (docs/results/attacks/).

On 2026-12-03 transport's scripted saboteur changed from the generic rammer (ram the nearest
honest teammate) to a blocker (the scripted pusher with the goal reversed; envs/coordination/
transport.py). This script re-evaluates only that baseline in every transport report whose
runs are still on disk, 1000 episodes on the report's seeds and slots as before, and replaces
its ``scripted`` entry; the rammer's entry is kept as ``scripted_rammer``. The victim of a
``*_vs_naive_attacker_*`` report is the robust team ``runs/<TAG>_transport_seed<s>``. As a
check that the victim is the one the report was made against, the re-evaluated clean success
and honest return must equal the report's exactly (seeded CPU evaluation is bit-reproducible);
a report that fails the check, or whose runs are gone, is left as it is and listed.

Usage: python docs/results/attacks_rescore_scripted.py"""

from __future__ import annotations

import json
import re
from pathlib import Path

from arena.evaluation.attacks import evaluate_attack

R = Path(__file__).parent / "attacks"
VS_NAIVE = re.compile(r"transport_(?P<tag>.+)_vs_naive_attacker_seed(?P<seed>\d+)\.json")


def victim_of(path: Path, report: dict) -> str | None:
    """The victim run to evaluate against (None: the attack run's own victim)."""
    m = VS_NAIVE.fullmatch(path.name)
    return f"runs/{m['tag']}_transport_seed{m['seed']}" if m else None


def rescore(path: Path) -> str:
    report = json.loads(path.read_text())
    if report.get("kind") != "takeover":
        return "not a takeover report"
    if "scripted_rammer" in report["attackers"]:
        return "done before"
    run, victim = report["run"], victim_of(path, report)
    if not Path(run).is_dir() or (victim and not Path(victim).is_dir()):
        return "runs not on disk: kept"
    new = evaluate_attack(run, report["episodes"], victim=victim, attackers=("scripted",))
    if new.clean != report["clean"]:
        return f"clean differs ({new.clean['success']['rate']} vs " \
               f"{report['clean']['success']['rate']}): kept"
    attackers = report["attackers"]
    attackers["scripted_rammer"] = attackers["scripted"]
    attackers["scripted"] = new.attackers["scripted"]
    path.write_text(json.dumps(report, indent=2))
    old, now = attackers["scripted_rammer"]["asr"]["rate"], attackers["scripted"]["asr"]["rate"]
    return f"scripted ASR {100 * old:.1f}% (rammer) -> {100 * now:.1f}% (blocker)"


def main() -> None:
    for path in sorted(R.glob("transport_*.json")):
        print(f"{path.name}: {rescore(path)}", flush=True)


if __name__ == "__main__":
    main()
