"""Attacker x defender cross-play: every attacker policy against every defender policy, the
attack success rate (ASR) of each pair with a Wilson 95% interval, and each defender's worst
case over all attackers. Run through ``arena eval --attackers A ... --defenders D ...``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arena.core.registry import make
from arena.core.scenario import ByTeam
from arena.core.vec_env import VecEnv
from arena.evaluation.stats import wilson_ci
from arena.interfaces.episodes import run_episodes
from arena.interfaces.policies import NAMED_POLICIES, PolicyFn, mixed_policy
from arena.training.runs import load_policy


def side_policy(spec: str, team: str, env: VecEnv, device: str = "cpu") -> PolicyFn:
    """``team``'s actions from ``spec``: ``scripted``, ``random``, a run directory or a
    checkpoint (which must hold a policy for ``team``)."""
    if spec in NAMED_POLICIES:
        fn = NAMED_POLICIES[spec]
        return lambda e, obs: {team: fn(e, obs)[team]}
    policy = load_policy(spec, device=device, env=env)
    if team not in policy.actors:
        raise KeyError(f"{spec}: has no policy for team {team!r} (teams: {list(policy.actors)})")
    actor_only = policy.only(team)

    def act(env: VecEnv, obs: ByTeam) -> ByTeam:
        return actor_only.as_fn()(env, {team: obs[team]})

    return act


@dataclass
class CrossPlay:
    """The ASR matrix: ``cells[i][j]`` is attacker ``i`` against defender ``j``."""

    env_id: str
    env_kwargs: dict[str, Any]
    episodes: int
    metric: str
    attackers: list[str]
    defenders: list[str]
    cells: list[list[dict[str, float]]] = field(default_factory=list)

    def worst_case(self) -> dict[str, dict[str, Any]]:
        """Per defender: the highest ASR any attacker reaches, and which attacker."""
        out = {}
        for j, d in enumerate(self.defenders):
            i = max(range(len(self.attackers)), key=lambda a: self.cells[a][j]["asr"])
            out[d] = {"attacker": self.attackers[i], **self.cells[i][j]}
        return out

    def table(self) -> str:
        width = max(12, *(len(d) for d in self.defenders))
        left = max(26, *(len(a) for a in self.attackers)) + 2  # full names, never cut
        lines = [f"{self.metric} (rows: attackers, columns: defenders), {self.env_id} "
                 f"{self.env_kwargs or ''}, {self.episodes} episodes per pair",
                 " " * left + "".join(f"{d:>{width + 2}}" for d in self.defenders)]
        for i, a in enumerate(self.attackers):
            row = "".join(f"{c['asr']:>{width + 2}.3f}" for c in self.cells[i])
            lines.append(f"{a:<{left}}{row}")
        worst = self.worst_case()
        lines.append(f"{'worst case (max over rows)':<{left}}"
                     + "".join(f"{worst[d]['asr']:>{width + 2}.3f}" for d in self.defenders))
        return "\n".join(lines)

    def write_json(self, path: str | Path) -> None:
        data = {**self.__dict__, "worst_case": self.worst_case()}
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=2))

    def write_heatmap(self, path: str | Path) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        asr = [[c["asr"] for c in row] for row in self.cells]
        fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(self.defenders),
                                        1.2 + 0.6 * len(self.attackers)))
        im = ax.imshow(asr, vmin=0.0, vmax=1.0, cmap="Reds")
        for i, row in enumerate(asr):
            for j, v in enumerate(row):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center",
                        color="white" if v > 0.6 else "black")
        ax.set_xticks(range(len(self.defenders)), [Path(d).name for d in self.defenders],
                      rotation=30, ha="right")
        ax.set_yticks(range(len(self.attackers)), [Path(a).name for a in self.attackers])
        ax.set_xlabel("defender")
        ax.set_ylabel("attacker")
        fig.colorbar(im, ax=ax, label=self.metric)
        fig.tight_layout()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
        plt.close(fig)


def cross_play(attackers: Sequence[str], defenders: Sequence[str], env_id: str,
               env_kwargs: dict[str, Any] | None = None, episodes: int = 1000,
               attacker_team: str = "attacker", defender_team: str = "defender",
               metric: str = "attack_success", seed: int = 12345,
               device: str = "cpu") -> CrossPlay:
    """Play every attacker against every defender for ``episodes`` episodes (same seeds for
    every pair, so pairs differ only by the policies)."""
    kwargs = dict(env_kwargs or {})
    env = make(env_id, num_envs=episodes, device=device, **kwargs)
    for team in (attacker_team, defender_team):
        if team not in env.teams:
            raise KeyError(f"{env_id} has no team {team!r} (teams: {list(env.teams)})")
    result = CrossPlay(env_id, kwargs, episodes, metric, list(attackers), list(defenders))
    defense = [side_policy(d, defender_team, env, device) for d in defenders]
    for a in attackers:
        attack = side_policy(a, attacker_team, env, device)
        row = []
        for defend in defense:
            joint = mixed_policy({attacker_team: attack, defender_team: defend})
            stats = run_episodes(env, joint, seed=seed)
            if metric not in stats.metrics:
                raise KeyError(f"{env_id} reports no metric {metric!r} "
                               f"(metrics: {sorted(stats.metrics)})")
            hits = stats.metrics[metric]
            if not bool(((hits == 0) | (hits == 1)).all()):
                raise ValueError(f"{env_id}: metric {metric!r} is not a 0/1 outcome per "
                                 "episode; cross-play needs one (e.g. attack_success)")
            rate, low, high = wilson_ci(int(hits.sum()), hits.numel())
            row.append({"asr": rate, "ci95_low": low, "ci95_high": high, "n": hits.numel(),
                        f"return_{attacker_team}": float(stats.returns[attacker_team].mean()),
                        f"return_{defender_team}": float(stats.returns[defender_team].mean())})
        result.cells.append(row)
    return result
