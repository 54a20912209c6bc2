"""PettingZoo ``AECEnv`` over one env of a turn-based Arena scenario (agents act in turn):
``agent_selection`` is the agent to move, and observations are PettingZoo's
``{"observation", "action_mask"}`` dicts when the scenario masks actions."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import torch
from pettingzoo import AECEnv
from pettingzoo.utils import parallel_to_aec

from arena.adapters.pettingzoo import (
    ArenaParallelEnv,
    OneEnvView,
    agent_observation_space,
    with_mask,
)
from arena.core.actions import ActionError
from arena.core.registry import make
from arena.core.vec_env import VecEnv


class ArenaAECEnv(OneEnvView, AECEnv):
    """One env of a turn-based scenario behind PettingZoo's AEC API. Agents are named
    ``team_i``; when the game ends every agent is terminated (or truncated) and is then
    stepped out with ``None``, as PettingZoo's classic games do. At the end each agent's info
    holds the scenario's ``metrics``."""

    metadata = {"render_modes": ["rgb_array"], "is_parallelizable": False, "render_fps": 2}

    def __init__(self, env: VecEnv, render_mode: str | None = None) -> None:
        super().__init__()
        if env.num_envs != 1 or env.auto_reset:
            raise ValueError("ArenaAECEnv needs a VecEnv with num_envs=1, auto_reset=False")
        if not env.turn_based:
            raise ValueError(f"{env.env_id} is not turn-based: use make_parallel_env "
                             "(PettingZoo's parallel_to_aec gives its AEC form)")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        self._env, self.render_mode = env, render_mode
        self.metadata = {**self.metadata, "name": env.env_id}
        self.possible_agents = env.agents
        self._slots = {name: (team, i) for team, names in env.teams.items()
                       for i, name in enumerate(names)}
        self.observation_spaces = {a: agent_observation_space(env, t)
                                   for a, (t, _) in self._slots.items()}
        self.action_spaces = {a: env.action_space(t) for a, (t, _) in self._slots.items()}
        self._obs: dict[str, torch.Tensor] = {}

    def observation_space(self, agent: str) -> gymnasium.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.Space:
        return self.action_spaces[agent]

    def observe(self, agent: str) -> Any:
        """The agent's observation (with its action mask: all zeros unless it is to move)."""
        team, i = self._slots[agent]
        return with_mask(self._obs[team][0, i].detach().cpu().numpy().astype(np.float32),
                         self._env, team, i)

    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        self._obs, _ = self._env.reset(seed=seed)
        self.agents = list(self.possible_agents)
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self.infos: dict[str, dict[str, Any]] = {a: {} for a in self.agents}
        self.agent_selection = self._mover()

    def _mover(self) -> str:
        for agent, (team, i) in self._slots.items():
            if bool(self._env.agent_mask(team)[0, i]):
                return agent
        raise RuntimeError(f"{self._env.env_id}: no agent is to move")

    def step(self, action: Any) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        space = self.action_spaces[agent]
        if action is None or not space.contains(np.asarray(action, dtype=space.dtype)):
            raise ActionError(f"{self._env.env_id}: action of {agent!r} must be in {space}, "
                              f"got {action!r}")
        actions = {team: torch.zeros((1, len(names)), dtype=torch.long,
                                     device=self._env.device)
                   for team, names in self._env.teams.items()}
        team, i = self._slots[agent]
        actions[team][0, i] = int(action)
        self._obs, rew, term, trunc, info = self._env.step(actions)
        self._cumulative_rewards[agent] = 0.0
        self.rewards = {a: float(rew[t][0, j]) for a, (t, j) in self._slots.items()}
        if bool(term[0]) or bool(trunc[0]):
            metrics = {k: float(v[0]) for k, v in info.get("metrics", {}).items()}
            self.terminations = dict.fromkeys(self.agents, bool(term[0]))
            self.truncations = dict.fromkeys(self.agents, bool(trunc[0]))
            self.infos = {a: {"metrics": dict(metrics)} for a in self.agents}
            names = self.possible_agents
            self.agent_selection = names[(names.index(agent) + 1) % len(names)]
        else:
            self.agent_selection = self._mover()
        self._accumulate_rewards()


def make_aec_env(env_id: str, render_mode: str | None = None, device: str = "cpu",
                 **scenario_kwargs: Any) -> AECEnv:
    """A PettingZoo ``AECEnv`` of ``env_id`` (one env, numpy in and out): ``ArenaAECEnv`` for a
    turn-based scenario, PettingZoo's ``parallel_to_aec`` of the ``ParallelEnv`` otherwise."""
    env = make(env_id, num_envs=1, device=device, auto_reset=False, check_actions=False,
               **scenario_kwargs)
    if not env.turn_based:
        return parallel_to_aec(ArenaParallelEnv(env, render_mode=render_mode))
    return ArenaAECEnv(env, render_mode=render_mode)
