"""Any PettingZoo env behind Arena's batched interface: ``ExternalVecEnv``.

``K`` copies of a PettingZoo ``ParallelEnv`` (or an AEC env, converted with PettingZoo's
``aec_to_parallel``) are stepped one after the other on the host and their numpy data stacked
into the same ``{team: Tensor[K, N_team, ...]}`` tensors as Arena's own envs, with the same
per-env auto-reset and ``info`` keys, so the trainer, evaluation and policies run on them
unchanged. It is as fast as the wrapped env (a Python loop over copies), not a batched one.

- Teams: agents grouped by name without the trailing ``_<index>`` (``adversary_0`` ->
  ``adversary``), or given explicitly as ``teams={team: [agent names]}``. Agents of one team
  must share observation and action spaces (teams may differ from each other).
- Agents that leave the episode early (PettingZoo removes them from ``env.agents``) keep their
  last observation, get reward 0, are ``False`` in ``agent_mask(team)`` and receive no actions.
  An episode ends when no agent is left; it counts as truncated if any agent was truncated.
- ``global_state()`` is the concatenation of all agents' observations (flattened), as MPE's.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

import gymnasium
import numpy as np
import torch

from arena.core.scenario import ByTeam


def load_env_factory(path: str, kwargs: dict[str, Any] | None = None) -> Callable[[], Any]:
    """``"package.module:function"`` -> a function that makes one env with ``kwargs``."""
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"external env {path!r}: expected 'package.module:function'")
    try:
        fn = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as err:
        raise ValueError(f"external env {path!r} cannot be loaded: {err}") from None
    return lambda: fn(**(kwargs or {}))


def infer_teams(agents: list[str]) -> dict[str, list[str]]:
    """Group agent names by their name without a trailing ``_<index>``, in order."""
    teams: dict[str, list[str]] = {}
    for agent in agents:
        teams.setdefault(re.sub(r"_\d+$", "", agent), []).append(agent)
    return teams


def _as_parallel(env: Any) -> Any:
    if hasattr(env, "agent_iter"):  # an AEC env
        from pettingzoo.utils.conversions import aec_to_parallel

        return aec_to_parallel(env)
    return env


class ExternalVecEnv:
    """``num_envs`` copies of a PettingZoo env with Arena's batched env interface."""

    final_state_in_info = False
    binary_metrics: tuple[str, ...] = ()
    has_scripted_policy = False
    """A PettingZoo env brings no scripted policy (``pretrain``, imitation and ``scripted``
    opponents need an Arena scenario)."""
    supports_group_resets = False
    """Copies of a Python env cannot restart from a shared state (group-relative training)."""

    def __init__(self, make_env: Callable[[], Any], num_envs: int = 1,
                 teams: dict[str, list[str]] | None = None, device: str = "cpu",
                 env_id: str = "external", auto_reset: bool = True) -> None:
        if not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
        self.envs = [_as_parallel(make_env()) for _ in range(num_envs)]
        self.num_envs, self.device, self.env_id = num_envs, torch.device(device), env_id
        self.auto_reset = auto_reset
        first = self.envs[0]
        self.teams = teams or infer_teams(list(first.possible_agents))
        self._check_teams(first)
        self._obs = {t: torch.zeros(num_envs, len(a), *(self.observation_space(t).shape or ()))
                     for t, a in self.teams.items()}
        self._mask = {t: torch.zeros(num_envs, len(a), dtype=torch.bool)
                      for t, a in self.teams.items()}
        self._t = torch.zeros(num_envs, dtype=torch.long)
        self._returns = {t: torch.zeros(num_envs, len(a)) for t, a in self.teams.items()}
        self._seed: int | None = None

    def _check_teams(self, env: Any) -> None:
        possible = set(env.possible_agents)
        for team, agents in self.teams.items():
            if not agents:
                raise ValueError(f"team {team!r} has no agents")
            for agent in agents:
                if agent not in possible:
                    raise ValueError(f"team {team!r}: agent {agent!r} is not an agent of "
                                     f"{self.env_id} ({sorted(possible)})")
                for kind in ("observation_space", "action_space"):
                    if getattr(env, kind)(agent) != getattr(env, kind)(agents[0]):
                        raise ValueError(f"team {team!r}: agent {agent!r} has another {kind} "
                                         f"than {agents[0]!r}; give teams explicitly")
        listed = [a for agents in self.teams.values() for a in agents]
        if sorted(listed) != sorted(possible):
            raise ValueError(f"teams must list every agent once; missing or repeated: "
                             f"{sorted(possible.symmetric_difference(listed))}")
        if not isinstance(self.observation_space(next(iter(self.teams))), gymnasium.spaces.Box):
            raise ValueError("only Box observation spaces are supported")

    # ----------------------------------------------------------------- spaces
    def observation_space(self, team: str) -> gymnasium.Space:
        return self.envs[0].observation_space(self.teams[team][0])

    def action_space(self, team: str) -> gymnasium.Space:
        return self.envs[0].action_space(self.teams[team][0])

    @property
    def state_space(self) -> gymnasium.spaces.Box:
        dim = sum(len(a) * int(np.prod(self.observation_space(t).shape or ()))
                  for t, a in self.teams.items())
        return gymnasium.spaces.Box(-np.inf, np.inf, (dim,), np.float32)

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        """One token: an external observation has no known entity structure."""
        return [("obs", 1, -1)]

    # ------------------------------------------------------------------ steps
    def reset(self, seed: int | None = None) -> tuple[ByTeam, dict[str, Any]]:
        self._seed = seed
        for k in range(self.num_envs):
            self._reset_one(k)
        return self.observe(), {}

    def _reset_one(self, k: int) -> None:
        seed = None if self._seed is None else self._seed + k
        obs, _ = self.envs[k].reset(seed=seed)
        self._t[k] = 0
        for team, agents in self.teams.items():
            self._returns[team][k] = 0.0
            self._mask[team][k] = False
            for i, agent in enumerate(agents):
                if agent in obs:
                    self._store(team, k, i, agent, obs[agent], "reset")
                    self._mask[team][k, i] = True

    def step(self, actions: dict[str, torch.Tensor]) -> tuple[ByTeam, ByTeam, torch.Tensor,
                                                              torch.Tensor, dict[str, Any]]:
        host = {t: a.detach().cpu().numpy() for t, a in actions.items()}
        rew = {t: torch.zeros(self.num_envs, len(a)) for t, a in self.teams.items()}
        term = torch.zeros(self.num_envs, dtype=torch.bool)
        trunc = torch.zeros(self.num_envs, dtype=torch.bool)
        for k in range(self.num_envs):
            term[k], trunc[k] = self._step_one(k, host, rew)
        for team in self.teams:
            self._returns[team] += rew[team]
        self._t += 1
        done = term | trunc
        info: dict[str, Any] = {"done": done.to(self.device)}
        if bool(done.any()):
            info.update({"final_observation": self.observe(), "metrics": {},
                         "episode_return": {t: r.clone().to(self.device)
                                            for t, r in self._returns.items()},
                         "episode_length": self._t.clone().to(self.device)})
            if self.final_state_in_info:
                info["final_state"] = self.global_state()
            if self.auto_reset:
                for k in torch.nonzero(done).flatten().tolist():
                    self._reset_one(k)
        dev = self.device
        return (self.observe(), {t: r.to(dev) for t, r in rew.items()}, term.to(dev),
                trunc.to(dev), info)

    def _step_one(self, k: int, actions: dict[str, np.ndarray],
                  rew: dict[str, torch.Tensor]) -> tuple[bool, bool]:
        env = self.envs[k]
        live = set(env.agents)
        if not live:  # a finished env without auto-reset stays finished
            return True, False
        act = {agent: self._action(team, actions[team][k, i])
               for team, agents in self.teams.items() for i, agent in enumerate(agents)
               if agent in live}
        obs, reward, terminations, truncations, _ = env.step(act)
        any_trunc = False
        for team, agents in self.teams.items():
            for i, agent in enumerate(agents):
                if agent in obs:
                    self._store(team, k, i, agent, obs[agent], "step")
                if agent in reward:
                    rew[team][k, i] = float(reward[agent])
                if terminations.get(agent) or truncations.get(agent):
                    self._mask[team][k, i] = False
                any_trunc |= bool(truncations.get(agent, False))
        if env.agents:
            return False, False
        return not any_trunc, any_trunc

    def _store(self, team: str, k: int, i: int, agent: str, obs: Any, method: str) -> None:
        x = torch.as_tensor(np.asarray(obs, dtype=np.float32))
        if x.shape != self._obs[team].shape[2:]:
            raise ValueError(f"{self.env_id}: {method}() gave agent {agent!r} an observation of "
                             f"shape {tuple(x.shape)}, but its observation_space is "
                             f"{self.observation_space(team)}")
        self._obs[team][k, i] = x

    def _action(self, team: str, a: np.ndarray) -> Any:
        space = self.action_space(team)
        if isinstance(space, gymnasium.spaces.Discrete):
            return int(a)
        return np.asarray(a, dtype=space.dtype)

    # ------------------------------------------------------------ accessors
    def episode_starts(self) -> torch.Tensor:
        """``(num_envs,)`` bool: envs whose current observation is the first of an episode."""
        return (self._t == 0).to(self.device)

    def observe(self) -> ByTeam:
        return {t: o.clone().to(self.device) for t, o in self._obs.items()}

    def agent_mask(self, team: str) -> torch.Tensor:
        """``(num_envs, N_team)``: agents still in their episode."""
        return self._mask[team].to(self.device)

    def global_state(self) -> torch.Tensor:
        return torch.cat([o.flatten(1) for o in self._obs.values()], dim=1).to(self.device)

    def sample_actions(self) -> dict[str, torch.Tensor]:
        out = {}
        for team, agents in self.teams.items():
            space = self.action_space(team)
            data = np.stack([np.stack([space.sample() for _ in agents])
                             for _ in range(self.num_envs)])
            out[team] = torch.as_tensor(data).to(self.device)
        return out

    def scripted_actions(self) -> ByTeam:
        raise ValueError(f"{self.env_id} is an external PettingZoo env: it has no scripted "
                         "policy (pretraining, imitation and scripted opponents need an Arena "
                         "scenario)")

    def state_dict(self) -> dict[str, Any]:
        """External envs cannot be snapshotted: a resumed run starts fresh episodes."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.reset(seed=None)

    def render(self, env_index: int = 0) -> np.ndarray:
        frame = self.envs[env_index].render()
        if frame is None:
            raise ValueError(f"{self.env_id} was not made with render_mode='rgb_array'")
        return np.asarray(frame)
