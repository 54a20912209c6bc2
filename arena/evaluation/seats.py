"""Games: a trained policy in every seat of a game against an opponent (``random``,
``scripted`` or another run), with its win, draw and loss rates (Wilson 95% intervals) per seat
and the number of illegal actions it attempted. Run through ``arena eval RUN --vs OPPONENT``.

A seat is one agent of the env (``player_0``, ``player_1``, ...); the trained policy plays that
seat and the opponent every other one. The outcome of a game for a seat is the sign of its
return: a win above 0, a loss below, a draw at 0 (PettingZoo's classic games give +1 and -1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from arena.core.scenario import ByTeam
from arena.core.vec_env import VecEnv
from arena.evaluation.stats import wilson_ci
from arena.interfaces.episodes import run_episodes
from arena.interfaces.policies import NAMED_POLICIES, PolicyFn


def opponent_policy(spec: str, env: VecEnv, device: str = "cpu") -> PolicyFn:
    """``random``, ``scripted``, or a run directory / checkpoint (greedy)."""
    if spec in NAMED_POLICIES:
        return NAMED_POLICIES[spec]
    from arena.training.runs import load_policy

    return load_policy(spec, device=device, env=env).as_fn()


class SeatedPolicy:
    """``trained`` in seat ``(team, index)``, ``opponent`` elsewhere; counts the moves the
    trained policy makes in each env's first game, and the illegal ones among them where the
    env masks actions."""

    def __init__(self, trained: PolicyFn, opponent: PolicyFn, team: str, index: int) -> None:
        self.trained, self.opponent, self.team, self.index = trained, opponent, team, index
        self.moves = 0
        self.illegal = 0
        self._counting: torch.Tensor | None = None

    def __call__(self, env: VecEnv, obs: ByTeam) -> ByTeam:
        mine = self.trained(env, obs)[self.team][:, self.index]
        out = {t: a.clone() for t, a in self.opponent(env, obs).items()}
        out[self.team][:, self.index] = mine.to(out[self.team].dtype)
        if self._counting is None:  # the first call: every env starts its first game
            self._counting = torch.ones(env.num_envs, dtype=torch.bool, device=env.device)
        else:  # an env that starts a new game has finished its first
            self._counting &= ~env.episode_starts()
        acting = env.agent_mask(self.team)[:, self.index] & self._counting
        self.moves += int(acting.sum())
        masks = env.action_mask()
        if masks is not None:
            legal = masks[self.team][:, self.index].gather(-1, mine.long().unsqueeze(-1))
            self.illegal += int((acting & ~legal.squeeze(-1)).sum())
        return out


@dataclass
class SeatReport:
    """Per seat: win, draw and loss rates with Wilson intervals, illegal actions."""

    run: str
    opponent: str
    env_id: str
    episodes: int
    seats: dict[str, dict[str, Any]] = field(default_factory=dict)

    def table(self) -> str:
        lines = [f"{self.run} vs {self.opponent} on {self.env_id}, {self.episodes} games per "
                 "seat", f"{'seat':<12} {'win':>22} {'draw':>22} {'loss':>22} "
                 f"{'illegal / moves':>16}"]
        for seat, r in self.seats.items():
            cells = [f"{r[k]['rate']:.3f} [{r[k]['ci95_low']:.3f}, {r[k]['ci95_high']:.3f}]"
                     for k in ("win", "draw", "loss")]
            lines.append(f"{seat:<12} " + " ".join(f"{c:>22}" for c in cells)
                         + f" {r['illegal_actions']:>7} / {r['moves']:<6}")
        return "\n".join(lines)

    def write_json(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(self.__dict__, indent=2))


def play_seats(env: VecEnv, trained: PolicyFn, opponent: PolicyFn, seed: int = 12345,
               run: str = "", opponent_name: str = "") -> SeatReport:
    """``env.num_envs`` games with the trained policy in each seat in turn (same seeds)."""
    report = SeatReport(run, opponent_name, env.env_id, env.num_envs)
    for team, names in env.teams.items():
        for i, name in enumerate(names):
            seated = SeatedPolicy(trained, opponent, team, i)
            stats = run_episodes(env, seated, seed=seed)
            ret = stats.agent_returns[team][:, i]
            n = ret.numel()
            row: dict[str, Any] = {"illegal_actions": seated.illegal, "moves": seated.moves}
            for key, hits in (("win", ret > 0), ("draw", ret == 0), ("loss", ret < 0)):
                rate, low, high = wilson_ci(int(hits.sum()), n)
                row[key] = {"rate": rate, "ci95_low": low, "ci95_high": high, "n": n}
            report.seats[name] = row
    return report


def evaluate_seats(run: str, opponent: str, episodes: int = 1000, env_id: str | None = None,
                   overrides: dict[str, Any] | None = None, deterministic: bool = True,
                   seed: int = 12345, device: str = "cpu") -> SeatReport:
    """``arena eval RUN --vs OPPONENT``: the run's policy (or ``scripted``/``random`` with
    ``env_id``) in every seat of its env against ``opponent``."""
    from arena.core.registry import make
    from arena.interfaces.policies import with_named_teams
    from arena.training.runs import load_policy, load_run_config, make_env, named_teams

    if run in NAMED_POLICIES:
        if env_id is None:
            raise ValueError(f"--vs with the {run!r} policy needs an env: --env ENV_ID")
        env = make(env_id, num_envs=episodes, device=device, **(overrides or {}))
        trained = NAMED_POLICIES[run]
    else:
        cfg = load_run_config(run)
        cfg.device = device
        env = make_env(cfg, num_envs=episodes, **(overrides or {})) if env_id is None else \
            make(env_id, num_envs=episodes, device=device, **(overrides or {}))
        policy = load_policy(run, device=device, env=env, deterministic=deterministic)
        trained = with_named_teams(policy, named_teams(cfg))
    return play_seats(env, trained, opponent_policy(opponent, env, device), seed, run, opponent)
