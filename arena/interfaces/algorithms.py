"""The algorithm and baseline registries: plain tables filled by plug-ins through the
``arena.algos`` and ``arena.baselines`` entry point groups, loaded on first lookup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from arena.core.plugins import load_entry_points, lookup
from arena.interfaces.learner import Learner
from arena.interfaces.policy_config import PolicyConfig
from arena.interfaces.spec import TeamSpec

ALGO_ENTRY_POINT_GROUP = "arena.algos"
BASELINE_ENTRY_POINT_GROUP = "arena.baselines"

LearnerFactory = Callable[[TeamSpec, PolicyConfig, Any, torch.device], Learner]
"""``factory(spec, policy_cfg, algo_cfg, device) -> Learner``."""


@dataclass(frozen=True)
class AlgoSpec:
    """A registered algorithm: its config class, learner factory and capability flags (read by
    the test matrix)."""

    name: str
    config_cls: type
    factory: LearnerFactory
    critic_free: bool = False
    """Group-relative, no critic (the smoke tests give it a group size)."""


@dataclass(frozen=True)
class BaselineSpec:
    """A registered baseline trainer (another library's algorithm behind ``arena train`` and
    ``arena eval``): ``train(run_config) -> summary`` writes a run directory;
    ``evaluate(run_dir, episodes, overrides, deterministic, seed, device)`` returns the same
    ``EvalReport`` as Arena's runs."""

    name: str
    train: Callable[[Any], dict[str, float]]
    evaluate: Callable[[Path, int, dict[str, Any] | None, bool, int, str], Any]


_ALGOS: dict[str, AlgoSpec] = {}
_BASELINES: dict[str, BaselineSpec] = {}


def register_algo(spec: AlgoSpec) -> None:
    """Add an algorithm to the registry (idempotent for the same factory)."""
    old = _ALGOS.get(spec.name)
    if old is not None and old.factory is not spec.factory:
        raise ValueError(f"algorithm {spec.name!r} is already registered")
    _ALGOS[spec.name] = spec


def register_baseline(spec: BaselineSpec) -> None:
    """Add a baseline trainer to the registry (idempotent for the same train function)."""
    old = _BASELINES.get(spec.name)
    if old is not None and old.train is not spec.train:
        raise ValueError(f"baseline {spec.name!r} is already registered")
    _BASELINES[spec.name] = spec


def algo_spec(name: str) -> AlgoSpec:
    """The registered algorithm ``name``; unknown names list close matches."""
    spec: AlgoSpec = lookup(_ALGOS, ALGO_ENTRY_POINT_GROUP, "algorithm", name)
    return spec


def baseline_spec(name: str) -> BaselineSpec:
    """The registered baseline ``name``; unknown names list close matches."""
    spec: BaselineSpec = lookup(_BASELINES, BASELINE_ENTRY_POINT_GROUP, "baseline", name)
    return spec


def list_algos() -> list[str]:
    """Registered algorithm names."""
    load_entry_points(ALGO_ENTRY_POINT_GROUP)
    return sorted(_ALGOS)
