"""Same seed, same numbers: short seeded CPU runs of several training modes, trained by the
Arena source tree in the current directory, and a bit-for-bit comparison of two such sets.

    python docs/results/architecture/equivalence.py run OUT_DIR [--only NAME ...]
    python docs/results/architecture/equivalence.py compare DIR_A DIR_B

``run`` trains every case through the ``arena train`` command line (so it works on any tree
that has the same CLI and config keys) and writes ``OUT_DIR/<case>/{progress,eval}.csv`` and the
final checkpoint. ``compare`` checks every column of both CSV files except wall-clock ones
(``time/...``) for exact equality, and every tensor of the checkpoints' learners for
``torch.equal``. ``docs/results/architecture/equivalence.sh`` runs a reference commit and this
tree side by side.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

COMMON = ["time_limit=0", "log.progress=false", "log.tensorboard=false", "eval.gif=false",
          "eval.every=4", "eval.episodes=200", "log.checkpoint_every=1000"]

CASES: dict[str, list[str]] = {
    # simple_spread MAPPO, 200k env steps (16 iterations of 512 envs x 25 steps).
    "mappo_simple_spread": ["configs/coordination/simple_spread_mappo.yaml",
                            "total_steps=200000"],
    # GRPO (grouped resets, whole-episode rollouts), 200k env steps.
    "grpo_simple_spread": ["configs/coordination/simple_spread_grpo.yaml",
                           "total_steps=200000"],
    # breach population co-evolution with behaviour cloning: 3 generations of 10 iterations.
    "breach_population": ["configs/attack_defense/breach_coevolution.yaml",
                          "total_steps=384000", "pretrain.steps=100", "pretrain.num_envs=64"],
    # a frozen scripted team (attacker) and imitation regularization of the defenders.
    "breach_frozen_imitation": ["configs/attack_defense/breach_defender_vs_scripted.yaml",
                                "total_steps=128000", "pretrain.steps=100",
                                "pretrain.num_envs=64", "algo.imitation_coef=0.5"],
    # alternating updates of two trained teams.
    "breach_alternating": ["configs/attack_defense/breach_alternating.yaml",
                           "total_steps=128000", "coevolution.switch_every=3"],
    # a recurrent (SSM) policy trained on stored-memory sequences.
    "ssm_hidden_goal": ["configs/navigation/hidden_goal_ssm.yaml", "total_steps=102400",
                        "env.num_envs=256", "algo.seq_len=25"],
}


def run(out: Path, only: list[str]) -> None:
    for name, args in CASES.items():
        if only and name not in only:
            continue
        run_dir = out / name
        cmd = [sys.executable, "-m", "arena", "train", args[0], "--run-dir", str(run_dir),
               *args[1:], *COMMON]
        print(" ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open() as f:
        return list(csv.DictReader(f))


def compare_csv(a: Path, b: Path) -> list[str]:
    rows_a, rows_b = read_rows(a), read_rows(b)
    if len(rows_a) != len(rows_b):
        return [f"{a.name}: {len(rows_a)} rows vs {len(rows_b)}"]
    problems = []
    for i, (ra, rb) in enumerate(zip(rows_a, rows_b, strict=True)):
        keys = [k for k in {**ra, **rb} if not k.startswith("time/")]
        for k in keys:
            if ra.get(k) != rb.get(k):
                problems.append(f"{a.name} row {i} {k}: {ra.get(k)} vs {rb.get(k)}")
    return problems


def tensors(tree: Any, prefix: str = "") -> dict[str, Any]:
    import torch

    if isinstance(tree, torch.Tensor):
        return {prefix: tree}
    if isinstance(tree, dict):
        out: dict[str, Any] = {}
        for k, v in tree.items():
            out.update(tensors(v, f"{prefix}/{k}"))
        return out
    if isinstance(tree, (list, tuple)):
        out = {}
        for i, v in enumerate(tree):
            out.update(tensors(v, f"{prefix}/{i}"))
        return out
    return {}


def compare_checkpoints(a: Path, b: Path) -> list[str]:
    import torch

    ca = torch.load(a, weights_only=True)
    cb = torch.load(b, weights_only=True)
    problems = []
    for key in ("learners", "coevolution", "env", "memory", "torch_rng"):
        ta, tb = tensors(ca.get(key, {}), key), tensors(cb.get(key, {}), key)
        if set(ta) != set(tb):
            problems.append(f"checkpoint {key}: keys differ: {sorted(set(ta) ^ set(tb))[:6]}")
        problems += [f"checkpoint {k} differs" for k in ta if k in tb
                     and not torch.equal(ta[k], tb[k])]
    return problems


def compare(a: Path, b: Path) -> int:
    failed = 0
    names_a = {p.name for p in a.iterdir() if p.is_dir()}
    names_b = {p.name for p in b.iterdir() if p.is_dir()}
    for case in sorted(names_a ^ names_b):
        print(f"{case}: only in {a if case in names_a else b}")
    for case in sorted(names_a & names_b):
        problems = []
        for name in ("progress.csv", "eval.csv"):
            problems += compare_csv(a / case / name, b / case / name)
        problems += compare_checkpoints(a / case / "checkpoints" / "latest.pt",
                                        b / case / "checkpoints" / "latest.pt")
        rows = len(read_rows(a / case / "progress.csv"))
        status = "identical" if not problems else f"DIFFERENT ({len(problems)} mismatches)"
        print(f"{case}: {rows} progress rows, {status}")
        for p in problems[:10]:
            print("   ", p)
        failed += bool(problems)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    r.add_argument("--only", nargs="*", default=[])
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.cmd == "run":
        run(args.out, args.only)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
