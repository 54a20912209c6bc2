"""Where the time of a training iteration goes: simulation (``env.step``), policy inference
(actions, values, bootstrap values), rollout bookkeeping (buffer writes, global state, episode
statistics: the rest of collection) and the update. Run through ``arena profile CONFIG``; under
``torchrun`` rank 0 reports the phases of its own worker and the steps of all workers.

On an accelerator every timed call is bracketed by a device synchronization, so the phases are
exact but a little slower in total than an unprofiled run."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from arena.interfaces.episodes import EpisodeTracker
from arena.training.run_config import RunConfig
from arena.training.trainer import Trainer, tensors_of

PHASES = ("simulation", "inference", "bookkeeping", "update")


@dataclass
class Profile:
    """Seconds per phase summed over the timed iterations, and the throughput."""

    num_envs: int
    workers: int
    iterations: int
    seconds: dict[str, float] = field(default_factory=dict)
    steps_per_s: float = 0.0
    bytes_per_env: dict[str, float] = field(default_factory=dict)
    """Memory per env of the simulator state (and current observations) and of the rollout
    buffers, counted from the tensors themselves (the same on every device)."""
    learner_bytes: float = 0.0
    """Networks, optimizer states and normalizers of every learner."""
    peak_device_bytes: float = 0.0
    """Peak memory allocated on a CUDA device during the timed iterations (0 on CPU)."""

    def table(self) -> str:
        total = sum(self.seconds.values())
        lines = [f"{self.workers} worker(s) x {self.num_envs} envs, {self.iterations} "
                 f"iterations: {self.steps_per_s:,.0f} env-steps/s (all workers)",
                 "| phase | ms / iteration | share |", "|---|---:|---:|"]
        for phase in PHASES:
            s = self.seconds.get(phase, 0.0)
            lines.append(f"| {phase} | {1e3 * s / self.iterations:.1f} | "
                         f"{100 * s / max(total, 1e-12):.0f}% |")
        mem = ", ".join(f"{k} {v / 1024:.1f} KiB" for k, v in self.bytes_per_env.items())
        lines.append(f"memory per env: {mem}; learners {self.learner_bytes / 2**20:.2f} MiB")
        if self.peak_device_bytes:
            lines.append(f"peak device memory: {self.peak_device_bytes / 2**20:,.0f} MiB")
        return "\n".join(lines)


class _Clock:
    """Accumulates the wall time of wrapped calls per phase; a wrapped call made inside
    another (``act`` calling ``value``, ``update`` calling ``value``) counts for the outer."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.seconds: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self.depth = 0

    def sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def wrap(self, fn: Callable[..., Any], phase: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return fn(*args, **kwargs)
            self.sync()
            start = time.perf_counter()
            self.depth += 1
            try:
                out = fn(*args, **kwargs)
            finally:
                self.depth -= 1
            self.sync()
            self.seconds[phase] += time.perf_counter() - start
            return out

        return timed


def profile_training(cfg: RunConfig, iterations: int, warmup: int = 1) -> Profile:
    """Run ``warmup`` untimed and ``iterations`` timed training iterations of ``cfg``."""
    cfg.log.progress = False
    trainer = Trainer(cfg)
    clock = _Clock(trainer.device)
    trainer.env.step = clock.wrap(trainer.env.step, "simulation")  # type: ignore[method-assign]
    for le in trainer.learners.values():
        le.act = clock.wrap(le.act, "inference")  # type: ignore[method-assign]
        le.value = clock.wrap(le.value, "inference")  # type: ignore[method-assign]
        le.update = clock.wrap(le.update, "update")  # type: ignore[method-assign]
    collect = 0.0
    cuda = trainer.device.type == "cuda"
    for i in range(warmup + iterations):
        if i == warmup:
            clock.seconds = dict.fromkeys(PHASES, 0.0)
            collect = 0.0
            clock.sync()
            if cuda:
                torch.cuda.reset_peak_memory_stats(trainer.device)
            start = time.perf_counter()
        tick = time.perf_counter()
        trainer.collector.collect(EpisodeTracker())
        clock.sync()
        collect += time.perf_counter() - tick
        trainer.update()
    clock.sync()
    elapsed = time.perf_counter() - start
    sec = clock.seconds
    sec["bookkeeping"] = max(0.0, collect - sec["simulation"] - sec["inference"])
    workers = trainer.worker.world_size
    steps = cfg.rollout_steps * trainer.env.num_envs * workers * iterations
    learners = tensors_of({t: le.state_dict() for t, le in trainer.learners.items()})
    return Profile(trainer.env.num_envs, workers, iterations, sec, steps / elapsed,
                   _bytes_per_env(trainer),
                   float(sum(t.nelement() * t.element_size() for t in learners)),
                   float(torch.cuda.max_memory_allocated(trainer.device)) if cuda else 0.0)


def _bytes_per_env(trainer: Trainer) -> dict[str, float]:
    b = trainer.env.num_envs

    def per_env(tensors: list[torch.Tensor]) -> float:
        return sum(t.nelement() * t.element_size() for t in tensors
                   if t.dim() and t.shape[0] == b) / b

    state = tensors_of([trainer.env.state_dict(), trainer.collector.obs])
    rollouts = [t for ro in trainer.collector.rollouts.values() for t in vars(ro).values()
                if isinstance(t, torch.Tensor)]
    return {"simulator": per_env(state),
            "rollout": sum(t.nelement() * t.element_size() for t in rollouts) / b}
