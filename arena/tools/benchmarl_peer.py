"""BenchMARL's MAPPO on VMAS ``simple_spread``, timed for ``arena bench --training --peers``
(imported only then: BenchMARL is an optional peer, installed by ``make bench``)."""

from __future__ import annotations

import tempfile
import time
from typing import Any

import torch
from benchmarl.algorithms import MappoConfig
from benchmarl.environments import VmasTask
from benchmarl.experiment import Experiment, ExperimentConfig
from benchmarl.experiment.callback import Callback
from benchmarl.models.mlp import MlpConfig

from arena.tools.bench_env import BenchResult

STAMPS: list[float] = []


class Clock(Callback):
    """Records the time at the end of every training phase (one per iteration)."""

    def on_train_end(self, training_td: Any, group: str) -> None:
        STAMPS.append(time.perf_counter())


def bench_benchmarl_training(num_envs: int, iterations: int, device: str, epochs: int,
                             rollout: int, lr: float) -> BenchResult:
    """Same batch (``num_envs x rollout`` frames, one minibatch), epochs, learning rate and
    MLP 64x64 tanh as Arena's run; the time between the first and last training phase."""
    STAMPS.clear()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = ExperimentConfig.get_from_yaml()
        frames = num_envs * rollout
        for key, value in {
            "sampling_device": device, "train_device": device, "buffer_device": device,
            "on_policy_collected_frames_per_batch": frames,
            "on_policy_n_envs_per_worker": num_envs, "on_policy_n_minibatch_iters": epochs,
            "on_policy_minibatch_size": frames, "max_n_iters": iterations + 1,
            "max_n_frames": None, "loggers": [], "evaluation": False, "render": False,
            "create_json": False, "save_folder": tmp, "checkpoint_at_end": False,
            "lr": lr, "prefer_continuous_actions": False,
        }.items():
            setattr(cfg, key, value)
        task = VmasTask.SIMPLE_SPREAD.get_from_yaml()
        task.config.update({"max_steps": rollout, "n_agents": 3})
        model = MlpConfig.get_from_yaml()
        model.num_cells, model.activation_class = [64, 64], torch.nn.Tanh
        experiment = Experiment(task=task, algorithm_config=MappoConfig.get_from_yaml(),
                                model_config=model, critic_model_config=model, seed=0,
                                config=cfg, callbacks=[Clock()])
        experiment.run()
    rate = num_envs * rollout * (len(STAMPS) - 1) / (STAMPS[-1] - STAMPS[0])
    return BenchResult(f"BenchMARL MAPPO ({epochs} epochs)", num_envs, rate)
