"""The robust-training tables of docs/attacks.md, printed from the reports that
attacks_robust.sh, attacks_robust_crossplay.sh, attacks_robust_grpo.sh,
attacks_robust_navigation.sh (navigation and rendezvous), attacks_transport_long_episodes.sh,
attacks_transport_long_fresh.sh, attacks_transport_long_crossplay.sh,
attacks_transport_best_response.sh, attacks_transport_blocker_robust.sh,
attacks_simple_spread_honest.sh, attacks_simple_spread_best_response.sh,
attacks_rendezvous_honest*.sh, attacks_rendezvous_best_response.sh and
attacks_rendezvous_draw.sh write
(docs/results/attacks/*.json).

Usage: python docs/results/attacks_robust_table.py [seeds...]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

R = Path(__file__).parent / "attacks"


def pct(r: dict) -> str:
    return f"{100 * r['rate']:.1f}% [{100 * r['ci95_low']:.1f}, {100 * r['ci95_high']:.1f}]"


def load(name: str) -> dict | None:
    path = R / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def trained_asr(name: str) -> dict | None:
    """The trained attacker's ASR in report ``name``, or None when it is not on disk."""
    report = load(name)
    return report["attackers"]["trained"]["asr"] if report else None


def asr_cells(first: list[dict | None], others: list[str], own: dict) -> list[dict | None]:
    """``first``, then the trained ASR of each report in ``others``, then ``own``'s random
    and scripted saboteurs."""
    return [*first, *map(trained_asr, others),
            *(own["attackers"][k]["asr"] for k in ("random", "scripted"))]


def line(fields: list[str], cells: list[dict | None], worst: bool = True) -> str:
    """A table row: ``fields``, each cell as a percentage ("-" when absent), the worst."""
    tail = [pct(max((c for c in cells if c), key=lambda r: r["rate"]))] if worst else []
    return "| " + " | ".join([*fields, *(pct(c) if c else "-" for c in cells), *tail]) + " |"


def row(seed: int, team: str, naive: str, tag: str, extra: tuple[str, ...] = (),
        scenario: str = "transport") -> str | None:
    """One team of one seed: clean success, then the ASR of the fresh attacker trained
    against it, of each ``extra`` attacker (a report ``<scenario>_<tag>_fresh_<name>``; for
    the naive team ``<naive>_<name>``), of the naive team's attacker A, of random and
    scripted, and the worst. ``naive``: the report name of the naive team's own attack
    (``tag == "naive"``: that team; its fresh attacker is A)."""
    is_naive = tag == "naive"
    own = load(f"{naive}_seed{seed}" if is_naive else f"{scenario}_{tag}_fresh_seed{seed}")
    if own is None:
        return None
    fresh = own["attackers"]["trained"]["asr"]
    if is_naive:
        extras = [f"{naive}_{key}_seed{seed}" for key in extra]
    else:
        extras = [f"{scenario}_{tag}_fresh_{key}_seed{seed}" for key in extra]
    cells = asr_cells([fresh], extras, own)
    a_cell = fresh if is_naive else trained_asr(f"{scenario}_{tag}_vs_naive_attacker_seed{seed}")
    cells.insert(1 + len(extra), a_cell)
    return line([str(seed), team, pct(own["clean"]["success"])], cells)


def crossplay(seed: int, name: str = "transport_robust_crossplay") -> list[str]:
    data = load(f"{name}_seed{seed}")
    if data is None:
        return []
    names = [Path(d).name for d in data["defenders"]]
    lines = [f"seed {seed}:", "", "| attacker | " + " | ".join(names) + " |",
             "|---" * (len(names) + 1) + "|"]
    for a, cells in zip(data["attackers"], data["cells"], strict=True):
        lines.append(f"| {Path(a).name} | " + " | ".join(
            f"{100 * c['asr']:.1f}% [{100 * c['ci95_low']:.1f}, {100 * c['ci95_high']:.1f}]"
            for c in cells) + " |")
    worst = data["worst_case"]
    lines.append("| **worst case** | " + " | ".join(
        f"**{100 * worst[d]['asr']:.1f}%** ({Path(worst[d]['attacker']).name})"
        for d in data["defenders"]) + " |")
    return lines + [""]


