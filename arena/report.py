"""``arena eval``: a policy's returns and scenario metrics with 95% intervals, as a table and
JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arena import checkpoint
from arena.evaluate import NAMED_POLICIES, EpisodeStats, run_episodes, write_episode_gif
from arena.policy import load_policy
from arena.registry import make
from arena.stats import summarize


@dataclass
class EvalReport:
    """Per-quantity summaries (mean, 95% interval, n) of one evaluation."""

    run: str
    env_id: str
    env_kwargs: dict[str, Any]
    episodes: int
    deterministic: bool
    backend: str = "torch"
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_stats(cls, stats: EpisodeStats, binary: tuple[str, ...] = (),
                   **meta: Any) -> EvalReport:
        """Summaries of ``stats``; metrics named in ``binary`` get Wilson intervals."""
        report = cls(**meta)
        for team, ret in stats.returns.items():
            report.rows[f"return/{team}"] = summarize(ret.cpu())
        report.rows["length"] = summarize(stats.lengths.cpu().float())
        for key, value in stats.metrics.items():
            report.rows[key] = summarize(value.cpu(), binary=key in binary)
        return report

    def table(self) -> str:
        mode = "greedy" if self.deterministic else "sampled"
        lines = [f"{self.env_id} {self.env_kwargs or ''} - {self.episodes} episodes, {mode}, "
                 f"{self.backend} physics",
                 f"{'quantity':<24} {'mean':>10}   95% interval"]
        for key, r in self.rows.items():
            lines.append(f"{key:<24} {r['mean']:>10.4f}   [{r['ci95_low']:.4f}, "
                         f"{r['ci95_high']:.4f}] ({r['interval']})")
        return "\n".join(lines)

    def write_json(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(self.__dict__, indent=2))


def evaluate_run(run: str | Path, episodes: int = 100, env_id: str | None = None,
                 overrides: dict[str, Any] | None = None, deterministic: bool = True,
                 seed: int = 12345, gif: str | None = None, device: str = "cpu",
                 external: str | None = None, backend: str = "torch") -> EvalReport:
    """Evaluate the policy of ``run`` for ``episodes`` episodes (one per env) on its own env or
    on ``env_id``, with scenario ``overrides`` (e.g. more agents for attention policies), on the
    ``torch`` or ``pymunk`` physics backend."""
    if str(run) in NAMED_POLICIES:
        return _evaluate_scripted(str(run), episodes, env_id, overrides, seed, gif, device,
                                  backend)
    is_sb3 = (Path(run) / "sb3_model.zip").exists()
    if backend != "torch" and (is_sb3 or external):
        raise ValueError(f"--backend {backend} applies to Arena's own scenarios and runs, "
                         "not to SB3 runs or external envs")
    if is_sb3:  # a stable-baselines3 baseline run
        from baselines.sb3 import evaluate_sb3_run

        return evaluate_sb3_run(run, episodes, overrides, deterministic, seed, device)
    from arena.runner import load_run_config, with_frozen_teams

    cfg = load_run_config(run, checkpoint.load(run, device))
    cfg.device = device
    if external:  # e.g. a policy trained on Arena's port, played in MPE2's own env
        cfg.env.external, cfg.env.kwargs, cfg.env.teams = external, dict(overrides or {}), {}
        return _evaluate_external(run, cfg, episodes, None, deterministic, seed, device)
    if cfg.env.external and env_id is None:
        if backend != "torch":
            raise ValueError(f"{run} was trained on an external env; --backend does not apply")
        return _evaluate_external(run, cfg, episodes, overrides, deterministic, seed, device)
    env_id = env_id or cfg.env.id
    kwargs = {**(cfg.env.kwargs if env_id == cfg.env.id else {}), **(overrides or {})}
    env = make(env_id, num_envs=episodes, device=device, backend=backend, **kwargs)
    policy = load_policy(run, device=device, env=env, deterministic=deterministic)
    play = with_frozen_teams(policy, cfg)  # teams the run left to a scripted policy
    stats = run_episodes(env, play, seed=seed)
    if gif:
        one = make(env_id, num_envs=1, device=device, auto_reset=False, backend=backend,
                   **kwargs)
        policy.bind(one)
        write_episode_gif(lambda obs: play(one, obs), one, gif, seed=seed)
    return EvalReport.from_stats(stats, env.binary_metrics, run=str(run),
                                 env_id=env_id, env_kwargs=kwargs, episodes=episodes,
                                 deterministic=deterministic, backend=backend)




def _evaluate_scripted(name: str, episodes: int, env_id: str | None,
                       overrides: dict[str, Any] | None, seed: int, gif: str | None,
                       device: str, backend: str) -> EvalReport:
    if env_id is None:
        raise ValueError(f"evaluating the {name!r} policy needs an env: --env ENV_ID")
    kwargs = dict(overrides or {})
    env = make(env_id, num_envs=episodes, device=device, backend=backend, **kwargs)
    policy = NAMED_POLICIES[name]
    stats = run_episodes(env, policy, seed=seed)
    if gif:
        one = make(env_id, num_envs=1, device=device, auto_reset=False, backend=backend,
                   **kwargs)
        write_episode_gif(lambda obs: policy(one, obs), one, gif, seed=seed)
    return EvalReport.from_stats(stats, env.binary_metrics, run=name, env_id=env_id,
                                 env_kwargs=kwargs, episodes=episodes, deterministic=True,
                                 backend=backend)


def _evaluate_external(run: str | Path, cfg: Any, episodes: int,
                       overrides: dict[str, Any] | None, deterministic: bool, seed: int,
                       device: str) -> EvalReport:
    """A run trained on an external PettingZoo env, evaluated on that env."""
    from arena.runner import make_env

    cfg.device = device
    env = make_env(cfg, num_envs=episodes, **(overrides or {}))
    policy = load_policy(run, device=device, env=env, deterministic=deterministic)
    stats = run_episodes(env, policy.as_fn(), seed=seed)
    return EvalReport.from_stats(stats, env.binary_metrics, run=str(run),
                                 env_id=cfg.env.external, env_kwargs={**cfg.env.kwargs,
                                                                     **(overrides or {})},
                                 episodes=episodes, deterministic=deterministic)


def side_by_side(reports: list[EvalReport]) -> str:
    """One row per quantity, one column per report (e.g. the same policy on the torch and the
    pymunk backend): mean [95% interval]."""
    keys = list(dict.fromkeys(k for r in reports for k in r.rows))
    head = f"{'quantity':<24} " + " ".join(f"{r.backend + ' physics':>30}" for r in reports)
    lines = [f"{reports[0].run} on {reports[0].env_id} - {reports[0].episodes} episodes", head]
    for k in keys:
        cells = []
        for r in reports:
            row = r.rows.get(k)
            cells.append(f"{row['mean']:.4f} [{row['ci95_low']:.4f}, {row['ci95_high']:.4f}]"
                         if row else "-")
        lines.append(f"{k:<24} " + " ".join(f"{c:>30}" for c in cells))
    return "\n".join(lines)
