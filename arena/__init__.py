"""Arena: batched multi-agent RL environments on a PyTorch 2D simulator, with PettingZoo APIs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from arena.config import ConfigError
from arena.env import ActionError, VecEnv
from arena.registry import list_envs, make, make_scenario, register, spec
from arena.scenario import Scenario

if TYPE_CHECKING:
    from arena.adapters.pettingzoo import ArenaParallelEnv

__version__ = "0.1.0"


def make_parallel_env(env_id: str, render_mode: str | None = None, device: str = "cpu",
                      **scenario_kwargs: Any) -> ArenaParallelEnv:
    """A PettingZoo ``ParallelEnv`` (one env, numpy in and out) of ``env_id``."""
    from arena.adapters.pettingzoo import make_parallel_env as _make

    return _make(env_id, render_mode=render_mode, device=device, **scenario_kwargs)


__all__ = [
    "ActionError",
    "ConfigError",
    "Scenario",
    "VecEnv",
    "list_envs",
    "make",
    "make_parallel_env",
    "make_scenario",
    "register",
    "spec",
]
