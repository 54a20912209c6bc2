"""Conformance checks any registered env (built-in or plug-in) should pass.

``check_pettingzoo(env_id)`` runs PettingZoo's own parallel API, seed and AEC API tests on the
ParallelEnv adapter (the AEC API and seed tests on the AEC adapter of a turn-based scenario),
``check_batched`` Arena's batched-env contract (shapes, spaces, auto-reset, seeding).
"""

from __future__ import annotations

from typing import Any

import gymnasium
import torch
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test, seed_test
from pettingzoo.utils import parallel_to_aec

from arena.adapters.pettingzoo import make_parallel_env
from arena.adapters.pettingzoo_aec import make_aec_env
from arena.core.registry import make


def check_pettingzoo(env_id: str, num_cycles: int = 60, **kwargs: Any) -> None:
    """PettingZoo's parallel API test, parallel seed test and AEC API test; for a turn-based
    scenario, PettingZoo's AEC API and seed tests on its AEC form."""
    if make(env_id, num_envs=1, **kwargs).turn_based:
        api_test(make_aec_env(env_id, **kwargs), num_cycles=num_cycles)
        seed_test(lambda: make_aec_env(env_id, **kwargs), num_cycles=num_cycles)
        return
    parallel_api_test(make_parallel_env(env_id, **kwargs), num_cycles=num_cycles)
    parallel_seed_test(lambda: make_parallel_env(env_id, **kwargs), num_cycles=num_cycles)
    api_test(parallel_to_aec(make_parallel_env(env_id, **kwargs)), num_cycles=num_cycles)


def check_batched(env_id: str, num_envs: int = 8, steps: int = 60, **kwargs: Any) -> None:
    """Shapes, spaces, auto-reset bookkeeping and seeded determinism of the batched env."""
    runs = []
    for _ in range(2):
        env = make(env_id, num_envs=num_envs, **kwargs)
        obs, _ = env.reset(seed=123)
        trace = [torch.cat([o.flatten(1) for o in obs.values()], 1)]
        for _ in range(steps):
            obs, rew, term, trunc, info = env.step(env.sample_actions())
            _check_step(env, obs, rew, term, trunc, info)
            trace.append(torch.cat([o.flatten(1) for o in obs.values()], 1))
        runs.append(torch.stack(trace))
    assert torch.equal(runs[0], runs[1]), f"{env_id}: same seed gave different trajectories"


def _check_step(env: Any, obs: dict, rew: dict, term: torch.Tensor, trunc: torch.Tensor,
                info: dict) -> None:
    b = env.num_envs
    assert term.shape == trunc.shape == (b,) and term.dtype == torch.bool
    assert not bool((term & trunc).any()), "an env cannot be both terminated and truncated"
    for team, names in env.teams.items():
        space = env.observation_space(team)
        assert isinstance(space, gymnasium.spaces.Box)
        assert obs[team].shape == (b, len(names)) + space.shape, (team, obs[team].shape)
        assert rew[team].shape == (b, len(names))
        assert bool(torch.isfinite(obs[team]).all()) and bool(torch.isfinite(rew[team]).all())
    done = term | trunc
    if bool(done.any()):
        assert torch.equal(info["done"], done)
        assert bool((info["episode_length"][done] <= env.max_steps).all())
        assert bool((info["episode_length"][trunc] == env.max_steps).all())
        assert bool((env.t[done] == 0).all()), "finished envs must be reset in place"
        for value in info["metrics"].values():
            assert value.shape == (b,)


def check_obs_layout(env_id: str, **kwargs: Any) -> None:
    """The scenario's ``obs_layout`` must tile each team's observation exactly."""
    env = make(env_id, num_envs=1, **kwargs)
    for team in env.teams:
        layout = env.scenario.obs_layout(team)
        dim = env.observation_space(team).shape[0]  # type: ignore[index]
        total = sum(count * feat for _, count, feat in layout if feat > 0)
        if any(feat < 0 for _, _, feat in layout):
            assert len(layout) == 1, "a -1 feature size is only for the single-token default"
            continue
        assert total == dim, f"{env_id} {team}: layout covers {total} of {dim} features"
