"""Baselines: other libraries' algorithms behind ``arena train`` and ``arena eval``, registered
through the ``arena.baselines`` entry point group (``register``). ``sb3_ppo``:
stable-baselines3's PPO with parameter sharing over one team (``baselines.sb3``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _train_sb3(cfg: Any) -> dict[str, float]:
    from baselines.sb3 import train_sb3

    return train_sb3(cfg)


def _evaluate_sb3(run: Path, episodes: int, overrides: dict[str, Any] | None,
                  deterministic: bool, seed: int, device: str) -> Any:
    from baselines.sb3 import evaluate_sb3_run

    return evaluate_sb3_run(run, episodes, overrides, deterministic, seed, device)


def register() -> None:
    """Register every baseline of this package (the ``arena.baselines`` entry point). SB3 is
    imported only when a baseline run is trained or evaluated."""
    from arena.interfaces.algorithms import BaselineSpec, register_baseline

    register_baseline(BaselineSpec("sb3_ppo", _train_sb3, _evaluate_sb3))
