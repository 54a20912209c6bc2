"""Arena: batched multi-agent RL environments on a PyTorch 2D simulator, with PettingZoo APIs.

The public API: ``make``, ``make_parallel_env`` and ``make_aec_env`` (envs), ``register``,
``Scenario`` and the simulator types (new scenarios), ``load_policy`` (trained runs),
``keep_freed_memory`` (what ``arena train`` sets for faster CPU updates, for loops of your
own). The
package layout and its import rules: docs/architecture.md."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from arena.core.actions import ActionError
from arena.core.allocator import keep_freed_memory
from arena.core.registry import list_envs, make, make_scenario, register, spec
from arena.core.scenario import ByTeam, Scenario
from arena.core.typed import ConfigError
from arena.core.vec_env import VecEnv
from arena.sim import EntitySpec, PhysicsConfig, World, WorldSpec

if TYPE_CHECKING:
    from pettingzoo import AECEnv

    from arena.adapters.pettingzoo import ArenaParallelEnv
    from arena.interfaces.policies import Policy

__version__ = "0.1.0"


def make_parallel_env(env_id: str, render_mode: str | None = None, device: str = "cpu",
                      **scenario_kwargs: Any) -> ArenaParallelEnv:
    """A PettingZoo ``ParallelEnv`` (one env, numpy in and out) of ``env_id``."""
    from arena.adapters.pettingzoo import make_parallel_env as _make

    return _make(env_id, render_mode=render_mode, device=device, **scenario_kwargs)


def make_aec_env(env_id: str, render_mode: str | None = None, device: str = "cpu",
                 **scenario_kwargs: Any) -> AECEnv:
    """A PettingZoo ``AECEnv`` (one env, numpy in and out) of ``env_id``: agents in turn for a
    turn-based scenario (with PettingZoo-style action masks), else the parallel env's AEC
    form."""
    from arena.adapters.pettingzoo_aec import make_aec_env as _make

    return _make(env_id, render_mode=render_mode, device=device, **scenario_kwargs)


def load_policy(path: str | Path, device: str = "cpu", env: VecEnv | None = None,
                deterministic: bool = True) -> Policy:
    """A trained policy (run directory or checkpoint file) as a callable
    ``{team: obs (B, N, obs_dim)} -> {team: actions}``; greedy unless ``deterministic=False``.
    Pass ``env`` to run an attention policy with that env's team sizes."""
    from arena.training.runs import load_policy as _load

    return _load(path, device=device, env=env, deterministic=deterministic)


__all__ = [
    "ActionError",
    "ByTeam",
    "ConfigError",
    "EntitySpec",
    "PhysicsConfig",
    "Scenario",
    "VecEnv",
    "World",
    "WorldSpec",
    "keep_freed_memory",
    "list_envs",
    "load_policy",
    "make",
    "make_aec_env",
    "make_parallel_env",
    "make_scenario",
    "register",
    "spec",
]
