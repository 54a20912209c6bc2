"""The env registry: a plain table ``env_id -> scenario class``, filled by plug-ins.

Built-in scenarios (package ``envs``) and third-party packages register through the Python entry
point group ``arena.envs`` (a callable that calls ``register``), or by calling ``register``
directly. Entry points are loaded lazily, on the first lookup.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

import torch

from arena.core.plugins import load_entry_points, lookup
from arena.core.scenario import Scenario
from arena.core.typed import ConfigError, build
from arena.core.vec_env import VecEnv

ENTRY_POINT_GROUP = "arena.envs"


@dataclass(frozen=True)
class EnvSpec:
    """One registered env: its id, scenario class and capability flags."""

    id: str
    scenario_cls: type[Scenario]
    family: str
    description: str = ""

    @property
    def config_cls(self) -> type:
        return self.scenario_cls.config_cls

    def defaults(self) -> dict[str, Any]:
        """The scenario's arguments and their defaults (nested configs as dicts)."""
        cfg = self.config_cls()
        return {f.name: _plain(getattr(cfg, f.name)) for f in fields(self.config_cls)}


def _plain(value: Any) -> Any:
    """A nested config dataclass as a dict (JSON and YAML listings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


_REGISTRY: dict[str, EnvSpec] = {}


def register(env_id: str, scenario_cls: type[Scenario], description: str = "") -> None:
    """Register ``scenario_cls`` under ``env_id`` (``family/name-vN``). Re-registering the same
    class is a no-op; another class under a taken id is an error."""
    if "/" not in env_id or "-v" not in env_id:
        raise ValueError(f"env id {env_id!r} must look like 'family/name-v0'")
    old = _REGISTRY.get(env_id)
    if old is not None and old.scenario_cls is not scenario_cls:
        raise ValueError(f"env id {env_id!r} is already registered to {old.scenario_cls}")
    lines = (scenario_cls.__doc__ or "").strip().splitlines()  # none: a class without one
    doc = description or (lines[0] if lines else "")
    _REGISTRY[env_id] = EnvSpec(env_id, scenario_cls, env_id.split("/")[0], doc)


def list_envs() -> list[str]:
    """All registered env ids, sorted."""
    load_entry_points(ENTRY_POINT_GROUP)
    return sorted(_REGISTRY)


def spec(env_id: str) -> EnvSpec:
    """The ``EnvSpec`` of ``env_id``; an unknown id is a ``KeyError`` with close matches."""
    env_spec: EnvSpec = lookup(_REGISTRY, ENTRY_POINT_GROUP, "env id", env_id)
    return env_spec


def make_scenario(env_id: str, **kwargs: Any) -> Scenario:
    """The scenario of ``env_id`` with validated arguments."""
    s = spec(env_id)
    return s.scenario_cls(build(s.config_cls, kwargs, env_id))


def make(
    env_id: str,
    num_envs: int = 1,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    auto_reset: bool = True,
    check_actions: bool = True,
    compile: bool = False,
    backend: str = "torch",
    **scenario_kwargs: Any,
) -> VecEnv:
    """A batched env of ``num_envs`` copies of ``env_id`` on ``device``.

    ``scenario_kwargs`` are the scenario's arguments (see ``arena envs``); an unknown or
    ill-typed one raises ``ConfigError`` naming it. ``backend`` picks the physics: ``torch``
    (batched soft contacts, any device) or ``pymunk`` (exact rigid contacts, CPU).
    """
    scenario = make_scenario(env_id, **scenario_kwargs)
    return VecEnv(scenario, num_envs=num_envs, device=device, dtype=dtype,
                  auto_reset=auto_reset, check_actions=check_actions, env_id=env_id,
                  compile=compile, backend=backend)


__all__ = ["ConfigError", "EnvSpec", "list_envs", "make", "make_scenario", "register", "spec"]