def main(seeds: list[int]) -> None:
    print("| seed | team | clean honest success | fresh attacker: ASR | A: ASR | random: ASR "
          "| scripted: ASR | worst case |")
    print("|---|---|---|---|---|---|---|---|")
    for s in seeds:
        for team, tag in (("naive", "naive"), ("robust, population", "robust"),
                          ("robust, population + online", "robust_online"),
                          ("robust, online restarted every 12 generations",
                           "robust_restart12")):
            line = row(s, team, "transport_takeover1", tag)
            if line:
                print(line)
    print()
    for s in seeds:
        print("\n".join(crossplay(s)))
    grpo_table(seeds, "transport", (
        ("naive", "transport_grpo_takeover1", "naive"),
        ("naive, 3M steps (budget control)", "transport_grpo3m_takeover1", "naive"),
        ("robust, population + online", "", "robust_grpo"),
        ("robust, public baseline", "", "robust_grpo_public"),
        ("robust, MAPPO online attacker", "", "robust_grpo_mappo_online")))
    print()
    print("transport, GRPO, further variants (ONLINE_SHARE, PRIOR, SUFFIX):")
    grpo_table(seeds, "transport", (
        ("robust, MAPPO online attacker", "", "robust_grpo_mappo_online"),
        ("robust, MAPPO online attacker, share 1.0", "", "robust_grpo_mappo_online_share1.0"),
        ("robust, round 2 (round 1's fresh attackers as members)", "",
         "robust_grpo_mappo_online_round2"),
        ("robust, MAPPO online attacker, blocker member", "",
         "robust_grpo_mappo_online_blocker")))
    print()
    for scenario in ("navigation", "rendezvous"):
        print(f"{scenario} ([SCENARIO={scenario}] attacks_robust_navigation.sh, MAPPO, "
              "equal budgets):")
        print("| seed | team | clean honest success | fresh attacker: ASR | A: ASR "
              "| random: ASR | scripted: ASR | worst case |")
        print("|---|---|---|---|---|---|---|---|")
        for s in seeds:
            for team, tag in (("naive", "naive"), ("robust, population + online", "robust"),
                              ("robust, population only (TAG=_online0)", "robust_online0"),
                              ("robust, fraction 0.2 (TAG=_fraction0.2)", "robust_fraction0.2"),
                              ("robust, honest reward (TAG=_honest)", "robust_honest"),
                              ("robust, honest reward, fitness draw (TAG=_honest_fitness)",
                               "robust_honest_fitness")):
                line = row(s, team, f"{scenario}_naive_takeover1", tag, scenario=scenario)
                if line:
                    print(line)
        print()
    rendezvous_honest_table(seeds)
    print("simple_spread (SCENARIO=simple_spread):")
    grpo_table(seeds, "simple_spread", (
        ("naive", "simple_spread_grpo_takeover1", "naive"),
        ("robust, population + online", "", "robust_grpo"),
        ("robust, MAPPO online attacker", "", "robust_grpo_mappo_online")))
    print()
    simple_spread_honest_table(seeds)
    long_episodes_table(seeds)
    print()
    best_response_table(seeds)
    print()
    blocker_robust_table(seeds)


