"""Policies as plain callables. ``Policy`` wraps trained actors: ``actions = policy(obs)``; a
``PolicyFn`` ``(env, obs) -> actions`` is what evaluation plays; the named policies
(``scripted``, ``random``) are accepted wherever a run is."""

from __future__ import annotations

from collections.abc import Callable

import gymnasium
import numpy as np
import torch

from arena.core.scenario import ByTeam
from arena.core.vec_env import VecEnv
from arena.interfaces.learner import TeamActor

PolicyFn = Callable[[VecEnv, ByTeam], ByTeam]
"""``(env, obs by team) -> actions by team``."""


def to_env_actions(space: gymnasium.Space, actions: torch.Tensor) -> torch.Tensor:
    """Policy outputs as valid env actions: continuous samples clipped into the box."""
    if isinstance(space, gymnasium.spaces.Box):
        low = torch.as_tensor(space.low, device=actions.device)
        high = torch.as_tensor(space.high, device=actions.device)
        return torch.max(torch.min(actions, high), low)
    return actions


def scripted_policy(env: VecEnv, obs: ByTeam) -> ByTeam:
    """The scenario's scripted policy for every team."""
    return env.scripted_actions()


def random_policy(env: VecEnv, obs: ByTeam) -> ByTeam:
    """Uniformly random actions for every team."""
    return env.sample_actions()


NAMED_POLICIES: dict[str, PolicyFn] = {"scripted": scripted_policy, "random": random_policy}
"""Policies accepted by name wherever a run is expected (``arena eval``, cross-play, frozen
teams)."""


def mixed_policy(by_team: dict[str, PolicyFn]) -> PolicyFn:
    """A policy that takes each team's actions from its own policy."""

    def act(env: VecEnv, obs: ByTeam) -> ByTeam:
        return {team: fn(env, obs)[team] for team, fn in by_team.items()}

    return act


class Policy:
    """The actors of a run, by team: maps the batched env's ``{team: (B, N, obs_dim)}`` to
    ``{team: actions}`` in each team's action space. Greedy unless ``deterministic=False``.

    Recurrent policies keep a memory per env and agent between calls; pass
    ``starts=env.episode_starts()`` so that it restarts with each episode (without it, the
    first call, or a call with another batch size, starts every env afresh and later calls
    continue the episodes). In envs that mask actions, pass ``action_mask=env.action_mask()``:
    the policy then never picks an illegal action (``as_fn`` does both)."""

    def __init__(self, actors: dict[str, TeamActor], spaces: dict[str, gymnasium.Space],
                 deterministic: bool = True) -> None:
        self.actors, self.spaces, self.deterministic = actors, spaces, deterministic
        self.memory: dict[str, torch.Tensor] = {}
        for actor in actors.values():
            actor.eval()

    @torch.no_grad()
    def __call__(self, obs: ByTeam, deterministic: bool | None = None,
                 starts: torch.Tensor | None = None,
                 action_mask: ByTeam | None = None) -> ByTeam:
        greedy = self.deterministic if deterministic is None else deterministic
        out = {}
        for team, actor in self.actors.items():
            if team not in obs:
                raise KeyError(f"policy has team {team!r}, observations have {list(obs)}")
            x = obs[team]
            mask = None if action_mask is None else action_mask.get(team)
            if actor.recurrent:
                memory, first = self._memory(team, actor, x, starts)
                d = actor.decide(x, greedy, memory, first, mask)
                assert d.memory is not None
                self.memory[team] = d.memory
            else:
                d = actor.decide(x, greedy, action_mask=mask)
            out[team] = to_env_actions(self.spaces[team], d.env_actions)
        return out

    def _memory(self, team: str, actor: TeamActor, x: torch.Tensor,
                starts: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        memory = self.memory.get(team)
        fresh = memory is None or memory.shape[:2] != x.shape[:2] or memory.device != x.device
        if memory is None or fresh:
            memory = actor.initial_memory(tuple(x.shape[:2]), x.device)
        first = torch.full(x.shape[:1], fresh, dtype=torch.bool, device=x.device)
        if starts is not None:
            first = first | starts.to(x.device)
        return memory, first

    def reset(self, mask: torch.Tensor | None = None) -> None:
        """Clear the recurrent memory of every env (or of the envs in ``mask``)."""
        if mask is None:
            self.memory = {}
            return
        for team, memory in self.memory.items():
            self.memory[team] = memory.masked_fill(mask.view(-1, 1, 1), 0.0)

    def as_fn(self) -> PolicyFn:
        """This policy as a ``PolicyFn`` that restarts recurrent memory with each episode and
        plays only legal actions where the env masks them."""
        return lambda env, obs: self(obs, starts=env.episode_starts(),
                                     action_mask=env.action_mask())

    def only(self, team: str) -> Policy:
        """A policy of ``team``'s actor alone (greedy or not, as this one)."""
        return Policy({team: self.actors[team]}, {team: self.spaces[team]}, self.deterministic)

    def bind(self, env: VecEnv) -> Policy:
        """Adapt to ``env``'s observation layouts (count-invariant actors, e.g. attention, run
        with other agent counts); checks that observation sizes fit otherwise."""
        for team, actor in self.actors.items():
            if team not in env.teams:
                raise KeyError(f"env {env.env_id} has no team {team!r} (teams: {list(env.teams)})")
            layout = env.obs_layout(team)
            if layout[0][2] > 0 and actor.set_layout(layout):
                continue
            have = env.observation_space(team).shape[0]  # type: ignore[index]
            if actor.obs_dim != have:
                raise ValueError(f"team {team!r}: the policy takes {actor.obs_dim} observation "
                                 f"features, env {env.env_id} gives {have}; only attention "
                                 "policies run with other agent counts")
        return self


def same_action_kind(a: gymnasium.Space, b: gymnasium.Space) -> bool:
    """Whether a policy of action space ``a`` can act in ``b``: the same class and shape, for
    discrete spaces the same number of actions, for boxes the same bounds (the dtype may
    differ)."""
    if type(a) is not type(b) or a.shape != b.shape:
        return False
    if isinstance(a, gymnasium.spaces.Discrete) and isinstance(b, gymnasium.spaces.Discrete):
        return bool(a.n == b.n)
    if isinstance(a, gymnasium.spaces.Box) and isinstance(b, gymnasium.spaces.Box):
        return bool(np.allclose(a.low, b.low) and np.allclose(a.high, b.high))
    return a == b


def with_named_teams(policy: Policy, named: dict[str, str]) -> PolicyFn:
    """``policy`` as a ``PolicyFn`` in which the teams of ``named`` (``{team: "scripted" |
    "random"}``, teams without a network) are played by that named policy."""

    def act(env: VecEnv, obs: ByTeam) -> ByTeam:
        out = policy.as_fn()(env, obs)
        for team, source in named.items():
            out[team] = NAMED_POLICIES[source](env, obs)[team]
        return out

    return act
