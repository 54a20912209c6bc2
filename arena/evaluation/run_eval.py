"""``arena eval RUN``: play a saved run (or a named policy, or a baseline run) for a number of
episodes, one per env, and report returns and metrics with 95% intervals (``EvalReport``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from arena.core.registry import make
from arena.evaluation.report import EXTERNAL, EvalReport
from arena.interfaces.algorithms import baseline_spec
from arena.interfaces.episodes import EpisodeStats, run_episodes_seeded, write_episode_gif
from arena.interfaces.policies import NAMED_POLICIES, Policy, PolicyFn, with_named_teams
from arena.training import checkpoint
from arena.training.run_config import RunConfig, load_config
from arena.training.runs import load_policy, load_run_config, make_env, named_teams


def evaluate_run(run: str | Path, episodes: int = 100, env_id: str | None = None,
                 overrides: dict[str, Any] | None = None, deterministic: bool = True,
                 seed: int = 12345, gif: str | None = None, device: str = "cpu",
                 external: str | None = None, backend: str = "torch") -> EvalReport:
    """Evaluate the policy of ``run`` for ``episodes`` episodes (one per env) on its own env or
    on ``env_id``, with scenario ``overrides`` (e.g. more agents for attention policies), on the
    ``torch`` or ``pymunk`` physics backend. ``run`` may also be ``scripted`` or ``random``
    (with ``env_id``) or the directory of a baseline run (``baseline:`` in its config)."""
    if str(run) in NAMED_POLICIES:
        if env_id is None:
            raise ValueError(f"evaluating the {run!r} policy needs an env: --env ENV_ID")
        return _evaluate_on(str(run), env_id, dict(overrides or {}), NAMED_POLICIES[str(run)],
                            None, episodes, True, seed, gif, device, backend)
    baseline = _baseline_name(run)
    if backend != "torch" and (baseline or external):
        raise ValueError(f"--backend {backend} applies to Arena's own scenarios and runs, "
                         "not to baseline runs or external envs")
    if baseline:
        return baseline_spec(baseline).evaluate(Path(run), episodes, overrides, deterministic,
                                                seed, device)
    cfg = load_run_config(run, checkpoint.load(run, device))
    cfg.device = device
    if external:  # e.g. a policy trained on Arena's port, played in MPE2's own env
        cfg.env.external, cfg.env.kwargs, cfg.env.teams = external, dict(overrides or {}), {}
        return _evaluate_external(run, cfg, episodes, None, deterministic, seed, device, gif)
    if cfg.env.external and env_id is None:
        if backend != "torch":
            raise ValueError(f"{run} was trained on an external env; --backend does not apply")
        return _evaluate_external(run, cfg, episodes, overrides, deterministic, seed, device,
                                  gif)
    env_id = env_id or cfg.env.id
    kwargs = {**(cfg.env.kwargs if env_id == cfg.env.id else {}), **(overrides or {})}
    env = make(env_id, num_envs=episodes, device=device, backend=backend, **kwargs)
    policy = load_policy(run, device=device, env=env, deterministic=deterministic)
    play = with_named_teams(policy, named_teams(cfg))  # teams the run left to a named policy
    return _evaluate_on(str(run), env_id, kwargs, play, policy, episodes, deterministic, seed,
                        gif, device, backend, env)


def _baseline_name(run: str | Path) -> str:
    """The baseline a run directory was trained with (empty for Arena's own runs)."""
    config = Path(run) / "config.yaml"
    if not config.is_file() or (Path(run) / "checkpoints").is_dir():
        return ""
    return str(load_config(config).baseline.get("name", ""))


def _evaluate_on(name: str, env_id: str, kwargs: dict[str, Any], play: PolicyFn,
                 policy: Policy | None, episodes: int, deterministic: bool, seed: int,
                 gif: str | None, device: str, backend: str, env: Any = None) -> EvalReport:
    """``play`` for ``episodes`` episodes of ``env_id`` (and one more into ``gif``)."""
    env = env or make(env_id, num_envs=episodes, device=device, backend=backend, **kwargs)
    stats = run_episodes_seeded(env, play, seed)
    report = EvalReport.from_stats(stats, env.binary_metrics, run=name, env_id=env_id,
                                   env_kwargs=kwargs, episodes=episodes,
                                   deterministic=deterministic, backend=backend)
    if policy is not None and deterministic:  # sampled beside greedy, on the same seeds
        report.add_sampled(_sampled(env, play, policy, seed), env.binary_metrics)
    if gif:
        one = make(env_id, num_envs=1, device=device, auto_reset=False, backend=backend,
                   **kwargs)
        if policy is not None:
            policy.bind(one)
        write_episode_gif(lambda obs: play(one, obs), one, gif, seed=seed)
    return report


def _sampled(env: Any, play: PolicyFn, policy: Policy, seed: int) -> EpisodeStats:
    """The episodes of ``play`` with its networks' actions sampled instead of greedy."""
    policy.deterministic = False
    try:
        return run_episodes_seeded(env, play, seed)
    finally:
        policy.deterministic = True




def _evaluate_external(run: str | Path, cfg: RunConfig, episodes: int,
                       overrides: dict[str, Any] | None, deterministic: bool, seed: int,
                       device: str, gif: str | None = None) -> EvalReport:
    """A run trained on an external PettingZoo env, evaluated on that env (and one more
    episode into ``gif``, in the env's own ``rgb_array`` pictures)."""
    cfg.device = device
    env = make_env(cfg, num_envs=episodes, **(overrides or {}))
    policy = load_policy(run, device=device, env=env, deterministic=deterministic)
    stats = run_episodes_seeded(env, policy.as_fn(), seed)
    report = EvalReport.from_stats(stats, env.binary_metrics, run=str(run),
                                   env_id=cfg.env.external, env_kwargs={**cfg.env.kwargs,
                                                                       **(overrides or {})},
                                   episodes=episodes, deterministic=deterministic,
                                   backend=EXTERNAL)
    if deterministic:
        report.add_sampled(_sampled(env, policy.as_fn(), policy, seed), env.binary_metrics)
    if gif:
        one = make_env(cfg, num_envs=1, auto_reset=False, frames=True, **(overrides or {}))
        policy.bind(one)
        write_episode_gif(lambda obs: policy.as_fn()(one, obs), one, gif, seed=seed)
    return report
