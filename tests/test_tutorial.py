"""The plug-in tutorial's scenario (docs/tutorial/rendezvous.py) keeps working."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import arena
from arena.adapters.testing import check_batched, check_pettingzoo
from arena.interfaces.episodes import run_episodes
from arena.interfaces.policies import random_policy, scripted_policy

FILE = Path(__file__).resolve().parents[1] / "docs" / "tutorial" / "rendezvous.py"
ENV_ID = "coordination/rendezvous-v0"


def load_tutorial() -> str:
    """The tutorial's env id, registered from its file (unless the plug-in is installed and
    registered itself through its entry point)."""
    if ENV_ID in arena.list_envs():
        return ENV_ID
    spec = importlib.util.spec_from_file_location("rendezvous_tutorial", FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    module.register()
    return ENV_ID


def test_tutorial_scenario_registers_passes_checks_and_is_solvable() -> None:
    env_id = load_tutorial()
    assert env_id in arena.list_envs()
    check_batched(env_id)
    check_pettingzoo(env_id)
    env = arena.make(env_id, num_envs=200)
    scripted = run_episodes(env, scripted_policy, seed=1).metrics["success"].mean()
    random = run_episodes(env, random_policy, seed=1).metrics["success"].mean()
    assert scripted > 0.9 and random < 0.1
