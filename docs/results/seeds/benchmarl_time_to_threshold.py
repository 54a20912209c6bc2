"""Time to a -12 return per agent on simple_spread for BenchMARL's MAPPO (docs/training.md).

BenchMARL 1.5 runs PettingZoo's MPE ``simple_spread_v3`` (3 agents, local_ratio 0.5, 25-step
episodes, set here: BenchMARL's task default is 100 steps; the rewards Arena's port
reproduces step for step) through torchrl's PettingZoo
wrapper, which still imports ``pettingzoo.mpe``; MPE now lives in the ``mpe2`` package, so this
script points that import at ``mpe2`` before BenchMARL loads. BenchMARL's own default experiment
and MAPPO configs (as its users would run them), on CPU, 64x64 tanh MLPs as Arena's recipe, for
at most ``SECONDS`` of wall-clock. Every collected batch logs the mean per-agent return of the
episodes it finished, with the time since training started; the threshold is read as for the
other trainers (mean of 5 consecutive logged iterations >= -12).

Usage: python docs/results/seeds/benchmarl_time_to_threshold.py [SECONDS] [OUT.json]
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
import time
from typing import Any

import mpe2
import mpe2.all_modules

sys.modules["pettingzoo.mpe"] = mpe2
sys.modules["pettingzoo.mpe.all_modules"] = mpe2.all_modules

import torch  # noqa: E402
from benchmarl.algorithms import MappoConfig  # noqa: E402
from benchmarl.environments import PettingZooTask  # noqa: E402
from benchmarl.experiment import Experiment, ExperimentConfig  # noqa: E402
from benchmarl.experiment.callback import Callback  # noqa: E402
from benchmarl.models.mlp import MlpConfig  # noqa: E402

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 666.0
OUT = sys.argv[2] if len(sys.argv) > 2 else "docs/results/seeds/benchmarl_time_to_threshold.json"


NOT_GROUPS = ("next", "done", "terminated", "truncated", "collector", "state")


class TimeUpError(Exception):
    """Raised from the callback when the wall-clock budget is spent."""


class Curve(Callback):
    """Mean per-agent return of the episodes finished in each batch, against time."""

    def __init__(self) -> None:
        super().__init__()
        self.start = time.perf_counter()
        self.rows: list[dict[str, float]] = []
        self.frames = 0

    def on_batch_collected(self, batch: Any) -> None:
        self.frames += int(batch.numel())
        group = next(k for k in batch.keys() if k not in NOT_GROUPS)  # noqa: SIM118 (a TensorDict)
        done = batch.get(("next", "done")).squeeze(-1)
        ret = batch.get(("next", group, "episode_reward")).mean(-2).squeeze(-1)
        if bool(done.any()):
            self.rows.append({"env_steps": self.frames, "time_s": time.perf_counter() - self.start,
                              "episode_return_agent": float(ret[done].mean())})
        if time.perf_counter() - self.start > SECONDS:
            raise TimeUpError


def threshold(rows: list[dict[str, float]], level: float = -12.0) -> dict[str, Any] | None:
    for i in range(4, len(rows)):
        window = [r["episode_return_agent"] for r in rows[i - 4:i + 1]]
        if sum(window) / len(window) >= level:
            return rows[i]
    return None


def main() -> None:
    torch.manual_seed(0)
    curve = Curve()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = ExperimentConfig.get_from_yaml()
        for key, value in {"sampling_device": "cpu", "train_device": "cpu",
                           "buffer_device": "cpu", "loggers": [], "evaluation": False,
                           "render": False, "create_json": False, "save_folder": tmp,
                           "checkpoint_at_end": False, "checkpoint_interval": 0,
                           "max_n_frames": 10**9, "max_n_iters": None,
                           "prefer_continuous_actions": False}.items():
            setattr(cfg, key, value)
        task = PettingZooTask.SIMPLE_SPREAD.get_from_yaml()
        task.config["max_cycles"] = 25  # MPE's and Arena's episode length (BenchMARL: 100)
        model = MlpConfig.get_from_yaml()
        model.num_cells, model.activation_class = [64, 64], torch.nn.Tanh
        experiment = Experiment(task=task, algorithm_config=MappoConfig.get_from_yaml(),
                                model_config=model, critic_model_config=model, seed=0,
                                config=cfg, callbacks=[curve])
        curve.start = time.perf_counter()
        with contextlib.suppress(TimeUpError):
            experiment.run()
    hit = threshold(curve.rows)
    last = curve.rows[-5:]
    result = {"trainer": "BenchMARL 1.5.2 MAPPO, PettingZoo/MPE2 simple_spread_v3, defaults",
              "task_config": dict(task.config), "budget_s": SECONDS,
              "reached_-12_at_s": hit["time_s"] if hit else None,
              "reached_-12_at_steps": hit["env_steps"] if hit else None,
              "final_s": curve.rows[-1]["time_s"] if curve.rows else None,
              "final_steps": curve.frames,
              "final_return_5": sum(r["episode_return_agent"] for r in last) / max(len(last), 1),
              "curve": curve.rows}
    print(json.dumps({k: v for k, v in result.items() if k != "curve"}, indent=2))
    with open(OUT, "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
