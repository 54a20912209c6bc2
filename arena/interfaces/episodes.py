"""Episode statistics: ``run_episodes`` plays one episode per env to its end (evaluation),
``EpisodeTracker`` sums finished episodes during training without host synchronization."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from arena.core.scenario import ByTeam
from arena.core.vec_env import VecEnv
from arena.interfaces.policies import PolicyFn


@dataclass
class EpisodeStats:
    """Per-episode results, each a tensor of shape ``(episodes,)``."""

    returns: dict[str, torch.Tensor] = field(default_factory=dict)
    """Mean return per agent of each team."""
    lengths: torch.Tensor = field(default_factory=lambda: torch.zeros(0))
    metrics: dict[str, torch.Tensor] = field(default_factory=dict)
    """The scenario's metrics at each episode's end."""
    agent_returns: dict[str, torch.Tensor] = field(default_factory=dict)
    """Return of every agent of each team, ``(episodes, N_team)`` (a seat of a game)."""

    def means(self) -> dict[str, float]:
        """Flat ``{"return/team": mean, "length": mean, "metric": mean}``."""
        out = {f"return/{k}": float(v.mean()) for k, v in self.returns.items()}
        out["length"] = float(self.lengths.float().mean())
        out.update({k: float(v.float().mean()) for k, v in self.metrics.items()})
        return out


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
            each = stats.agent_returns.setdefault(team, torch.zeros_like(ret))
            stats.agent_returns[team] = torch.where(new.unsqueeze(-1), ret.to(each.dtype), each)
        for key, value in info["metrics"].items():
            acc = stats.metrics.setdefault(key, torch.zeros(b, device=env.device))
            stats.metrics[key] = torch.where(new, value.to(acc.dtype), acc)
        stats.lengths = torch.where(new, info["episode_length"], stats.lengths)
        seen |= info["done"]
    return stats


def run_episodes_seeded(env: VecEnv, policy: PolicyFn, seed: int = 0) -> EpisodeStats:
    """``run_episodes`` with the sampled actions (and random policies) drawn from ``seed`` too,
    so the result is reproducible; the global random stream is left as it was."""
    with torch.random.fork_rng(devices=[env.device] if env.device.type == "cuda" else []):
        torch.manual_seed(seed)
        return run_episodes(env, policy, seed=seed)


def write_episode_gif(policy: Callable[[ByTeam], dict[str, torch.Tensor]], env: VecEnv,
                      path: str | Path, seed: int = 0, episodes: int = 1,
                      marked: dict[str, list[int]] | None = None) -> Path:
    """Play ``episodes`` episodes of ``policy`` in a one-env ``env`` (made with
    ``auto_reset=False``) and write them to a GIF; ``marked``: agent slots per team ringed in
    red (``VecEnv.render``). Sampled actions are drawn from ``seed`` too, so the GIF is the
    same on every call; the global random stream is left as it was."""
    if env.num_envs != 1 or env.auto_reset:
        raise ValueError("write_episode_gif needs a VecEnv with num_envs=1, auto_reset=False")
    with torch.random.fork_rng(devices=[env.device] if env.device.type == "cuda" else []):
        torch.manual_seed(seed)
        return _write_episodes(policy, env, path, seed, episodes, marked)


def _write_episodes(policy: Callable[[ByTeam], dict[str, torch.Tensor]], env: VecEnv,
                    path: str | Path, seed: int, episodes: int,
                    marked: dict[str, list[int]] | None) -> Path:
    from arena.core.render import write_gif

    def draw() -> Any:  # an external env's render does not show the marks
        return env.render(0, marked)

    frames = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        reset = getattr(policy, "reset", None)
        if callable(reset):
            reset()
        frames.append(draw())
        done = False
        while not done:
            obs, _, _, _, info = env.step(policy(obs))
            frames.append(draw())
            done = bool(info["done"][0])
    return write_gif(frames, path)


class EpisodeTracker:
    """Sums of finished-episode returns, lengths and metrics between two log points. The sums
    stay on the env's device while the rollout runs (no host synchronization per step) and are
    read once, by ``means``."""

    def __init__(self) -> None:
        self.sums: dict[str, torch.Tensor] = {}

    def _add(self, key: str, value: torch.Tensor) -> None:
        old = self.sums.get(key)
        self.sums[key] = value if old is None else old + value

    def add(self, info: dict[str, Any]) -> None:
        done = info["done"].to(torch.float32)
        self._add("count", done.sum())
        for team, ret in info["episode_return"].items():
            self._add(f"return_{team}", (ret.mean(-1) * done).sum())
        self._add("length", (info["episode_length"].to(torch.float32) * done).sum())
        for k, v in info["metrics"].items():
            self._add(k, (v.to(torch.float32) * done).sum())

    def totals(self) -> dict[str, float]:
        """The sums as numbers (one host transfer)."""
        if not self.sums:
            return {}
        values = torch.stack(list(self.sums.values())).tolist()
        return dict(zip(self.sums, values, strict=True))

    @staticmethod
    def means_of(totals: list[dict[str, float]]) -> dict[str, float]:
        """Per-episode means of the summed ``totals`` (e.g. one per data-parallel worker)."""
        acc: dict[str, float] = {}
        for part in totals:
            for k, v in part.items():
                acc[k] = acc.get(k, 0.0) + v
        count = acc.pop("count", 0.0)
        if count == 0:
            return {}
        return {f"episode/{k}": v / count for k, v in acc.items()}

    def means(self) -> dict[str, float]:
        return self.means_of([self.totals()])
