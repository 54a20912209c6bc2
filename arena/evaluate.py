"""Episode statistics of a policy on a batched env: one episode per env, run to completion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from arena.env import VecEnv
from arena.scenario import Obs

PolicyFn = Callable[[VecEnv, Obs], dict[str, torch.Tensor]]


@dataclass
class EpisodeStats:
    """Per-episode results, each a tensor of shape ``(episodes,)``."""

    returns: dict[str, torch.Tensor] = field(default_factory=dict)
    """Mean return per agent of each team."""
    lengths: torch.Tensor = field(default_factory=lambda: torch.zeros(0))
    metrics: dict[str, torch.Tensor] = field(default_factory=dict)
    """The scenario's metrics at each episode's end."""

    def means(self) -> dict[str, float]:
        """Flat ``{"return/team": mean, "length": mean, "metric": mean}``."""
        out = {f"return/{k}": float(v.mean()) for k, v in self.returns.items()}
        out["length"] = float(self.lengths.float().mean())
        out.update({k: float(v.float().mean()) for k, v in self.metrics.items()})
        return out


def heuristic_policy(env: VecEnv, obs: Obs) -> dict[str, torch.Tensor]:
    """The scenario's scripted policy for every team."""
    return env.heuristic_actions()


def random_policy(env: VecEnv, obs: Obs) -> dict[str, torch.Tensor]:
    """Uniformly random actions for every team."""
    return env.sample_actions()


NAMED_POLICIES: dict[str, PolicyFn] = {"scripted": heuristic_policy, "random": random_policy}
"""Policies accepted by name wherever a run is expected (``arena eval``, cross-play)."""


def mixed_policy(by_team: dict[str, PolicyFn]) -> PolicyFn:
    """A policy that takes each team's actions from its own policy."""

    def act(env: VecEnv, obs: Obs) -> dict[str, torch.Tensor]:
        return {team: fn(env, obs)[team] for team, fn in by_team.items()}

    return act


def run_episodes(env: VecEnv, policy: PolicyFn, seed: int = 0) -> EpisodeStats:
    """Play the first episode of each of ``env.num_envs`` envs to its end under ``policy``."""
    obs, _ = env.reset(seed=seed)
    b = env.num_envs
    seen = torch.zeros(b, dtype=torch.bool, device=env.device)
    stats = EpisodeStats(lengths=torch.zeros(b, dtype=torch.long, device=env.device))
    while not bool(seen.all()):
        obs, _, _, _, info = env.step(policy(env, obs))
        if "metrics" not in info:
            continue
        new = info["done"] & ~seen
        for team, ret in info["episode_return"].items():
            acc = stats.returns.setdefault(team, torch.zeros(b, device=env.device))
            stats.returns[team] = torch.where(new, ret.mean(-1).to(acc.dtype), acc)
        for key, value in info["metrics"].items():
            acc = stats.metrics.setdefault(key, torch.zeros(b, device=env.device))
            stats.metrics[key] = torch.where(new, value.to(acc.dtype), acc)
        stats.lengths = torch.where(new, info["episode_length"], stats.lengths)
        seen |= info["done"]
    return stats


def write_episode_gif(policy: Callable[[Obs], dict[str, torch.Tensor]], env: VecEnv,
                      path: str | Path, seed: int = 0, episodes: int = 1) -> Path:
    """Play ``episodes`` episodes of ``policy`` in a one-env ``env`` (made with
    ``auto_reset=False``) and write them to a GIF."""
    from arena.render import write_gif

    if env.num_envs != 1 or env.auto_reset:
        raise ValueError("write_episode_gif needs a VecEnv with num_envs=1, auto_reset=False")
    frames = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        reset = getattr(policy, "reset", None)
        if callable(reset):
            reset()
        frames.append(env.render(0))
        done = False
        while not done:
            obs, _, _, _, info = env.step(policy(obs))
            frames.append(env.render(0))
            done = bool(info["done"][0])
    return write_gif(frames, path)
