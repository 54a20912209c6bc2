"""stable-baselines3 over Arena's batched env: PPO (or any on-policy SB3 algorithm) with
parameter sharing over the agents of one team.

``SB3VecEnv(env, team)`` is an SB3 ``VecEnv`` with ``num_envs = B * N_team`` sub-envs: sub-env
``b * N + i`` is agent ``i`` of team ``team`` in Arena env ``b``. One SB3 policy therefore acts
for every agent of the team (parameter sharing); the other teams are played by ``opponents``
(default: the scenario's scripted heuristic). Arena auto-resets finished envs, so a finished
sub-env reports ``done=True`` with ``terminal_observation`` (and ``TimeLimit.truncated`` for
time limits) in its info, as SB3's own vectorized envs do.

    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import VecMonitor
    venv = VecMonitor(SB3VecEnv(arena.make("coordination/simple_spread-v0", num_envs=64)))
    PPO("MlpPolicy", venv).learn(1_000_000)

Observations and actions cross to numpy on the host each step: that is SB3's interface.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env.base_vec_env import VecEnv as SB3BaseVecEnv

from arena.core.scenario import ByTeam
from arena.core.typed import ConfigError
from arena.core.vec_env import VecEnv
from arena.evaluation.report import EvalReport
from arena.interfaces.episodes import EpisodeStats, run_episodes
from arena.interfaces.policies import PolicyFn, mixed_policy, scripted_policy
from arena.training.logger import Logger
from arena.training.run_config import RunConfig, load_config, save_config
from arena.training.runs import make_env


class SB3VecEnv(SB3BaseVecEnv):
    """One team of an Arena ``VecEnv`` as an SB3 ``VecEnv`` of ``B * N_team`` sub-envs."""

    render_mode = None

    def __init__(self, env: VecEnv, team: str | None = None,
                 opponents: PolicyFn = scripted_policy, seed: int | None = 0) -> None:
        teams = list(env.teams)
        self.team = team or teams[0]
        if self.team not in env.teams:
            raise KeyError(f"team {self.team!r} is not a team of {env.env_id}: {teams}")
        self.env, self.opponents = env, opponents
        self.n_agents = len(env.teams[self.team])
        super().__init__(env.num_envs * self.n_agents, env.observation_space(self.team),
                         env.action_space(self.team))
        self._seed = seed
        self._obs: ByTeam | None = None
        self._actions: torch.Tensor | None = None

    # ------------------------------------------------------------------ helpers
    def _flat(self, x: torch.Tensor) -> np.ndarray:
        return x.reshape(self.num_envs, *x.shape[2:]).detach().cpu().numpy()

    def _per_agent(self, x: torch.Tensor) -> np.ndarray:
        """``(B,)`` -> ``(B * N,)``: every agent of env ``b`` shares its value."""
        return x.repeat_interleave(self.n_agents).cpu().numpy()

    # --------------------------------------------------------------- VecEnv API
    def reset(self) -> np.ndarray:
        self._obs, _ = self.env.reset(seed=self._seed)
        self._seed = None  # later resets continue the env's random stream
        self.reset_infos = [{} for _ in range(self.num_envs)]
        return self._flat(self._obs[self.team])

    def step_async(self, actions: np.ndarray) -> None:
        space = self.env.action_space(self.team)
        shape = (self.env.num_envs, self.n_agents, *(space.shape or ()))
        dtype = torch.long if space.shape == () else torch.float32
        try:
            acts = torch.as_tensor(np.asarray(actions), dtype=dtype, device=self.env.device)
            self._actions = acts.reshape(shape)
        except (RuntimeError, ValueError) as err:
            raise ValueError(f"team {self.team!r}: SB3 actions of shape "
                             f"{np.shape(actions)} do not fit {shape}: {err}") from None

    def step_wait(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        assert self._obs is not None and self._actions is not None, "call reset() first"
        actions = dict(self.opponents(self.env, self._obs))
        actions[self.team] = self._actions
        self._obs, rew, term, trunc, info = self.env.step(actions)
        done = term | trunc
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if bool(done.any()):
            final = self._flat(info["final_observation"][self.team])
            time_limit = self._per_agent(trunc & ~term)
            for k in np.flatnonzero(self._per_agent(done)):
                infos[k] = {"terminal_observation": final[k],
                            "TimeLimit.truncated": bool(time_limit[k])}
        return (self._flat(self._obs[self.team]), self._flat(rew[self.team]).astype(np.float32),
                self._per_agent(done), infos)

    def close(self) -> None:
        """Nothing to release: the batched env holds only tensors."""

    def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
        return [getattr(self, attr_name)] * len(list(self._get_indices(indices)))

    def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
        setattr(self, attr_name, value)

    def env_method(self, method_name: str, *method_args: Any, indices: Any = None,
                   **method_kwargs: Any) -> list[Any]:
        raise NotImplementedError(f"sub-envs of a batched Arena env have no separate "
                                  f"{method_name!r}; call it on SB3VecEnv.env")

    def env_is_wrapped(self, wrapper_class: type, indices: Any = None) -> list[bool]:
        return [False] * len(list(self._get_indices(indices)))

    def seed(self, seed: int | None = None) -> Sequence[None | int]:
        self._seed = seed
        return [seed] * self.num_envs


class _LogCallback(BaseCallback):
    """Writes SB3's finished-episode returns to the run's ``progress.csv`` / TensorBoard keyed
    by Arena env steps (one env step = ``n_agents`` SB3 timesteps) and enforces the time limit."""

    def __init__(self, logger: Any, n_agents: int, team: str, time_limit: float) -> None:
        super().__init__()
        self.run_logger, self.n_agents, self.team = logger, n_agents, team
        self.time_limit, self.start = time_limit, time.perf_counter()

    def _on_rollout_end(self) -> None:
        infos = list(self.model.ep_info_buffer or [])
        row = {"time/elapsed_s": time.perf_counter() - self.start}
        if infos:
            row[f"episode/return_{self.team}"] = float(np.mean([i["r"] for i in infos]))
            row["episode/length"] = float(np.mean([i["l"] for i in infos]))
        for key in ("train/policy_gradient_loss", "train/value_loss", "train/entropy_loss",
                    "train/approx_kl", "train/clip_fraction", "train/explained_variance"):
            value = self.model.logger.name_to_value.get(key)
            if value is not None:
                row[f"{self.team}/{key.removeprefix('train/')}"] = float(value)
        self.run_logger.log(self.num_timesteps // self.n_agents, row)

    def _on_step(self) -> bool:
        return not (self.time_limit and time.perf_counter() - self.start > self.time_limit)


def train_sb3(cfg: RunConfig) -> dict[str, float]:
    """Train SB3 PPO on ``cfg``'s env (``baseline`` section: ``team`` and PPO keyword
    arguments), log like ``arena train``, save ``sb3_model.zip`` and evaluate greedily."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import VecMonitor

    kwargs = {k: v for k, v in cfg.baseline.items() if k not in ("name", "team")}
    env = make_env(cfg)
    venv = SB3VecEnv(env, team=cfg.baseline.get("team"), seed=cfg.seed)
    kwargs.setdefault("n_steps", cfg.rollout_steps)
    try:
        model = PPO("MlpPolicy", VecMonitor(venv), seed=cfg.seed, device=cfg.device, **kwargs)
    except TypeError as err:
        raise ConfigError(f"baseline: {err}") from None
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    save_config(cfg, cfg.run_dir / "config.yaml")
    logger = Logger(cfg.run_dir, cfg.log.tensorboard)
    callback = _LogCallback(logger, venv.n_agents, venv.team, cfg.time_limit)
    model.learn(cfg.total_steps * venv.n_agents, callback=callback,
                progress_bar=False)
    model.save(str(cfg.run_dir / "sb3_model.zip"))
    elapsed = time.perf_counter() - callback.start
    summary = {"env_steps": float(model.num_timesteps // venv.n_agents),
               "train_seconds": elapsed}
    for key, value in evaluate_sb3(model, cfg, venv.team).items():
        summary[f"eval/{key}"] = value
    logger.log(int(summary["env_steps"]), {k: v for k, v in summary.items()
                                           if k.startswith("eval/")}, file="eval")
    logger.close()
    return summary


def evaluate_sb3_run(run: Path, episodes: int, overrides: dict[str, Any] | None,
                     deterministic: bool, seed: int, device: str) -> EvalReport:
    """``arena eval`` of a baseline run directory: the same report as for Arena's runs."""
    from stable_baselines3 import PPO

    cfg = load_config(Path(run) / "config.yaml")
    cfg.env.kwargs = {**cfg.env.kwargs, **(overrides or {})}
    cfg.eval.episodes, cfg.eval.deterministic, cfg.device = episodes, deterministic, device
    model = PPO.load(str(Path(run) / "sb3_model.zip"), device=device)
    stats, env = _sb3_episodes(model, cfg, cfg.baseline.get("team"), seed)
    return EvalReport.from_stats(stats, env.binary_metrics, run=str(run), env_id=env.env_id,
                                 env_kwargs=cfg.env.kwargs, episodes=episodes,
                                 deterministic=deterministic)


def evaluate_sb3(model: Any, cfg: RunConfig, team: str) -> dict[str, float]:
    """Greedy episodes of ``model`` for ``team`` (others scripted), one per env."""
    stats, _ = _sb3_episodes(model, cfg, team, cfg.seed + 12345)
    return stats.means()


def _sb3_episodes(model: Any, cfg: RunConfig, team: str | None, seed: int
                  ) -> tuple[EpisodeStats, VecEnv]:
    """Episodes with ``team`` (default: the env's first) played by ``model``."""
    env = make_env(cfg, num_envs=cfg.eval.episodes)
    team = team or next(iter(env.teams))

    def act(_env: VecEnv, obs: ByTeam) -> ByTeam:
        flat = obs[team].reshape(-1, obs[team].shape[-1]).cpu().numpy()
        action, _ = model.predict(flat, deterministic=cfg.eval.deterministic)
        space = env.action_space(team)
        return {team: torch.as_tensor(action).reshape(env.num_envs, -1, *(space.shape or ()))}

    others = {t: scripted_policy for t in env.teams if t != team}
    return run_episodes(env, mixed_policy({team: act, **others}), seed=seed), env