def rendezvous_honest_table(seeds: list[int]) -> None:
    """rendezvous, robust.honest_reward, with the fresh attackers of both objectives
    (attacks_rendezvous_honest.sh), at robust.fraction 0.5 and 0.9 (TAG=_honest_frac09), and
    without the online attacker (TAG=_honest_online0)."""
    print("rendezvous, robust.honest_reward (TAG=_honest; attacks_rendezvous_honest.sh):")
    print("| seed | team | clean honest success | fresh attacker (objective return): ASR "
          "| fresh attacker (objective honest_return): ASR | A: ASR | random: ASR "
          "| scripted: ASR | worst case |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in seeds:
        for team, name, own, vs_a in (
                ("naive", "naive", f"rendezvous_naive_takeover1_seed{s}", ""),
                ("robust, honest reward", "robust_honest",
                 f"rendezvous_robust_honest_fresh_seed{s}",
                 f"rendezvous_robust_honest_vs_naive_attacker_seed{s}"),
                ("robust, honest reward, fraction 0.9", "robust_honest_frac09",
                 f"rendezvous_robust_honest_frac09_fresh_seed{s}",
                 f"rendezvous_robust_honest_frac09_vs_naive_attacker_seed{s}"),
                ("robust, honest reward, no online attacker", "robust_honest_online0",
                 f"rendezvous_robust_honest_online0_fresh_seed{s}",
                 f"rendezvous_robust_honest_online0_vs_naive_attacker_seed{s}")):
            report = load(own)
            if report is None:
                continue
            fresh = report["attackers"]["trained"]["asr"]
            cells = asr_cells([fresh, trained_asr(f"rendezvous_{name}_honest_attacker_seed{s}"),
                               trained_asr(vs_a) if vs_a else fresh], [], report)
            print(line([str(s), team, pct(report["clean"]["success"])], cells))
    print()
    for n in (2, 3, 4):
        rendezvous_round_table(seeds, n)
    print("rendezvous, a fifth round's members by draw (attacks_rendezvous_draw.sh):")
    print("| seed | robust.draw | clean honest success | F4: ASR | F3: ASR | F2: ASR "
          "| random: ASR | scripted: ASR | worst case |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in seeds:
        for draw in ("uniform", "fitness"):
            report = load(f"rendezvous_draw_{draw}_vs_f4_seed{s}")
            if report:
                cells = asr_cells([report["attackers"]["trained"]["asr"]],
                                  [f"rendezvous_draw_{draw}_vs_f{i}_seed{s}" for i in (3, 2)],
                                  report)
                print(line([str(s), draw, pct(report["clean"]["success"])], cells))
    print()
    one_attacker_table("rendezvous, a best response to F4 (attacks_rendezvous_best_response.sh):",
                       "F4", seeds, (("best response to F4, 2M steps",
                                      "rendezvous_best_response_f4_seed{s}"),))


def rendezvous_round_table(seeds: list[int], n: int) -> None:
    """Round ``n`` of robust.honest_reward on rendezvous (attacks_rendezvous_honest_round.sh):
    the fresh attacker F_n, every earlier F_i and A against G_n."""
    print(f"rendezvous, robust.honest_reward, round {n} "
          f"(ROUND={n} attacks_rendezvous_honest_round.sh):")
    earlier = [f"F{i}: ASR" for i in range(n - 1, 0, -1)]
    print(f"| seed | team | clean honest success | fresh attacker F{n} (honest_return, {n}M): "
          f"ASR | {' | '.join(earlier)} | A: ASR | random: ASR | scripted: ASR | worst case |")
    print("|---|---|---|" + "---|" * (len(earlier) + 5))
    for s in seeds:
        report = load(f"rendezvous_robust_honest_r{n}_fresh_seed{s}")
        if report is None:
            continue
        others = [f"rendezvous_robust_honest_r{n}_vs_round{i}_seed{s}"
                  for i in range(n - 1, 0, -1)]
        cells = asr_cells([report["attackers"]["trained"]["asr"]],
                          [*others, f"rendezvous_robust_honest_r{n}_vs_naive_attacker_seed{s}"],
                          report)
        print(line([str(s), f"G{n} (round {n}, {n}M steps)", pct(report["clean"]["success"])],
                   cells))
    print()


def long_episodes_table(seeds: list[int]) -> None:
    """Transport with 450-step episodes: naive and robust MAPPO teams (and robust ones whose
    online attacker restarts, RESTART=8) against fresh attackers
    (MAPPO with the team's budget, 3M, and twice it; GRPO with 3M), random and the blocker;
    then the robust teams at the standard 150-step limit against a fresh attacker trained there."""
    print("transport, max_steps=450 (attacks_transport_long_*.sh, MAPPO teams):")
    print("| seed | team | clean honest success | fresh MAPPO (3M): ASR | fresh MAPPO (6M): ASR "
          "| fresh GRPO (3M): ASR | random: ASR | scripted: ASR | worst case |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in seeds:
        for team, label in (("naive", "naive"), ("robust", "robust"),
                            ("robust_restart8", "robust, online attacker restarted every 8 "
                                                "generations")):
            own = load(f"transport_long450_{team}_fresh_seed{s}")
            if own is None:
                continue
            cells = asr_cells([own["attackers"]["trained"]["asr"]],
                              [f"transport_long450_{team}_fresh_{tag}_seed{s}"
                               for tag in ("x2", "grpo")], own)
            print(line([str(s), label, pct(own["clean"]["success"])], cells))
    print()
    for s in seeds:
        print("\n".join(crossplay(s, "transport_long450_crossplay")))
    print("the robust 450-step teams at max_steps=150, a fresh attacker trained at 150:")
    print("| seed | clean honest success | fresh attacker: ASR | random: ASR | scripted: ASR |")
    print("|---|---|---|---|---|")
    for s in seeds:
        at = load(f"transport_long450_robust_fresh_at150_seed{s}")
        if at is not None:
            print(f"| {s} | {pct(at['clean']['success'])} | " + " | ".join(
                pct(at["attackers"][k]["asr"]) for k in ("trained", "random", "scripted"))
                + " |")


def best_response_table(seeds: list[int]) -> None:
    """Teams trained as the best response to one learned blocker B at 150 steps
    (attacks_transport_best_response.sh): B's ASR against the team it was trained on, then
    against the best-response team at 150 and 450 steps, a fresh attacker's, random's and
    the scripted blocker's."""
    print("transport, 150 steps: best responses to a learned blocker B "
          "(attacks_transport_best_response.sh):")
    print("| seed | team | clean honest success | B vs its own victim: ASR | B: ASR "
          "| B, 450 steps: ASR | fresh MAPPO (3M): ASR | random: ASR | scripted: ASR |")
    print("|---|---|---|---|---|---|---|---|---|")
    variants = (("best_response", "best response, B in half of the envs, 3M"),
                ("best_response_6000000_f1.0", "best response, B in every env, 6M"))
    for s in seeds:
        b = load(f"transport_long450_robust_restart8_fresh_at150_seed{s}")
        for tag, label in variants:
            own = load(f"transport_{tag}_seed{s}")
            if b is None or own is None:
                continue
            first = [b["attackers"]["trained"]["asr"], own["attackers"]["trained"]["asr"]]
            cells = asr_cells(first, [f"transport_{tag}_450_seed{s}",
                                      f"transport_{tag}_fresh_seed{s}"], own)
            print(line([str(s), label, pct(own["clean"]["success"])], cells, worst=False))


def blocker_robust_table(seeds: list[int]) -> None:
    """Robust teams trained against a learned blocker B and deserter D, and an online
    attacker (attacks_transport_blocker_robust.sh), for 9M and 15M env steps: B's, D's, the
    team's final online attacker's, a fresh attacker's (with the team's budget), random's and
    the scripted blocker's ASR, and the worst."""
    print("transport, 150 steps: robust training with B and D as members "
          "(attacks_transport_blocker_robust.sh):")
    print("| seed | budget | clean honest success | B: ASR | D: ASR | online attacker: ASR "
          "| fresh MAPPO (same budget): ASR | random: ASR | scripted: ASR | worst case |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in seeds:
        for tag, budget in (("blocker_robust", "9M"), ("blocker_robust_15000000", "15M")):
            own = load(f"transport_{tag}_vs_B_seed{s}")  # B against the team
            if own is None:
                continue
            others = [f"transport_{tag}_{who}_seed{s}" for who in ("vs_D", "online", "fresh")]
            cells = asr_cells([own["attackers"]["trained"]["asr"]], others, own)
            print(line([str(s), budget, pct(own["clean"]["success"])], cells))


def simple_spread_honest_table(seeds: list[int]) -> None:
    """simple_spread, robust.honest_reward, attackers on the honest_return objective
    (attacks_simple_spread_honest.sh)."""
    print("simple_spread, robust.honest_reward (attacks_simple_spread_honest.sh, GRPO):")
    print("| seed | team | clean honest success | fresh attacker (honest_return): ASR "
          "| AH: ASR | random: ASR | scripted: ASR | worst case |")
    print("|---|---|---|---|---|---|---|---|")
    for s in seeds:
        for team, own, vs_ah in (
                ("naive", f"simple_spread_naive_honest_attacker_seed{s}", ""),
                ("robust, honest reward", f"simple_spread_robust_honest_fresh_seed{s}",
                 f"simple_spread_robust_honest_vs_naive_attacker_seed{s}")):
            report = load(own)
            if report is None:
                continue
            fresh = report["attackers"]["trained"]["asr"]
            cells = asr_cells([fresh, trained_asr(vs_ah) if vs_ah else fresh], [], report)
            print(line([str(s), team, pct(report["clean"]["success"])], cells))
    print()
    one_attacker_table(
        "simple_spread, best responses (attacks_simple_spread_best_response.sh):", "AH", seeds,
        (("BA, best response to AH", "simple_spread_best_response_ah_seed{s}"),
         ("BS, best response to the scripted saboteur",
          "simple_spread_best_response_scripted_seed{s}"),
         ("BS, 15M steps", "simple_spread_best_response_scripted_15000000_seed{s}")))


def one_attacker_table(title: str, attacker: str, seeds: list[int],
                       teams: tuple[tuple[str, str], ...]) -> None:
    """Teams each evaluated against one trained ``attacker``: ``(team, report name with
    {s} for the seed)`` rows of every seed, with the random and scripted saboteurs."""
    print(title)
    print(f"| seed | team | clean honest success | {attacker}: ASR | random: ASR "
          "| scripted: ASR |")
    print("|---|---|---|---|---|---|")
    for s in seeds:
        for team, name in teams:
            report = load(name.format(s=s))
            if report:
                cells = asr_cells([report["attackers"]["trained"]["asr"]], [], report)
                print(line([str(s), team, pct(report["clean"]["success"])], cells, worst=False))
    print()


def grpo_table(seeds: list[int], scenario: str, teams: tuple[tuple[str, str, str], ...]
               ) -> None:
    """The GRPO table of ``scenario``: ``(team, naive report, tag)`` rows of every seed, with
    the fresh MAPPO attacker beside the fresh GRPO one."""
    print("| seed | team (GRPO) | clean honest success | fresh GRPO attacker: ASR "
          "| fresh MAPPO attacker: ASR | A: ASR | random: ASR | scripted: ASR | worst case |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in seeds:
        for team, naive, tag in teams:
            line = row(s, team, naive, tag, ("mappo",), scenario)
            if line:
                print(line)

if __name__ == "__main__":
    main([int(s) for s in sys.argv[1:]] or [0, 1, 2])
