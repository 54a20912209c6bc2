"""Training iterations with glibc's allocator defaults against ``keep_freed_memory`` (the run
config's key, on by default), each setting in its own process (the setting is process-wide),
alternated for ``--rounds`` rounds. Per process: mean wall-clock of ``--iterations`` timed
iterations (collection + update, after 2 untimed), minor page faults and kernel time per
iteration, and peak resident memory.

    python docs/results/allocator/keep_freed_memory.py --rounds 5 \
        --json docs/results/allocator/ab.json
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time

MAPPO_BENCH = {  # arena bench --training's matched MAPPO row (per-agent critic)
    "env.id": "coordination/simple_spread-v0", "env.num_envs": 1024, "env.kwargs": {"N": 3},
    "rollout_steps": 25, "policy.hidden_sizes": [64, 64], "policy.activation": "tanh",
    "policy.feature_norm": False, "algo.name": "mappo", "algo.lr": 7e-4,
    "algo.critic_lr": 7e-4, "algo.epochs": 10, "algo.num_minibatches": 1,
    "algo.critic_input": "agent_state"}
RECIPES = {
    "mappo_bench_1024": MAPPO_BENCH,
    "mappo_bench_4096": {**MAPPO_BENCH, "env.num_envs": 4096},
    # make train's recipe
    "default_recipe": {"config": "configs/coordination/simple_spread_grpo.yaml"},
}


def child(recipe: str, keep: bool, iterations: int) -> dict[str, float]:
    from arena.interfaces.episodes import EpisodeTracker
    from arena.training.run_config import load_config
    from arena.training.trainer import Trainer

    overrides = dict(RECIPES[recipe])
    path = overrides.pop("config", None)
    overrides.update({"keep_freed_memory": keep, "log.run_dir": tempfile.mkdtemp(),
                      "log.progress": False, "log.tensorboard": False})
    trainer = Trainer(load_config(path, overrides=overrides))
    for _ in range(2):
        trainer.collector.collect(EpisodeTracker())
        trainer.update()
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    for _ in range(iterations):
        trainer.collector.collect(EpisodeTracker())
        trainer.update()
    seconds, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    return {"iteration_s": seconds / iterations,
            "minor_faults": (r1.ru_minflt - r0.ru_minflt) / iterations,
            "kernel_s": (r1.ru_stime - r0.ru_stime) / iterations,
            "peak_rss_mb": r1.ru_maxrss / 1024}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--iterations", type=int, default=8)
    p.add_argument("--recipes", nargs="+", default=list(RECIPES))
    p.add_argument("--json", default=None)
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1] == "keep", args.iterations)))
        return
    rows = []
    for recipe in args.recipes:
        for rnd in range(args.rounds):
            for mode in ("default", "keep"):
                out = subprocess.run([sys.executable, __file__, "--child", recipe, mode,
                                      "--iterations", str(args.iterations)],
                                     capture_output=True, text=True, check=True).stdout
                row = {"recipe": recipe, "round": rnd, "allocator": mode,
                       **json.loads(out.strip().splitlines()[-1])}
                rows.append(row)
                print(f"{recipe} round {rnd} {mode:7s}: {row['iteration_s']:.3f} s/iteration, "
                      f"{row['minor_faults']:,.0f} faults, kernel {row['kernel_s']:.3f} s, "
                      f"peak {row['peak_rss_mb']:.0f} MB", flush=True)
    print("\n| recipe | round | default s/iter | kept s/iter | speed-up "
          "| faults/iter default -> kept | peak RSS MB default -> kept |")
    print("|---|---:|---:|---:|---:|---|---|")
    for recipe in args.recipes:
        ratios = []
        for rnd in range(args.rounds):
            d, k = (next(r for r in rows if r["recipe"] == recipe and r["round"] == rnd
                         and r["allocator"] == m) for m in ("default", "keep"))
            ratios.append(d["iteration_s"] / k["iteration_s"])
            print(f"| {recipe} | {rnd} | {d['iteration_s']:.3f} | {k['iteration_s']:.3f} | "
                  f"{ratios[-1]:.2f}x | {d['minor_faults']:,.0f} -> {k['minor_faults']:,.0f} | "
                  f"{d['peak_rss_mb']:.0f} -> {k['peak_rss_mb']:.0f} |")
        print(f"| {recipe} | median | | | {statistics.median(ratios):.2f}x | | |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
