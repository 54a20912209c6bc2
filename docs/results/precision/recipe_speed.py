"""Iteration time of the default recipe (configs/coordination/simple_spread_grpo.yaml) with
algo.precision float32 and bfloat16, side by side in one process: both trainers built, then
their iterations (collection + update) alternated, so that the machine's phases hit both
alike. Prints and writes docs/results/precision/recipe_speed.json.

Usage: python docs/results/precision/recipe_speed.py [rounds]"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from arena.interfaces.episodes import EpisodeTracker
from arena.training.run_config import load_config
from arena.training.trainer import Trainer

CONFIG = "configs/coordination/simple_spread_grpo.yaml"


def trainer(precision: str, run_dir: str) -> Trainer:
    return Trainer(load_config(CONFIG, overrides={
        "algo.precision": precision, "log.run_dir": run_dir, "log.progress": False,
        "log.tensorboard": False}))


def iteration(t: Trainer) -> float:
    start = time.perf_counter()
    t.collector.collect(EpisodeTracker())
    t.update()
    return time.perf_counter() - start


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        trainers = {p: trainer(p, f"{tmp}/{p}") for p in ("float32", "bfloat16")}
        times: dict[str, list[float]] = {p: [] for p in trainers}
        for r in range(rounds + 1):
            for p, t in trainers.items():
                seconds = iteration(t)
                if r:  # the first round warms up
                    times[p].append(seconds)
    median = {p: statistics.median(v) for p, v in times.items()}
    result = {"config": CONFIG, "rounds": rounds, "median_iteration_s": median,
              "speedup_bf16": median["float32"] / median["bfloat16"], "times": times}
    Path(__file__).with_name("recipe_speed.json").write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "times"}, indent=1))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
