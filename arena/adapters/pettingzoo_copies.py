"""One copy of a PettingZoo env, driven the same way whether it is a ``ParallelEnv`` or a
turn-based AEC env (``ExternalVecEnv`` steps many of them). Observations are split into the
observation proper and the action mask (PettingZoo's ``{"observation", "action_mask"}`` dict, or
``info["action_mask"]``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gymnasium
import numpy as np


@dataclass
class CopyStep:
    """What one step of one copy produced, keyed by agent name."""

    obs: dict[str, Any] = field(default_factory=dict)
    """Raw observations of the agents whose observation changed."""
    rewards: dict[str, float] = field(default_factory=dict)
    infos: dict[str, Any] = field(default_factory=dict)
    truncated: bool = False
    """Some agent was truncated (the episode counts as truncated when it ends)."""


def observation_part(space: gymnasium.Space) -> gymnasium.Space:
    """The observation proper of an agent's observation space (a masked env's ``Dict`` holds it
    under ``"observation"``)."""
    if isinstance(space, gymnasium.spaces.Dict) and "observation" in space.spaces:
        return space["observation"]
    return space


def split_observation(raw: Any, info: dict[str, Any] | None) -> tuple[Any, Any]:
    """``(observation, action mask or None)`` of a raw observation and its info."""
    if isinstance(raw, dict) and "observation" in raw:
        return raw["observation"], raw.get("action_mask")
    return raw, (info or {}).get("action_mask")


class ParallelCopy:
    """A ``ParallelEnv`` (or an AEC env that PettingZoo converts to one): every live agent acts
    every step."""

    turn_based = False

    def __init__(self, env: Any) -> None:
        self.env = env

    @property
    def live(self) -> list[str]:
        return list(self.env.agents)

    @property
    def acting(self) -> list[str]:
        return list(self.env.agents)

    def reset(self, seed: int | None) -> CopyStep:
        obs, infos = self.env.reset(seed=seed)
        return CopyStep(dict(obs), {}, dict(infos or {}))

    def step(self, actions: dict[str, Any]) -> CopyStep:
        obs, rewards, terminations, truncations, infos = self.env.step(actions)
        return CopyStep(dict(obs), {a: float(r) for a, r in rewards.items()}, dict(infos),
                        any(bool(v) for v in truncations.values()))


class TurnCopy:
    """A turn-based AEC env: only ``agent_selection`` acts. Rewards of a move go to every
    agent PettingZoo gives them to (``env.rewards``); finished agents are stepped out with
    ``None`` as PettingZoo requires, so the next agent to act is always a live one. Steps and
    observations go through the env's wrappers; its state is read from ``env.unwrapped``
    (the same dicts, without the wrappers' attribute forwarding)."""

    turn_based = True

    def __init__(self, env: Any) -> None:
        self.env, self.state = env, env.unwrapped

    @property
    def live(self) -> list[str]:
        return list(self.state.agents)

    @property
    def acting(self) -> list[str]:
        return [self.state.agent_selection] if self.state.agents else []

    def reset(self, seed: int | None) -> CopyStep:
        self.env.reset(seed=seed)
        out = self._observe()
        self._skip_finished(out)
        return out

    def step(self, actions: dict[str, Any]) -> CopyStep:
        self.env.step(actions[self.state.agent_selection])
        out = self._observe()
        out.rewards = {a: float(r) for a, r in self.state.rewards.items()}
        self._skip_finished(out)
        return out

    def _observe(self) -> CopyStep:
        agents, infos = self.state.agents, self.state.infos
        return CopyStep({a: self.env.observe(a) for a in agents},
                        infos={a: infos.get(a, {}) for a in agents})

    def _skip_finished(self, out: CopyStep) -> None:
        state = self.state
        while state.agents:
            agent = state.agent_selection
            if not (state.terminations.get(agent) or state.truncations.get(agent)):
                return
            out.truncated |= bool(state.truncations.get(agent))
            self.env.step(None)


def is_aec(env: Any) -> bool:
    return hasattr(env, "agent_iter")


def make_copy(env: Any, env_id: str) -> ParallelCopy | TurnCopy:
    """The driver of one env copy: parallel envs and parallelizable AEC envs step in
    parallel; other AEC envs (agents in turn) step one agent at a time."""
    if not is_aec(env):
        return ParallelCopy(env)
    if not env.metadata.get("is_parallelizable", False):
        return TurnCopy(env)
    from pettingzoo.utils.conversions import aec_to_parallel

    try:
        return ParallelCopy(aec_to_parallel(env))
    except Exception as err:  # PettingZoo's converter refuses some envs
        raise ValueError(f"{env_id}: PettingZoo cannot convert this AEC env to a parallel "
                         f"one ({type(err).__name__}: {err})") from None


def flat_box(space: gymnasium.Space, env_id: str, agent: str) -> gymnasium.spaces.Box:
    """The flattened float32 ``Box`` that stores an agent's observation."""
    part = observation_part(space)
    if not isinstance(part, gymnasium.spaces.Box):
        raise ValueError(f"{env_id}: agent {agent!r} has observation space {space}; "
                         "ExternalVecEnv supports Box observations (optionally in a Dict "
                         "with 'observation' and 'action_mask')")
    return gymnasium.spaces.Box(np.asarray(part.low, np.float32).reshape(-1),
                                np.asarray(part.high, np.float32).reshape(-1),
                                dtype=np.float32)
