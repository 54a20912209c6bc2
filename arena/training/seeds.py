"""Many seeds in one process: ``seeds: [0, 1, 2, 3]`` (or ``arena train CONFIG --seeds 0 1 2 3``)
trains one replica of the run per seed, in lockstep, in one process.

Each replica is an ordinary :class:`Trainer` of the run with ``seed`` set to its seed and its own
run directory ``<run_dir>/seed_<seed>``, holding the files a single-seed run writes (config,
logs, checkpoints, GIF): ``arena eval``, ``arena plot`` and ``arena train --resume`` work on a
replica's directory as on any run. The replicas take turns, one iteration each, and each draws
from its own global random stream (network initialization, action sampling, minibatch
permutations), swapped in around its turn; its envs draw from their own generator as always. So
a replica computes exactly what its single-seed run computes: on CPU its checkpoints are equal
bit for bit (tested). ``time_limit`` counts each replica's own iterations.

The group directory holds the group's ``config.yaml`` (with ``seeds``; ``arena train --resume
<run_dir>`` resumes every replica from its last checkpoint) and, at the end, ``report.json``: the
aggregate statistics of the replicas' final evaluations (``arena report``).

Not done: the replicas' networks are not stacked (``torch.func`` / batched matmuls) and their envs
are not one VecEnv. On the 2-core CPU this platform is measured on, the update is about 90% of an
iteration and FLOP-bound: the default recipe at 4096 envs trains at 1.2-1.5x the env-steps/s of
512 envs, an upper bound on what stacking eight seeds could gain there (docs/training.md); on a
GPU, where small updates are launch-bound, it would gain more.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from arena.core.typed import ConfigError
from arena.training import checkpoint, distributed
from arena.training.progress import progress_bar
from arena.training.run_config import RunConfig, load_config, save_config
from arena.training.runs import seed_dir
from arena.training.trainer import Trainer

REPORT = "report.json"
"""The group's aggregate report, in its run directory (written by ``arena train``)."""


def replica_config(cfg: RunConfig, seed: int) -> RunConfig:
    """The single-seed run config of one replica: ``seed`` and its own run directory."""
    out = copy.deepcopy(cfg)
    out.seed, out.seeds = seed, []
    out.log.run_dir = str(seed_dir(cfg.run_dir, seed))
    out.log.progress = False  # the group shows one bar
    return out


def check_seeds(cfg: RunConfig) -> None:
    """A clear error for what multi-seed runs do not support."""
    seeds = cfg.seeds
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"seeds: {seeds} has repeated seeds")
    if cfg.baseline:
        raise ConfigError("seeds: baseline runs train one seed per process; run them one by one")
    if distributed.launched():
        raise ConfigError("seeds: multi-seed runs are single-process; under torchrun give one "
                          "seed per run")
    kind = torch.device(cfg.device).type
    if kind not in ("cpu", "cuda"):
        raise ConfigError(f"seeds: multi-seed runs support cpu and cuda devices, not {kind!r} "
                          "(each replica's random stream is swapped in around its turn)")


class RandomStream:
    """One replica's global random state (CPU, and the device's when it is a GPU), swapped
    in around the replica's turn."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.cpu = torch.get_rng_state()
        self.gpu = torch.cuda.get_rng_state(device) if device.type == "cuda" else None

    @contextmanager
    def active(self) -> Iterator[None]:
        torch.set_rng_state(self.cpu)
        if self.gpu is not None:
            torch.cuda.set_rng_state(self.gpu, self.device)
        try:
            yield
        finally:
            self.cpu = torch.get_rng_state()
            if self.device.type == "cuda":
                self.gpu = torch.cuda.get_rng_state(self.device)


class SeedGroup:
    """The replicas of ``cfg`` for each of ``cfg.seeds``; ``resume`` continues each from its
    last checkpoint (a replica without one starts afresh)."""

    def __init__(self, cfg: RunConfig, resume: bool = False) -> None:
        check_seeds(cfg)
        self.cfg, self.root = cfg, cfg.run_dir
        if cfg.algo.get("compile") or cfg.policy.compile or cfg.env.compile:
            _allow_recompiles(len(cfg.seeds))
        self.trainers: list[Trainer] = []
        self.streams: list[RandomStream] = []
        for seed in cfg.seeds:
            rc = replica_config(cfg, seed)
            again = resume and (rc.run_dir / "checkpoints" / checkpoint.LATEST).exists()
            trainer = Trainer(rc, resume=again)
            self.trainers.append(trainer)
            self.streams.append(RandomStream(trainer.device))

    def train(self) -> dict[str, dict[str, float]]:
        """Train every replica to its budget, one iteration each in turn; returns each seed's
        final summary."""
        self.root.mkdir(parents=True, exist_ok=True)
        save_config(self.cfg, self.root / "config.yaml")
        for trainer, stream in zip(self.trainers, self.streams, strict=True):
            with stream.active():
                trainer.begin()
        self._lockstep()
        summaries: dict[str, dict[str, float]] = {}
        for seed, trainer, stream in zip(self.cfg.seeds, self.trainers, self.streams,
                                         strict=True):
            with stream.active():
                summaries[f"seed_{seed}"] = trainer.finish()
        return summaries

    def final_metric(self) -> str:
        """The metric a group report aggregates: the first trained team's evaluation return."""
        team = next(iter(self.trainers[0].learners))
        return f"eval/return/{team}"

    def _lockstep(self) -> None:
        cfg, n = self.cfg, len(self.trainers)
        bar = progress_bar(cfg.log.progress, f"{cfg.name} x{n} seeds", n * cfg.total_steps,
                           n * cfg.time_limit)
        start = time.perf_counter()
        while True:
            turns = [(t, s) for t, s in zip(self.trainers, self.streams, strict=True)
                     if t.running()]
            if not turns:
                break
            for trainer, stream in turns:
                with stream.active():
                    trainer.iterate()
            if bar is not None:
                bar.update(*self._progress(time.perf_counter() - start))
        if bar is not None:
            bar.close()

    def _progress(self, wall: float) -> tuple[int, float, dict[str, float]]:
        """Steps and training seconds summed over the replicas; the group's speed and the
        replicas' mean training return."""
        steps = sum(t.env_steps for t in self.trainers)
        elapsed = sum(t.elapsed for t in self.trainers)
        stats = {"time/steps_per_s": steps / max(wall, 1e-9)}
        returns = [t.last_stats[k] for t in self.trainers for k in t.last_stats
                   if k.startswith("episode/return_")]
        if returns:
            stats["episode/return_mean"] = sum(returns) / len(returns)
        return steps, elapsed, stats


def _allow_recompiles(replicas: int) -> None:
    """Each replica's compiled functions are their own graphs to dynamo (guards on ``self``):
    allow that many recompiles instead of falling back to eager."""
    import torch._dynamo

    limit = 8 * replicas
    torch._dynamo.config.cache_size_limit = max(torch._dynamo.config.cache_size_limit, limit)
    torch._dynamo.config.accumulated_cache_size_limit = max(
        torch._dynamo.config.accumulated_cache_size_limit, 8 * limit)


def group_config(root: str | Path, overrides: dict[str, Any] | None = None) -> RunConfig:
    """The config of a multi-seed run directory (``arena train --resume <run_dir>``)."""
    cfg = load_config(Path(root) / "config.yaml", overrides)
    cfg.log.run_dir = str(root)
    if not cfg.seeds:
        raise ConfigError(f"{root}: no checkpoint and no multi-seed config.yaml (seeds): "
                          "nothing to resume")
    return cfg
