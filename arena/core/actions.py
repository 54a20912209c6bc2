"""Action validation for ``VecEnv.step`` (``check_actions=True``): actions of the wrong team,
shape, dtype, device or range, or masked out for an agent that acts, are an ``ActionError`` that
names the env and the team."""

from __future__ import annotations

from typing import Any, Protocol

import gymnasium
import numpy as np
import torch


class ActionError(ValueError):
    """Actions of the wrong team, shape, dtype, device or range."""


class _Env(Protocol):
    env_id: str
    teams: dict[str, list[str]]
    num_envs: int
    device: torch.device

    def action_space(self, team: str) -> gymnasium.Space: ...

    def action_mask(self) -> dict[str, torch.Tensor] | None: ...

    def agent_mask(self, team: str) -> torch.Tensor: ...


def checked_actions(env: _Env, actions: Any) -> dict[str, torch.Tensor]:
    """``actions`` as ``{team: tensor}`` on the env's device, or an ``ActionError``."""
    if not isinstance(actions, dict):
        raise ActionError(f"{env.env_id}: actions must be a dict keyed by team "
                          f"{list(env.teams)}, got {type(actions).__name__}")
    unknown = set(actions) - set(env.teams)
    missing = set(env.teams) - set(actions)
    if unknown or missing:
        raise ActionError(f"{env.env_id}: actions must have exactly the teams "
                          f"{list(env.teams)}; missing {sorted(missing)}, "
                          f"unknown {sorted(unknown)}")
    checked = {team: _checked_team(env, team, actions[team]) for team in env.teams}
    masks = env.action_mask()
    for team, mask in (masks or {}).items():
        legal = mask.gather(-1, checked[team].unsqueeze(-1)).squeeze(-1)
        illegal = ~legal & env.agent_mask(team)
        if bool(illegal.any()):
            b, i = (int(x) for x in illegal.nonzero()[0])
            raise ActionError(f"{env.env_id}: actions[{team!r}] has illegal actions (masked "
                              f"out by the scenario), e.g. {int(checked[team][b, i])} for "
                              f"{env.teams[team][i]} in env {b}")
    return checked


def _checked_team(env: _Env, team: str, a: Any) -> torch.Tensor:
    space = env.action_space(team)
    where = f"{env.env_id}: actions[{team!r}]"
    if not isinstance(a, torch.Tensor):
        a = torch.as_tensor(np.asarray(a), device=env.device)
    base = (env.num_envs, len(env.teams[team]))
    if isinstance(space, gymnasium.spaces.Discrete):
        _check_shape(a, base, where, "(num_envs, agents)")
        if a.dtype.is_floating_point or a.dtype == torch.bool:
            raise ActionError(f"{where} has dtype {a.dtype}; discrete actions are integers")
        if bool(((a < 0) | (a >= int(space.n))).any()):
            raise ActionError(f"{where} has values outside [0, {int(space.n) - 1}]")
        return a.long()
    assert isinstance(space, gymnasium.spaces.Box)
    _check_shape(a, base + space.shape, where, "(num_envs, agents, action_dim)")
    if a.device != env.device:
        raise ActionError(f"{where} is on {a.device}, the env is on {env.device}")
    if not a.dtype.is_floating_point:
        raise ActionError(f"{where} has dtype {a.dtype}; continuous actions are floats")
    low, high = space.low, space.high
    if (low == low.min()).all() and (high == high.max()).all():
        lo, hi = float(low.min()), float(high.max())
        bad = ~((a >= lo - 1e-6) & (a <= hi + 1e-6))  # NaN fails both comparisons
        bounds = f"[{lo}, {hi}]"
    else:  # bounds per dimension (a move and a message)
        lo_t = torch.as_tensor(low, device=a.device, dtype=a.dtype)
        hi_t = torch.as_tensor(high, device=a.device, dtype=a.dtype)
        bad = ~((a >= lo_t - 1e-6) & (a <= hi_t + 1e-6))
        bounds = f"the per-dimension bounds of {space}"
    if bool(bad.any()):
        raise ActionError(f"{where} has values outside {bounds} or NaN")
    return a


def _check_shape(a: torch.Tensor, shape: tuple[int, ...], where: str, names: str) -> None:
    if tuple(a.shape) != shape:
        raise ActionError(f"{where} has shape {tuple(a.shape)}, expected {shape} {names}")
