"""Trained policies as plain callables: ``actions = policy(obs)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium
import torch
from torch import nn

from arena.env import VecEnv
from arena.evaluate import NAMED_POLICIES
from arena.scenario import Obs


def to_env_actions(space: gymnasium.Space, actions: torch.Tensor) -> torch.Tensor:
    """Policy outputs as valid env actions: continuous samples clipped into the box."""
    if isinstance(space, gymnasium.spaces.Box):
        low = torch.as_tensor(space.low, device=actions.device)
        high = torch.as_tensor(space.high, device=actions.device)
        return torch.max(torch.min(actions, high), low)
    return actions


class Policy:
    """The actors of a run, by team: maps the batched env's ``{team: (B, N, obs_dim)}`` to
    ``{team: actions}`` in each team's action space. Greedy unless ``deterministic=False``.

    Recurrent policies keep a memory per env and agent between calls; pass
    ``starts=env.episode_starts()`` so that it restarts with each episode (without it, the
    first call, or a call with another batch size, starts every env afresh and later calls
    continue the episodes)."""

    def __init__(self, actors: dict[str, nn.Module], spaces: dict[str, gymnasium.Space],
                 deterministic: bool = True) -> None:
        self.actors, self.spaces, self.deterministic = actors, spaces, deterministic
        self.memory: dict[str, torch.Tensor] = {}
        for actor in actors.values():
            actor.eval()

    @torch.no_grad()
    def __call__(self, obs: Obs, deterministic: bool | None = None,
                 starts: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        greedy = self.deterministic if deterministic is None else deterministic
        out = {}
        for team, actor in self.actors.items():
            if team not in obs:
                raise KeyError(f"policy has team {team!r}, observations have {list(obs)}")
            x = obs[team]
            if getattr(actor, "recurrent", False):
                memory, first = self._memory(team, actor, x, starts)
                d = actor.decide(x, greedy, memory, first)  # type: ignore[operator]
                self.memory[team] = d.memory
            else:
                d = actor.decide(x, greedy)  # type: ignore[operator]
            out[team] = to_env_actions(self.spaces[team], d.env_actions)
        return out

    def _memory(self, team: str, actor: nn.Module, x: torch.Tensor,
                starts: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        memory = self.memory.get(team)
        fresh = memory is None or memory.shape[:2] != x.shape[:2] or memory.device != x.device
        if memory is None or fresh:
            memory = actor.initial_memory(tuple(x.shape[:2]), x.device)  # type: ignore[operator]
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

    def as_fn(self) -> Any:
        """This policy as a ``PolicyFn`` ``(env, obs) -> actions`` that restarts recurrent
        memory with each episode of ``env``."""
        return lambda env, obs: self(obs, starts=env.episode_starts())

    def bind(self, env: VecEnv) -> Policy:
        """Adapt to ``env``'s observation layouts (attention policies run with other agent
        counts); checks that observation sizes fit otherwise."""
        for team, actor in self.actors.items():
            if team not in env.teams:
                raise KeyError(f"env {env.env_id} has no team {team!r} (teams: {list(env.teams)})")
            layout = env.obs_layout(team)
            backbone = getattr(actor, "backbone", None)
            if hasattr(backbone, "set_layout") and layout[0][2] > 0:
                actor.set_layout(layout)  # type: ignore[operator]
                continue
            want = getattr(actor, "obs_dim", None)
            have = env.observation_space(team).shape[0]  # type: ignore[index]
            if want is not None and want != have:
                raise ValueError(f"team {team!r}: the policy takes {want} observation features, "
                                 f"env {env.env_id} gives {have}; only attention policies run "
                                 "with other agent counts")
        return self


def load_policy(path: str | Path, device: str = "cpu", env: VecEnv | None = None,
                deterministic: bool = True) -> Policy:
    """The policy of a run directory or checkpoint file; ``env`` (optional) adapts attention
    policies to its agent counts."""
    from arena import checkpoint
    from arena.runner import build_learners, load_run_config

    ckpt = checkpoint.load(path, device)
    cfg = load_run_config(path, ckpt)
    cfg.device = device  # a run trained on a GPU plays on any device
    learners, spec_env = build_learners(cfg, torch.device(device), frozen=False)
    for team, path in _frozen_networks(cfg, learners):  # teams frozen to another run's actor
        learners[team] = load_policy(path, device).actors[team]  # type: ignore[assignment]
    actors: dict[str, Any] = {}
    for team, learner in learners.items():
        if isinstance(learner, nn.Module):
            actors[team] = learner
            continue
        state = ckpt["learners"][team]
        if set(state) == {"actor"}:  # a population member: the actor alone
            learner.actor().load_state_dict(state["actor"])
        else:
            learner.load_state_dict(state)
        actors[team] = learner.actor()
    spaces = {t: spec_env.action_space(t) for t in learners}
    policy = Policy(actors, spaces, deterministic)
    return policy.bind(env) if env is not None else policy


def _frozen_networks(cfg: Any, learners: dict[str, Any]) -> list[tuple[str, str]]:
    """(team, run) of every team frozen to another run's actor."""
    return [(team, cfg.frozen(team)) for team in cfg.teams
            if cfg.frozen(team) not in ("", *NAMED_POLICIES) and team not in learners]
