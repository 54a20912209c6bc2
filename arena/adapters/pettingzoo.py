"""PettingZoo ``ParallelEnv`` over one Arena env: numpy in and out, dicts keyed by agent name.

AEC form: ``pettingzoo.utils.parallel_to_aec(make_parallel_env(env_id))``.
"""

from __future__ import annotations

import copy
from typing import Any

import gymnasium
import numpy as np
import torch
from pettingzoo import ParallelEnv

from arena.core.actions import ActionError
from arena.core.registry import make
from arena.core.vec_env import VecEnv

AgentDict = dict[str, Any]


def agent_observation_space(env: VecEnv, team: str) -> gymnasium.Space:
    """The observation space of one agent of ``team``, the PettingZoo way: a ``Dict`` of
    ``observation`` and an int8 ``action_mask`` when the scenario masks actions."""
    box = copy.deepcopy(env.observation_space(team))
    if not env.has_action_masks:
        return box
    n = int(env.action_space(team).n)  # type: ignore[attr-defined]
    return gymnasium.spaces.Dict({"observation": box,
                                  "action_mask": gymnasium.spaces.Box(0, 1, (n,), np.int8)})


def with_mask(obs: np.ndarray, env: VecEnv, team: str, i: int) -> Any:
    """``obs`` of agent ``i`` of ``team`` (env 0), with its action mask when there is one."""
    masks = env.action_mask()
    if masks is None:
        return obs
    return {"observation": obs, "action_mask": masks[team][0, i].cpu().numpy().astype(np.int8)}


class OneEnvView:
    """What the PettingZoo adapters of one env of a scenario share: the global state, rendering
    and ``close``. Listed before the PettingZoo base class, whose methods these override."""

    _env: VecEnv
    render_mode: str | None

    def state(self) -> np.ndarray:
        return self._env.global_state()[0].detach().cpu().numpy().astype(np.float32)

    def render(self) -> np.ndarray | None:
        if self.render_mode is None:
            gymnasium.logger.warn("render() called without a render_mode")
            return None
        return self._env.render(0)

    def close(self) -> None:
        pass


class ArenaParallelEnv(OneEnvView, ParallelEnv):
    """One env of an Arena scenario behind PettingZoo's parallel API.

    Agents are named ``team_i``; all stay in ``agents`` until the episode ends (then ``agents``
    is empty until ``reset``). ``state()`` is the centralized-critic state. At the episode's last
    step each agent's info holds the scenario's ``metrics``.
    """

    metadata = {"render_modes": ["rgb_array"], "is_parallelizable": True, "render_fps": 10}

    def __init__(self, env: VecEnv, render_mode: str | None = None) -> None:
        if env.num_envs != 1 or env.auto_reset:
            raise ValueError("ArenaParallelEnv needs a VecEnv with num_envs=1, auto_reset=False")
        if env.turn_based:
            raise ValueError(f"{env.env_id} is turn-based (agents act in turn): use its AEC "
                             "form, arena.adapters.pettingzoo_aec.make_aec_env")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        self._env = env
        self.render_mode = render_mode
        self.metadata = {**self.metadata, "name": env.env_id}
        self.possible_agents = env.agents
        self.agents: list[str] = []
        self._slots = {name: (team, i) for team, names in env.teams.items()
                       for i, name in enumerate(names)}
        self.observation_spaces = {a: agent_observation_space(env, t)
                                   for a, (t, _) in self._slots.items()}
        self.action_spaces = {a: copy.deepcopy(env.action_space(t))
                              for a, (t, _) in self._slots.items()}
        self.state_space = env.state_space

    def observation_space(self, agent: str) -> gymnasium.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.Space:
        return self.action_spaces[agent]

    @property
    def unwrapped_env(self) -> VecEnv:
        """The underlying batched env (``num_envs=1``)."""
        return self._env

    def reset(self, seed: int | None = None, options: dict | None = None
              ) -> tuple[AgentDict, AgentDict]:
        obs, _ = self._env.reset(seed=seed)
        self.agents = list(self.possible_agents)
        return self._per_agent(obs), {a: {} for a in self.agents}

    def step(self, actions: AgentDict) -> tuple[AgentDict, AgentDict, AgentDict, AgentDict,
                                                AgentDict]:
        if not self.agents:
            raise RuntimeError(f"{self._env.env_id}: step() called after the episode ended; "
                               "call reset()")
        obs, rew, term, trunc, info = self._env.step(self._team_actions(actions))
        terminated, truncated = bool(term[0]), bool(trunc[0])
        agents = self.agents
        infos: AgentDict = {a: {} for a in agents}
        if terminated or truncated:
            metrics = {k: float(v[0]) for k, v in info.get("metrics", {}).items()}
            infos = {a: {"metrics": dict(metrics)} for a in agents}
            self.agents = []
        return (self._per_agent(obs), self._per_agent(rew, scalar=True),
                dict.fromkeys(agents, terminated), dict.fromkeys(agents, truncated), infos)

    def _per_agent(self, by_team: dict[str, torch.Tensor], scalar: bool = False) -> AgentDict:
        arrays = {t: v[0].detach().cpu().numpy() for t, v in by_team.items()}
        if scalar:
            return {a: float(arrays[t][i]) for a, (t, i) in self._slots.items()}
        return {a: with_mask(arrays[t][i].astype(np.float32), self._env, t, i)
                for a, (t, i) in self._slots.items()}

    def _team_actions(self, actions: AgentDict) -> dict[str, torch.Tensor]:
        env_id = self._env.env_id
        missing = [a for a in self.agents if a not in actions]
        unknown = [a for a in actions if a not in self._slots]
        if missing or unknown:
            raise ActionError(f"{env_id}: missing actions for {missing}, unknown agents "
                              f"{unknown}")
        out = {}
        for team, names in self._env.teams.items():
            for name in names:
                self._check_action(name, actions[name])
            stacked = np.stack([np.asarray(actions[n]) for n in names])
            out[team] = torch.from_numpy(stacked).to(self._env.device).unsqueeze(0)
        return out

    def _check_action(self, agent: str, action: Any) -> None:
        space = self.action_spaces[agent]
        where = f"{self._env.env_id}: action of {agent!r}"
        if isinstance(space, gymnasium.spaces.Discrete):
            if not isinstance(action, (int, np.integer)) and not (
                isinstance(action, np.ndarray) and action.shape == ()
                and np.issubdtype(action.dtype, np.integer)):
                raise ActionError(f"{where} must be an int in [0, {space.n - 1}], got {action!r}")
            if not 0 <= int(action) < space.n:
                raise ActionError(f"{where} is {int(action)}, outside [0, {space.n - 1}]")
            return
        assert isinstance(space, gymnasium.spaces.Box)
        arr = np.asarray(action)
        if arr.shape != space.shape or not np.issubdtype(arr.dtype, np.floating):
            raise ActionError(f"{where} must be a float array of shape {space.shape}, got "
                              f"{arr.dtype} {arr.shape}")
        if not np.all((arr >= space.low - 1e-6) & (arr <= space.high + 1e-6)):
            raise ActionError(f"{where} has values outside [{space.low.min()}, "
                              f"{space.high.max()}] or NaN: {arr}")


def make_parallel_env(env_id: str, render_mode: str | None = None, device: str = "cpu",
                      **scenario_kwargs: Any) -> ArenaParallelEnv:
    """A PettingZoo ``ParallelEnv`` of ``env_id`` (one env, numpy in and out)."""
    env = make(env_id, num_envs=1, device=device, auto_reset=False, check_actions=False,
               **scenario_kwargs)
    return ArenaParallelEnv(env, render_mode=render_mode)
