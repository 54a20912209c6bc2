"""Every registered env, discrete and continuous: PettingZoo conformance and the batched
contract (parametrized over the registry, so a new scenario is covered automatically)."""

from __future__ import annotations

import pytest

import arena
from arena.adapters.testing import check_batched, check_pettingzoo

ENV_IDS = arena.list_envs()
VARIANTS = [(env_id, continuous) for env_id in ENV_IDS for continuous in (False, True)
            if not continuous or "continuous_actions" in arena.spec(env_id).defaults()]
"""Every env, and its continuous-action form where it has one."""


def test_builtins_registered() -> None:
    for env_id in ["coordination/simple_spread-v0", "attack_defense/simple_tag-v0",
                   "attack_defense/simple_adversary-v0", "attack_defense/breach-v0",
                   "navigation/navigation-v0", "coordination/transport-v0"]:
        assert env_id in ENV_IDS


def _kwargs(continuous: bool) -> dict[str, bool]:
    return {"continuous_actions": True} if continuous else {}


@pytest.mark.parametrize(("env_id", "continuous"), VARIANTS)
def test_pettingzoo_api(env_id: str, continuous: bool) -> None:
    check_pettingzoo(env_id, **_kwargs(continuous))


@pytest.mark.parametrize(("env_id", "continuous"), VARIANTS)
def test_batched_contract(env_id: str, continuous: bool) -> None:
    check_batched(env_id, **_kwargs(continuous))


def test_parallel_state_and_names() -> None:
    par = arena.make_parallel_env("attack_defense/breach-v0", num_attackers=2, num_defenders=4)
    par.reset(seed=0)
    assert par.possible_agents == ["attacker_0", "attacker_1", "defender_0", "defender_1",
                                   "defender_2", "defender_3"]
    assert par.state().shape == par.state_space.shape


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_obs_layout_tiles_observation(env_id: str) -> None:
    from arena.adapters.testing import check_obs_layout

    check_obs_layout(env_id)
    check_obs_layout(env_id, **({"N": 5} if "spread" in env_id else {}))
