"""The MPE ports against MPE2 itself: same initial state, same actions, same obs and rewards."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
import torch

import arena

mpe2 = pytest.importorskip("mpe2")

CASES = [
    ("coordination/simple_spread-v0", "simple_spread_v3", {}),
    ("coordination/simple_spread-v0", "simple_spread_v3", {"N": 5, "local_ratio": 0.3}),
    ("attack_defense/simple_tag-v0", "simple_tag_v3", {}),
    ("attack_defense/simple_tag-v0", "simple_tag_v3", {"num_good": 2, "num_adversaries": 4,
                                                      "num_obstacles": 3}),
    ("attack_defense/simple_adversary-v0", "simple_adversary_v3", {}),
    ("attack_defense/simple_adversary-v0", "simple_adversary_v3", {"N": 3}),
    ("coordination/speaker_listener-v0", "simple_speaker_listener_v4", {}),
    ("coordination/reference-v0", "simple_reference_v3", {}),
    ("coordination/reference-v0", "simple_reference_v3", {"local_ratio": 0.2}),
]
STEPS = 30


def copy_state(mpe_world: Any, env: arena.VecEnv) -> None:
    """Write MPE2's entity positions/velocities (and hidden goals) into env 0 of ``env``."""
    ents = mpe_world.agents + mpe_world.landmarks
    pos = np.stack([e.state.p_pos for e in ents])
    vel = np.stack([e.state.p_vel for e in ents])
    env.world.pos[0] = torch.as_tensor(pos, dtype=env.world.dtype)
    env.world.vel[0] = torch.as_tensor(vel, dtype=env.world.dtype)
    goal = getattr(mpe_world.agents[0], "_goal_a", None)
    if goal in mpe_world.landmarks:  # simple_adversary: the hidden target landmark
        env.scenario.goal[0] = mpe_world.landmarks.index(goal)  # type: ignore[attr-defined]
    elif goal is not None:  # speaker_listener, reference: the landmark each agent sees
        seen = [mpe_world.landmarks.index(a._goal_b) for a in mpe_world.agents
                if getattr(a, "_goal_b", None) is not None]
        goals = torch.tensor(seen if len(seen) > 1 else seen[0])
        env.scenario.goal[0] = goals  # type: ignore[attr-defined]


def mpe_actions(env: arena.VecEnv, rng: np.random.Generator) -> dict[str, Any]:
    out = {}
    for team, names in env.teams.items():
        space = env.action_space(team)
        for name in names:
            if hasattr(space, "n"):
                out[name] = int(rng.integers(space.n))
            else:
                out[name] = rng.uniform(0, 1, space.shape).astype(np.float32)
    return out


def to_arena(env: arena.VecEnv, actions: dict[str, Any]) -> dict[str, torch.Tensor]:
    return {team: torch.as_tensor(np.stack([actions[n] for n in names]))[None]
            for team, names in env.teams.items()}


def force_overlaps(mpe_world: Any) -> None:
    """Put agent 1 on agent 0 and agent 0 on the first landmark, so contacts happen at once."""
    a0, a1 = mpe_world.agents[0], mpe_world.agents[1]
    if mpe_world.landmarks:
        a0.state.p_pos = mpe_world.landmarks[0].state.p_pos + np.array([0.12, -0.05])
    a1.state.p_pos = a0.state.p_pos + np.array([0.03, 0.02])


@pytest.mark.parametrize("overlap", [False, True])
@pytest.mark.parametrize("continuous", [False, True])
@pytest.mark.parametrize("env_id,mpe_name,kwargs", CASES)
def test_port_matches_mpe2(env_id: str, mpe_name: str, kwargs: dict, continuous: bool,
                           overlap: bool) -> None:
    module = importlib.import_module(f"mpe2.{mpe_name}")
    ref = module.parallel_env(continuous_actions=continuous, max_cycles=STEPS + 5, **kwargs)
    ref.reset(seed=7)
    if overlap:
        force_overlaps(ref.unwrapped.world)
    ref_obs = {name: ref.unwrapped.observe(name) for name in ref.possible_agents}
    env = arena.make(env_id, num_envs=1, dtype=torch.float64, continuous_actions=continuous,
                     max_cycles=STEPS + 5, **kwargs)
    env.reset(seed=0)
    assert env.agents == ref.possible_agents
    copy_state(ref.unwrapped.world, env)
    obs = env.scenario.observation(env.world)
    rng = np.random.default_rng(3)
    for step in range(STEPS + 1):
        for team, names in env.teams.items():
            for i, name in enumerate(names):
                np.testing.assert_allclose(obs[team][0, i].numpy(), ref_obs[name], atol=1e-5,
                                           err_msg=f"obs of {name} at step {step}")
        if step == STEPS:
            break
        actions = mpe_actions(env, rng)
        ref_obs, ref_rew, _, _, _ = ref.step(actions)
        obs, rew, _, _, _ = env.step(to_arena(env, actions))
        for team, names in env.teams.items():
            for i, name in enumerate(names):
                assert abs(float(rew[team][0, i]) - ref_rew[name]) < 1e-5, (name, step)
    np.testing.assert_allclose(env.global_state()[0].numpy(), ref.state(), atol=1e-5)
