"""Any PettingZoo env behind Arena's batched interface: ``ExternalVecEnv``.

``K`` copies of a PettingZoo env are stepped one after the other on the host and their numpy
data stacked into the same ``{team: Tensor[K, N_team, ...]}`` tensors as Arena's own envs, with
the same per-env auto-reset and ``info`` keys, so the trainer, evaluation and policies run on
them unchanged. It is as fast as the wrapped env (a Python loop over copies), not a batched one.

- Kinds of env: ``ParallelEnv``; AEC envs that PettingZoo marks parallelizable (converted with
  ``aec_to_parallel``); turn-based AEC envs (most of the classic family), where only the agent
  to move acts: the other slots are inactive for that step (``agent_mask``), and rewards that
  reach an agent between its turns, the final win or loss included, count for its last
  decision (``turn_based``).
- Observations: ``Box`` of any shape, flattened to float32; a ``Dict`` with ``observation`` and
  ``action_mask`` (PettingZoo's convention), or an ``action_mask`` in ``info``, gives action
  masks (``action_mask()``): policies then never pick an illegal action.
- Teams: agents grouped by name without the trailing ``_<index>`` (``adversary_0`` ->
  ``adversary``, ``player_1``/``player_2`` -> ``player``: both seats of a game are one team,
  one shared policy: self-play), or given explicitly as ``teams={team: [agent names]}``.
  Agents of one team must share observation and action spaces.
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

from arena.adapters.pettingzoo_copies import (
    CopyStep,
    flat_box,
    make_copy,
    observation_part,
    split_observation,
)
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

    def make() -> Any:
        try:
            return fn(**(kwargs or {}))
        except TypeError as err:  # an argument the env does not take (e.g. render_mode)
            raise ValueError(f"external env {path!r} with arguments {kwargs}: {err}") from None
    return make


def infer_teams(agents: list[str]) -> dict[str, list[str]]:
    """Group agent names by their name without a trailing ``_<index>``, in order."""
    teams: dict[str, list[str]] = {}
    for agent in agents:
        teams.setdefault(re.sub(r"_\d+$", "", agent), []).append(agent)
    return teams


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
        self.num_envs, self.device, self.env_id = num_envs, torch.device(device), env_id
        self.copies = [make_copy(make_env(), env_id) for _ in range(num_envs)]
        self.auto_reset = auto_reset
        first = self.copies[0].env
        self.turn_based = self.copies[0].turn_based
        """Agents act in turn (a turn-based AEC env): ``agent_mask`` is the agent to move."""
        self.teams = teams or infer_teams(list(first.possible_agents))
        self._check_teams(first)
        self._spaces = {t: flat_box(first.observation_space(a[0]), env_id, a[0])
                        for t, a in self.teams.items()}
        self._action_spaces = {t: first.action_space(a[0]) for t, a in self.teams.items()}
        self.has_action_masks = self._masked(first)
        """Whether the env gives action masks (in its observations or infos)."""
        # host buffers, written per copy as numpy and handed over as tensors once per step
        self._obs = {t: np.zeros((num_envs, len(a), self._spaces[t].shape[0]), np.float32)
                     for t, a in self.teams.items()}
        self._active = {t: np.zeros((num_envs, len(a)), bool) for t, a in self.teams.items()}
        self._masks = {t: np.ones((num_envs, len(a), int(getattr(self.action_space(t), "n", 0))),
                                  bool) for t, a in self.teams.items()}
        self._raw_shape = {a: observation_part(first.observation_space(a)).shape
                           for a in first.possible_agents}
        self._t = torch.zeros(num_envs, dtype=torch.long)
        self._returns = {t: torch.zeros(num_envs, len(a)) for t, a in self.teams.items()}
        self._seed: int | None = None
        self.generator = torch.Generator().manual_seed(0)
        """Draws ``sample_actions``; ``reset(seed)`` seeds it."""
        self._slot = {agent: (team, i) for team, agents in self.teams.items()
                      for i, agent in enumerate(agents)}
        self.honest: dict[str, torch.Tensor] = {}
        """``(num_envs, N)`` bool per team attacked from inside (``arena attack``, robust
        training): the agents still honest. A PettingZoo env declares no task outcome, so such
        an attack is scored by the honest agents' return (``has_task_outcome``)."""

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
            space = env.action_space(agents[0])
            if not isinstance(space, (gymnasium.spaces.Discrete, gymnasium.spaces.Box)):
                raise ValueError(f"{self.env_id}: agent {agents[0]!r} has action space "
                                 f"{space}; ExternalVecEnv supports Discrete and Box actions")
        listed = [a for agents in self.teams.values() for a in agents]
        if sorted(listed) != sorted(possible):
            raise ValueError(f"teams must list every agent once; missing or repeated: "
                             f"{sorted(possible.symmetric_difference(listed))}")

    def _masked(self, env: Any) -> bool:
        """Masks come with the observation (``Dict`` space) or, seen after a reset, in
        ``info``; only discrete actions can be masked."""
        agent = env.possible_agents[0]
        space = env.observation_space(agent)
        in_obs = isinstance(space, gymnasium.spaces.Dict) and "action_mask" in space.spaces
        if not in_obs:
            probe = self.copies[0].reset(seed=None)
            in_obs = any("action_mask" in (i or {}) for i in probe.infos.values())
        discrete = all(isinstance(self.action_space(t), gymnasium.spaces.Discrete)
                       for t in self.teams)
        return in_obs and discrete

    # ----------------------------------------------------------------- spaces
    def has_task_outcome(self, team: str) -> bool:
        """A PettingZoo env declares no 0/1 task outcome: attacks on it are scored by the
        honest agents' return drop (``arena.evaluation.attacks``)."""
        return False

    def has_honest_reward(self, team: str) -> bool:
        """Nor a reward of its honest agents alone (``attack.objective: honest_return``)."""
        return False

    def observation_space(self, team: str) -> gymnasium.Space:
        """The flattened observation of one agent of ``team`` (float32)."""
        return self._spaces[team]

    def action_space(self, team: str) -> gymnasium.Space:
        return self._action_spaces[team]

    @property
    def state_space(self) -> gymnasium.spaces.Box:
        dim = sum(len(a) * self._spaces[t].shape[0] for t, a in self.teams.items())
        return gymnasium.spaces.Box(-np.inf, np.inf, (dim,), np.float32)

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        """One token: an external observation has no known entity structure."""
        return [("obs", 1, -1)]

    # ------------------------------------------------------------------ steps
    def reset(self, seed: int | None = None) -> tuple[ByTeam, dict[str, Any]]:
        self._seed = seed
        if seed is not None:
            self.generator.manual_seed(seed)
        for k in range(self.num_envs):
            self._reset_one(k)
        return self.observe(), {}

    def _reset_one(self, k: int) -> None:
        seed = None if self._seed is None else self._seed + k
        out = self.copies[k].reset(seed)
        self._t[k] = 0
        for team in self.teams:
            self._returns[team][k] = 0.0
        self._store(k, out, "reset")

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
        copy = self.copies[k]
        if not copy.live:  # a finished env without auto-reset stays finished
            return True, False
        acting = copy.acting
        act = {agent: self._action(team, actions[team][k, i])
               for agent, (team, i) in self._slot.items() if agent in acting}
        out = copy.step(act)
        for agent, reward in out.rewards.items():
            team, i = self._slot[agent]
            rew[team][k, i] = reward
        self._store(k, out, "step")
        if copy.live:
            return False, False
        return not out.truncated, out.truncated

    def _store(self, k: int, out: CopyStep, method: str) -> None:
        """Observations and masks of copy ``k`` after ``reset``/``step``; who acts next."""
        acting = set(self.copies[k].acting)
        for agent, (team, i) in self._slot.items():
            self._active[team][k, i] = agent in acting
            if agent not in out.obs:
                self._masks[team][k, i] = agent in acting
                continue
            obs, mask = split_observation(out.obs[agent], out.infos.get(agent))
            if np.shape(obs) != self._raw_shape[agent]:
                space = observation_part(self.copies[k].env.observation_space(agent))
                raise ValueError(f"{self.env_id}: {method}() gave agent {agent!r} an observation "
                                 f"of shape {tuple(np.shape(obs))}, but its observation_space "
                                 f"is {space}")
            self._obs[team][k, i] = np.asarray(obs, dtype=np.float32).reshape(-1)
            if self.has_action_masks and mask is not None:
                self._masks[team][k, i] = np.asarray(mask, dtype=bool)

    def _action(self, team: str, a: np.ndarray) -> Any:
        space = self.action_space(team)
        if isinstance(space, gymnasium.spaces.Discrete):
            return int(a)
        return np.asarray(a, dtype=space.dtype)

    # ------------------------------------------------------------ accessors
    def episode_starts(self) -> torch.Tensor:
        """``(num_envs,)`` bool: envs whose current observation is the first of an episode."""
        return (self._t == 0).to(self.device)

    def _tensor(self, x: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(x.copy()).to(self.device)

    def observe(self) -> ByTeam:
        return {t: self._tensor(o) for t, o in self._obs.items()}

    def agent_mask(self, team: str) -> torch.Tensor:
        """``(num_envs, N_team)``: agents that act now (in their episode; in a turn-based env,
        the agent to move)."""
        return self._tensor(self._active[team])

    def action_mask(self) -> ByTeam | None:
        """Legal discrete actions ``{team: bool (num_envs, N_team, n)}``, or ``None``."""
        if not self.has_action_masks:
            return None
        return {t: self._tensor(m) for t, m in self._masks.items()}

    def global_state(self) -> torch.Tensor:
        return torch.cat([o.flatten(1) for o in self.observe().values()], dim=1)

    def sample_actions(self) -> ByTeam:
        """Uniformly random actions, legal ones where the env masks actions (drawn from
        ``generator``: seeded runs are reproducible)."""
        out = {}
        gen, k = self.generator, self.num_envs
        for team, agents in self.teams.items():
            space = self.action_space(team)
            shape = (k, len(agents))
            if isinstance(space, gymnasium.spaces.Discrete):
                legal = torch.from_numpy(self._masks[team]) if self.has_action_masks else \
                    torch.ones(*shape, int(space.n), dtype=torch.bool)
                u = torch.rand(legal.shape, generator=gen)
                out[team] = (torch.where(legal, u, -1.0).argmax(-1) + int(space.start))
            else:
                assert isinstance(space, gymnasium.spaces.Box)
                low, high = torch.as_tensor(space.low), torch.as_tensor(space.high)
                u = torch.rand(*shape, *space.shape, generator=gen)
                out[team] = (low + u * (high - low)).to(torch.float32)
            out[team] = out[team].to(self.device)
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

    def render(self, env_index: int = 0, marked: dict[str, list[int]] | None = None
               ) -> np.ndarray:
        """The wrapped env's own RGB frame of copy ``env_index``. ``marked`` (agents an
        attacker took over) cannot be drawn into another env's picture and is not shown."""
        frame = self.copies[env_index].env.render()
        if frame is None:
            raise ValueError(f"{self.env_id} was not made with render_mode='rgb_array'")
        return np.asarray(frame)
