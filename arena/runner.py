"""The training loop: collect a rollout of every team, compute advantages, update each team's
learner; log, checkpoint and evaluate. Everything stays on the env's device; the rollout writes
into preallocated ``(T, B, N, ...)`` buffers with no Python loop over envs or agents."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch

from arena import checkpoint, distributed
from arena.coevolution import Coevolution
from arena.config import ConfigError, to_dict
from arena.env import VecEnv
from arena.evaluate import NAMED_POLICIES, EpisodeStats, PolicyFn, run_episodes
from arena.learning import Learner, TeamRollout, TeamSpec, algo_spec
from arena.logger import Logger
from arena.opponents import SCRIPTED_SOURCES
from arena.policy import Policy, to_env_actions
from arena.registry import make
from arena.train_config import TrainConfig, load_config, save_config

CHECKPOINT_FORMAT = 1


def make_env(cfg: TrainConfig, num_envs: int | None = None, compile: bool | None = None,
             auto_reset: bool = True, device: torch.device | str | None = None,
             **overrides: Any) -> VecEnv:
    """The run's env (or a variant: other size, device, no compile, other scenario arguments);
    an external PettingZoo env (``env.external``) is wrapped in ``ExternalVecEnv``."""
    device = device or cfg.device
    if cfg.env.external:
        from arena.adapters.external import ExternalVecEnv, load_env_factory

        factory = load_env_factory(cfg.env.external, {**cfg.env.kwargs, **overrides})
        return ExternalVecEnv(factory, num_envs or cfg.env.num_envs, cfg.env.teams or None,  # type: ignore[return-value]
                              str(device), env_id=cfg.env.external, auto_reset=auto_reset)
    return make(cfg.env.id, num_envs=num_envs or cfg.env.num_envs, device=device,
                compile=cfg.env.compile if compile is None else compile, auto_reset=auto_reset,
                check_actions=False, backend=cfg.env.backend, **{**cfg.env.kwargs, **overrides})


def build_learners(cfg: TrainConfig, device: torch.device, env: VecEnv | None = None,
                   frozen: bool = True) -> tuple[dict[str, Learner], VecEnv]:
    """One learner per team of the run's env (made small if not given); teams with a
    ``frozen`` policy get a ``FrozenLearner`` (or are left out with ``frozen=False``)."""
    from arena.opponents import FrozenLearner

    env = env or make_env(cfg, num_envs=1, compile=False)
    unknown = set(cfg.teams) - set(env.teams)
    if unknown:
        raise ConfigError(f"teams: {sorted(unknown)} are not teams of {cfg.env.id} "
                          f"(teams: {list(env.teams)})")
    learners: dict[str, Learner] = {}
    for team in env.teams:
        source = cfg.frozen(team)
        if source:
            if frozen:
                learners[team] = FrozenLearner(TeamSpec.of(env, team), source, env, device)
            continue
        policy_cfg, algo_cfg = cfg.team_configs(team)
        spec = algo_spec(algo_cfg.name)
        learners[team] = spec.factory(TeamSpec.of(env, team), policy_cfg, algo_cfg, device)
    if not any(not isinstance(le, FrozenLearner) for le in learners.values()) and frozen:
        raise ConfigError("every team is frozen: nothing to train")
    return learners, env


def load_run_config(path: str | Path, ckpt: dict[str, Any] | None = None) -> TrainConfig:
    """The config saved with a run (from its checkpoint, else ``config.yaml``)."""
    if ckpt is not None and "config" in ckpt:
        return load_config(None, base=ckpt["config"])
    p = Path(path)
    run_dir = p if p.is_dir() else p.parent.parent
    return load_config(run_dir / "config.yaml")


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


class Trainer:
    """Trains one learner per team on the run's env; see ``TrainConfig``.

    Under ``torchrun`` each worker runs a ``Trainer`` on its own ``env.num_envs`` envs (seeded
    ``seed + rank * ENV_SEED_STRIDE``); learners all-reduce gradients and statistics so the
    networks stay identical; ``total_steps`` counts the steps of all workers; rank 0 logs,
    evaluates and writes the checkpoint (which holds every worker's env and RNG state)."""

    def __init__(self, cfg: TrainConfig, resume: bool = False) -> None:
        self.cfg = cfg
        self.worker, self.device = distributed.setup(cfg.device)
        torch.manual_seed(cfg.seed)  # identical initial networks on every worker
        self.env = make_env(cfg, device=self.device)
        self.learners, _ = build_learners(cfg, self.device, self.env)
        self.coevo = Coevolution(cfg.coevolution, self.env, self.learners, self.device)
        if self.coevo.populations and self.worker.world_size > 1:
            raise ValueError("coevolution.mode population runs in one process (populations "
                             "are not synchronized across torchrun workers)")
        rank = self.worker.rank
        if rank:
            torch.manual_seed(cfg.seed + rank * distributed.ENV_SEED_STRIDE)
        self.env.final_state_in_info = any(le.uses_state for le in self.learners.values())
        self.group_size = self._episodic_collection()
        self.rollouts = {
            team: TeamRollout(le.spec, cfg.rollout_steps, self.env.num_envs, self.device,
                              le.uses_state, memory_size(le), getattr(le, "seq_len", 0),
                              getattr(le, "action_shape", None), getattr(le, "imitates", False))
            for team, le in self.learners.items()
        }
        self.teacher = {t: ro.teacher for t, ro in self.rollouts.items() if ro.teacher is not None}
        """Rollout storage of the scripted actions, for the teams that imitate them."""
        if self.teacher and not hasattr(self.env, "heuristic_actions"):
            raise ValueError(f"algo.imitation_coef (teams {sorted(self.teacher)}) needs a "
                             f"scripted policy; {cfg.env.id} has none")
        self.memory = {  # recurrent policies' memory per env and agent, carried across steps
            team: torch.zeros(self.env.num_envs, le.spec.num_agents, memory_size(le),
                              device=self.device)
            for team, le in self.learners.items() if memory_size(le)}
        self.iteration, self.env_steps, self.elapsed = 0, 0, 0.0
        self.run_dir = cfg.run_dir
        self.env.reset(seed=cfg.seed + rank * distributed.ENV_SEED_STRIDE)
        if resume:
            self._load(checkpoint.load(self.run_dir, self.device))
        self.obs = self.env.observe()

    def _episodic_collection(self) -> int:
        """The group size of critic-free (group-relative) learners, 0 if there are none. Their
        rollouts are whole episodes: ``rollout_steps`` becomes the env's episode limit."""
        sizes = {int(getattr(le, "group_size", 0)) for le in self.learners.values()} - {0}
        if not sizes:
            return 0
        if len(sizes) > 1:
            raise ConfigError(f"algo.group_size: teams use different group sizes {sorted(sizes)}")
        size, env = sizes.pop(), self.env
        if not hasattr(env, "reset_groups"):
            raise ConfigError(f"{self.cfg.env.external}: group-relative algorithms need an Arena "
                              "scenario (external envs cannot restart from a shared state)")
        if env.num_envs % size:
            raise ConfigError(f"env.num_envs ({env.num_envs}) must be a multiple of "
                              f"algo.group_size ({size})")
        if self.coevo.populations:
            raise ConfigError("coevolution.mode population does not combine with group-relative "
                              "algorithms (opponents change within a group)")
        limit = int(getattr(env, "max_steps", 0))
        if not limit:
            raise ConfigError("group-relative algorithms need an env with an episode limit")
        if self.cfg.rollout_steps != limit and self.worker.is_main:
            print(f"group-relative training collects whole episodes: rollout_steps "
                  f"{self.cfg.rollout_steps} -> {limit} (the env's episode limit)")
        self.cfg.rollout_steps = limit
        return size

    # ------------------------------------------------------------- collection
    @torch.no_grad()
    def collect(self, episodes: EpisodeTracker) -> None:
        """Fill every team's rollout with ``rollout_steps`` steps of all envs. With a
        critic-free (group-relative) learner, every env first restarts from its group's shared
        start state and only each env's first episode counts (later steps are inactive)."""
        env, obs = self.env, self.obs
        alive = None
        if self.group_size:
            obs = env.reset_groups(self.group_size)
            alive = torch.ones(env.num_envs, dtype=torch.bool, device=self.device)
        for t in range(self.cfg.rollout_steps):
            state = env.global_state() if env.final_state_in_info else None
            starts = env.episode_starts()
            if self.teacher:  # the scripted policy labels the states the learners visit
                scripted = env.heuristic_actions()
                for team, store in self.teacher.items():
                    store[t] = scripted[team]
            actions = {team: self._act(t, team, le, obs[team], state, starts, alive)
                       for team, le in self.learners.items()}
            obs, rew, term, trunc, info = env.step(actions)
            for team, le in self.learners.items():
                ro = self.rollouts[team]
                ro.rewards[t] = rew[team]
                ro.dones[t] = (term | trunc).unsqueeze(-1)
                if "final_observation" in info:
                    self._bootstrap_truncated(team, le, t, trunc, info)
            if alive is not None:  # whole-episode rollouts: count each env's first episode
                info = {**info, "done": info["done"] & alive}
                alive = alive & ~(term | trunc)
            if "metrics" in info:
                episodes.add(info)
                self.coevo.record(info)
        self.obs = obs
        state = env.global_state() if env.final_state_in_info else None
        for team, ro in self.rollouts.items():
            ro.last_obs.copy_(obs[team])
            if ro.last_state is not None and state is not None:
                ro.last_state.copy_(state)

    def _act(self, t: int, team: str, le: Learner, obs: torch.Tensor,
             state: torch.Tensor | None, starts: torch.Tensor,
             alive: torch.Tensor | None) -> torch.Tensor:
        """``team``'s decision at step ``t``, written into its rollout; returns env actions."""
        ro = self.rollouts[team]
        memory = self.memory.get(team)
        if memory is not None and ro.memory is not None and t % ro.seq_len == 0:
            ro.memory[t // ro.seq_len] = memory
        res = le.act(obs, state, memory=memory, starts=starts)
        if res.memory is not None:
            self.memory[team] = res.memory
        ro.obs[t], ro.actions[t], ro.logp[t], ro.values[t] = (
            obs, res.actions, res.logp, res.values)
        ro.starts[t] = starts
        if ro.state is not None and state is not None:
            ro.state[t] = state
        active, mask = self.env.agent_mask(team), self.coevo.learner_mask(team)
        active = active if mask is None else active * mask  # population mode
        ro.active[t] = active if alive is None else active * alive.unsqueeze(-1)
        raw = res.actions if res.env_actions is None else res.env_actions
        return self.coevo.actions(team, obs, to_env_actions(self.env.action_space(team), raw))

    def _bootstrap_truncated(self, team: str, le: Learner, t: int, trunc: torch.Tensor,
                             info: dict[str, Any]) -> None:
        """Time-limit truncation is not a terminal state: add ``gamma * V(final state)``."""
        if not bool(trunc.any()) and self.device.type == "cpu":
            return
        final = le.value(info["final_observation"][team], info.get("final_state"))
        self.rollouts[team].rewards[t] += le.gamma * final * trunc.unsqueeze(-1)

    # ------------------------------------------------------------------ loop
    def train(self, stop_after_iterations: int | None = None) -> dict[str, float]:
        """Train until ``total_steps`` (or the time limit); returns the final summary (on
        rank 0; other data-parallel workers return ``{}``)."""
        cfg, main = self.cfg, self.worker.is_main
        logger = self._open_logger() if main else None
        steps_per_iter = cfg.rollout_steps * self.env.num_envs * self.worker.world_size
        bar = _progress(cfg, self.env_steps) if main else None
        done_iters, last = 0, {}
        if cfg.pretrain.source and self.iteration == 0:
            self._pretrain(logger)
        start = time.perf_counter() - self.elapsed
        while self.env_steps < cfg.total_steps:
            if cfg.time_limit and distributed.agree(
                    time.perf_counter() - start > cfg.time_limit):
                break
            if stop_after_iterations is not None and done_iters >= stop_after_iterations:
                break
            tick = time.perf_counter()
            episodes = EpisodeTracker()
            self.collect(episodes)
            stats = self._update()
            episode_means = EpisodeTracker.means_of(distributed.gather(episodes.totals()))
            self.iteration += 1
            stats.update(self.coevo.end_of_iteration(self.iteration, self.learners))
            done_iters += 1
            self.env_steps += steps_per_iter
            self.elapsed = time.perf_counter() - start
            last = {**stats, **episode_means,
                    "time/steps_per_s": steps_per_iter / (time.perf_counter() - tick),
                    "time/elapsed_s": self.elapsed}
            self._periodic(logger, last)
            if bar is not None:
                bar.update(steps_per_iter)
                bar.set_postfix(_postfix(last, self._time_left()), refresh=False)
        if bar is not None:
            bar.close()
        self.save_checkpoint()
        if logger is None:
            return {}
        summary = self._final(logger)
        logger.close()
        return summary

    def _pretrain(self, logger: Logger | None) -> None:
        """Behaviour cloning before the first iteration (not again on resume)."""
        from arena.pretrain import pretrain

        tick = time.perf_counter()
        stats = pretrain(self)
        if self.coevo.populations:
            self.coevo.seed_populations(self.learners)
        stats["pretrain/seconds"] = time.perf_counter() - tick
        if logger is not None:
            logger.log(0, stats, file="pretrain")
            print("pretrained: " + ", ".join(f"{k} {v:.4g}" for k, v in stats.items()))

    def _open_logger(self) -> Logger:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        save_config(self.cfg, self.run_dir / "config.yaml")
        return Logger(self.run_dir, self.cfg.log.tensorboard, start_step=self.env_steps)

    def _time_left(self) -> float | None:
        """Seconds left of ``time_limit`` when it ends the run before ``total_steps`` would."""
        if not self.cfg.time_limit:
            return None
        left = max(0.0, self.cfg.time_limit - self.elapsed)
        rate = self.env_steps / max(self.elapsed, 1e-9)
        by_steps = (self.cfg.total_steps - self.env_steps) / max(rate, 1e-9)
        return left if left < by_steps else None

    def _update(self) -> dict[str, float]:
        progress = self.env_steps / self.cfg.total_steps
        stats = {}
        for team in self.coevo.teams_to_update(self.iteration):
            le = self.learners[team]
            if hasattr(le, "progress"):
                le.progress = progress
            for k, v in le.update(self.rollouts[team]).items():
                stats[f"{team}/{k}"] = v
        return stats

    def _periodic(self, logger: Logger | None, stats: dict[str, float]) -> None:
        cfg = self.cfg
        if logger is not None:  # rank 0
            if cfg.eval.every and self.iteration % cfg.eval.every == 0:
                self._evaluate_and_log(logger)
            logger.log(self.env_steps, stats)
        if self.iteration % cfg.log.checkpoint_every == 0:
            self.save_checkpoint()

    def _evaluate_and_log(self, logger: Logger) -> dict[str, float]:
        """Evaluate the current policy; its means (``eval/...``) as a row of ``eval.csv``."""
        result = {f"eval/{k}": v for k, v in self.evaluate().means().items()}
        logger.log(self.env_steps, {**result, "time/elapsed_s": self.elapsed}, file="eval")
        return result

    def _final(self, logger: Logger) -> dict[str, float]:
        summary = {"env_steps": float(self.env_steps), "iterations": float(self.iteration),
                   "train_seconds": self.elapsed, **self._evaluate_and_log(logger)}
        if self.cfg.eval.gif and not self.cfg.env.external:  # external envs render their own way
            from arena.evaluate import write_episode_gif

            env = make_env(self.cfg, num_envs=1, compile=False, auto_reset=False,
                           device=self.device)
            play = self.play()
            write_episode_gif(lambda obs: play(env, obs), env, self.run_dir / "episode.gif",
                              self.cfg.seed)
        return summary

    # ------------------------------------------------------------ evaluation
    def policy(self) -> Policy:
        """The current actors as a ``Policy`` (teams frozen to a scripted or random policy
        have no actor and are left out)."""
        teams = [t for t in self.learners if self.cfg.frozen(t) not in SCRIPTED_SOURCES]
        return Policy({t: self.learners[t].actor() for t in teams},
                      {t: self.env.action_space(t) for t in teams},
                      self.cfg.eval.deterministic)

    def play(self) -> PolicyFn:
        """The current actors, with frozen scripted or random teams filled in."""
        return with_frozen_teams(self.policy(), self.cfg)

    def evaluate(self) -> EpisodeStats:
        """One episode in each of ``eval.episodes`` fresh envs, with the current policy."""
        env = make_env(self.cfg, num_envs=self.cfg.eval.episodes, compile=False,
                       device=self.device)
        try:
            return run_episodes(env, self.play(), seed=self.cfg.seed + 10_000)
        finally:
            for actor in self.policy().actors.values():
                actor.train()

    # ------------------------------------------------------------ checkpoints
    def _worker_state(self) -> dict[str, Any]:
        """What differs between data-parallel workers: their envs and random streams."""
        state = {"env": self.env.state_dict(), "torch_rng": torch.get_rng_state(),
                 "memory": self.memory}
        if self.device.type == "cuda":
            state["cuda_rng"] = torch.cuda.get_rng_state(self.device)
        return state

    def save_checkpoint(self) -> Path | None:
        """Write ``checkpoints/latest.pt`` atomically (rank 0, with every worker's env and RNG
        state; every worker must call this). Returns the path on rank 0."""
        workers = distributed.gather(distributed.to_cpu(self._worker_state()))
        learners = {t: le.state_dict() for t, le in self.learners.items()}
        _check_in_sync(learners)
        if not self.worker.is_main:
            return None
        state = {
            "format": CHECKPOINT_FORMAT,
            "config": to_dict(self.cfg),
            "iteration": self.iteration,
            "env_steps": self.env_steps,
            "elapsed": self.elapsed,
            "learners": learners,
            "coevolution": distributed.to_cpu(self.coevo.state_dict()),
            **workers[0],
            "world_size": self.worker.world_size,
        }
        if len(workers) > 1:
            state["workers"] = workers
        path = checkpoint.save_atomic(state, self.run_dir / "checkpoints" / checkpoint.LATEST)
        self.coevo.write_members(self.run_dir, state)
        return path

    def _load(self, ckpt: dict[str, Any]) -> None:
        if ckpt.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"checkpoint format {ckpt.get('format')} is not "
                             f"{CHECKPOINT_FORMAT}")
        for team, le in self.learners.items():
            le.load_state_dict(ckpt["learners"][team])
        self.iteration, self.env_steps = int(ckpt["iteration"]), int(ckpt["env_steps"])
        self.elapsed = float(ckpt["elapsed"])
        self.coevo.load_state_dict(ckpt.get("coevolution", {}))
        saved_world = int(ckpt.get("world_size", 1))
        if saved_world != self.worker.world_size:
            if self.worker.is_main:
                print(f"resuming a {saved_world}-worker run with {self.worker.world_size} "
                      "worker(s): networks and optimizers restored, envs start fresh episodes")
            return
        mine = ckpt["workers"][self.worker.rank] if "workers" in ckpt else ckpt
        self.env.load_state_dict(mine["env"])
        torch.set_rng_state(mine["torch_rng"])
        for team, memory in mine.get("memory", {}).items():
            self.memory[team] = memory.to(self.device)
        if self.device.type == "cuda" and "cuda_rng" in mine:
            torch.cuda.set_rng_state(mine["cuda_rng"], self.device)


def memory_size(learner: Learner) -> int:
    """Memory per agent of a learner's policy (0: feedforward)."""
    return int(getattr(learner, "memory_size", 0))


def _check_in_sync(learners: dict[str, Any]) -> None:
    """Data-parallel workers must hold the same networks; a mismatch means a learner skipped
    the all-reduce (e.g. a plug-in algorithm), and training on would silently diverge."""
    if not distributed.active():
        return
    sums = [float(t.double().sum()) for t in tensors_of(learners)]
    everyone = distributed.gather(sums)
    if any(other != everyone[0] for other in everyone[1:]):
        raise RuntimeError("data-parallel workers hold different learner parameters: the "
                           "team's algorithm does not all-reduce its gradients "
                           "(see arena.distributed.all_reduce_grads)")


def with_frozen_teams(policy: Policy, cfg: TrainConfig) -> PolicyFn:
    """``policy`` as a ``PolicyFn`` whose teams frozen to ``scripted``/``random`` (which have no
    network) are played by that policy."""
    named = {t: cfg.frozen(t) for t in cfg.teams if cfg.frozen(t) in SCRIPTED_SOURCES}

    def act(env: VecEnv, obs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        out = policy(obs, starts=env.episode_starts())
        for team, source in named.items():
            out[team] = NAMED_POLICIES[source](env, obs)[team]
        return out

    return act


def tensors_of(tree: Any) -> list[torch.Tensor]:
    """Every tensor in nested dicts, lists and tuples."""
    if isinstance(tree, torch.Tensor):
        return [tree]
    if isinstance(tree, dict):
        return [t for v in tree.values() for t in tensors_of(v)]
    if isinstance(tree, (list, tuple)):
        return [t for v in tree for t in tensors_of(v)]
    return []


def _progress(cfg: TrainConfig, initial: int) -> Any:
    if not cfg.log.progress:
        return None
    from tqdm import tqdm

    return tqdm(total=cfg.total_steps, initial=initial, unit="step", unit_scale=True,
                desc=cfg.name, dynamic_ncols=True)


def _postfix(stats: dict[str, float], time_left: float | None) -> dict[str, str]:
    out = {"steps/s": f"{stats.get('time/steps_per_s', 0):,.0f}"}
    if time_left is not None:  # the wall-clock budget ends the run before total_steps
        out["time left"] = f"{int(time_left) // 60}:{int(time_left) % 60:02d}"
    for k, v in stats.items():
        if k.startswith("episode/return_"):
            out[k.removeprefix("episode/return_")] = f"{v:.2f}"
    return out


def resume_config(run_dir: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """The config of an existing run (for ``arena train --resume``), with overrides such as a
    larger ``total_steps``."""
    ckpt = checkpoint.load(run_dir)
    cfg = load_config(None, overrides=overrides, base=ckpt["config"])
    cfg.log.run_dir = str(run_dir)
    return cfg
