"""The training loop: iterations of collect (``Collector``), update (each learner on its own
slots), schedules (co-evolution), logging, periodic evaluation, checkpoints and time budgets.
Everything stays on the env's device."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch

from arena.core.allocator import keep_freed_memory
from arena.core.typed import ConfigError, build, to_dict
from arena.core.vec_env import VecEnv
from arena.interfaces.episodes import (
    EpisodeStats,
    EpisodeTracker,
    run_episodes,
    run_episodes_seeded,
)
from arena.interfaces.learner import Learner, TeamActor
from arena.interfaces.policies import Policy, PolicyFn, with_named_teams
from arena.training import checkpoint, distributed
from arena.training.attack import THREATS, SlotAttack, Takeover, VictimActs, require_saboteur
from arena.training.coevolution import Coevolution
from arena.training.collector import Collector
from arena.training.frozen import FrozenPolicy
from arena.training.logger import Logger
from arena.training.pretrain import pretrain, saboteur_demonstrations
from arena.training.progress import progress_bar
from arena.training.robust import RobustTraining
from arena.training.run_config import RobustConfig, RunConfig, build_algo, save_config
from arena.training.runs import build_learner, check_teams, make_env, named_teams


class Trainer:
    """Trains one learner per trained team of the run's env; see ``RunConfig``.

    Under ``torchrun`` each worker runs a ``Trainer`` on its own ``env.num_envs`` envs (seeded
    ``seed + rank * ENV_SEED_STRIDE``); learners all-reduce gradients and statistics so the
    networks stay identical; ``total_steps`` counts the steps of all workers; rank 0 logs,
    evaluates and writes the checkpoint (which holds every worker's env and RNG state)."""

    def __init__(self, cfg: RunConfig, resume: bool = False) -> None:
        if cfg.seeds:
            raise ConfigError(f"seeds: {cfg.seeds}: one Trainer trains one seed; multi-seed "
                              "runs are arena train's (arena.training.seeds.SeedGroup)")
        self.cfg = cfg
        if cfg.keep_freed_memory:
            keep_freed_memory()
        self.worker, self.device = distributed.setup(cfg.device)
        torch.manual_seed(cfg.seed)  # identical initial networks on every worker
        self.env = make_env(cfg, device=self.device)
        self.learners, self.frozen = self._build_teams()
        group_size = self._group_size()
        self.collector = Collector(self.env, self.learners, dict(self.frozen),
                                   cfg.rollout_steps, self.device, group_size)
        self.coevo = Coevolution(cfg.coevolution, self.env, self.learners,
                                 self.collector.control, self.device)
        if self.coevo.populations and self.worker.world_size > 1:
            raise ValueError("coevolution.mode population runs in one process (populations "
                             "are not synchronized across torchrun workers)")
        self.collector.on_step.append(self.coevo.record)
        rank = self.worker.rank
        self.attack = self._build_attack(rank)
        self.robust = self._build_robust()
        if rank:
            torch.manual_seed(cfg.seed + rank * distributed.ENV_SEED_STRIDE)
        if self.collector.teacher and not self.env.has_scripted_policy:
            raise ValueError(f"algo.imitation_coef (teams {sorted(self.collector.teacher)}) "
                             f"needs a scripted policy; {self.env.env_id} has none")
        self.iteration, self.env_steps, self.elapsed = 0, 0, 0.0
        self._logger: Logger | None = None
        self._bar: Any = None
        self.last_stats: dict[str, float] = {}
        """The last iteration's logged statistics."""
        self.run_dir = cfg.run_dir
        self.env.reset(seed=cfg.seed + rank * distributed.ENV_SEED_STRIDE)
        if resume:
            self._load(checkpoint.load(self.run_dir, self.device))
        self.collector.obs = self.env.observe()

    def _build_teams(self) -> tuple[dict[str, Learner], dict[str, FrozenPolicy]]:
        """A learner for every trained team and a ``FrozenPolicy`` for every frozen one, built
        in the env's team order (network initialization draws from the seeded generator)."""
        cfg, env = self.cfg, self.env
        check_teams(cfg, env)
        learners: dict[str, Learner] = {}
        frozen: dict[str, FrozenPolicy] = {}
        for team in env.teams:
            if cfg.frozen(team):
                frozen[team] = FrozenPolicy(team, cfg.frozen(team), env, self.device)
            else:
                learners[team] = build_learner(cfg, team, env, self.device)
        if not learners:
            raise ConfigError("every team is frozen: nothing to train")
        return learners, frozen

    def _build_attack(self, rank: int) -> SlotAttack | None:
        """The threat model of an attack run (``attack.kind``), or ``None``."""
        cfg = self.cfg
        if not cfg.attack.kind:
            return None
        if cfg.coevolution.mode in ("population", "league"):
            raise ConfigError(f"attack: coevolution.mode {cfg.coevolution.mode} does not "
                              "combine with an attack run (the attacker trains alone)")
        seed = cfg.seed + rank * distributed.ENV_SEED_STRIDE
        attack = THREATS[cfg.attack.kind](cfg.attack, self.env, self.collector.control,
                                          self.device, seed)
        self.collector.reward_fn = attack.reward
        if isinstance(attack, VictimActs):
            self.collector.action_fn = attack.actions
        if isinstance(attack, Takeover) and cfg.attack.observe == "state":
            self.collector.obs_fn = attack.learner_obs
            self.collector.record_state()
        self.collector.on_step.append(attack.record)
        if cfg.pretrain.source == "saboteur":  # named before the run directory is written
            require_saboteur(self.env)
        return attack

    def _build_robust(self) -> RobustTraining | None:
        """The attacker population of robust training (``robust.kind``), or ``None``."""
        cfg = self.cfg
        if not cfg.robust.kind:
            return None
        if cfg.attack.kind or cfg.coevolution.mode in ("population", "league"):
            raise ConfigError("robust: robust training does not combine with an attack run or "
                              f"coevolution.mode {cfg.coevolution.mode}")
        if self.worker.world_size > 1:
            raise ConfigError("robust training runs in one process (the attacker population "
                              "is not synchronized across torchrun workers)")
        online = cfg.robust.online_algo  # the online attacker's algorithm, if not the team's
        online_cfg = build_algo(online, "robust.online_algo") if online else None
        robust = RobustTraining(cfg.robust, self.env, self.learners, self.collector,
                                self.device, cfg.seed,
                                lambda team: build_learner(cfg, team, self.env, self.device,
                                                           online_cfg))
        self.collector.on_step.append(robust.record)
        return robust

    def _group_size(self) -> int:
        """The group size of critic-free (group-relative) learners, 0 if there are none. Their
        rollouts are whole episodes: ``rollout_steps`` becomes the env's episode limit."""
        sizes = {le.caps.group_size for le in self.learners.values()} - {0}
        if not sizes:
            return 0
        if len(sizes) > 1:
            raise ConfigError(f"algo.group_size: teams use different group sizes {sorted(sizes)}")
        size, env = sizes.pop(), self.env
        if not env.supports_group_resets:
            raise ConfigError(f"{self.cfg.env.external}: group-relative algorithms need an Arena "
                              "scenario (external envs cannot restart from a shared state)")
        if env.num_envs % size:
            raise ConfigError(f"env.num_envs ({env.num_envs}) must be a multiple of "
                              f"algo.group_size ({size})")
        if self.cfg.coevolution.mode in ("population", "league"):
            raise ConfigError(f"coevolution.mode {self.cfg.coevolution.mode} does not combine "
                              "with group-relative algorithms (opponents change within a group)")
        limit = int(getattr(env, "max_steps", 0))
        if not limit:
            raise ConfigError("group-relative algorithms need an env with an episode limit")
        if self.cfg.rollout_steps != limit and self.worker.is_main:
            print(f"group-relative training collects whole episodes: rollout_steps "
                  f"{self.cfg.rollout_steps} -> {limit} (the env's episode limit)")
        self.cfg.rollout_steps = limit
        return size

    # ------------------------------------------------------------------ loop
    def train(self, stop_after_iterations: int | None = None) -> dict[str, float]:
        """Train until ``total_steps`` (or the time limit); returns the final summary (on
        rank 0; other data-parallel workers return ``{}``)."""
        self.begin()
        done = 0
        while self.running() and (stop_after_iterations is None or done < stop_after_iterations):
            self.iterate()
            done += 1
        return self.finish()

    def begin(self) -> None:
        """Open the log and the progress bar; behaviour cloning first when configured."""
        cfg, main = self.cfg, self.worker.is_main
        self._logger = self._open_logger() if main else None
        self._bar = progress_bar(cfg.log.progress and main, cfg.name, cfg.total_steps,
                                 cfg.time_limit)
        if cfg.pretrain.source and self.iteration == 0:
            self._pretrain(self._logger)

    def running(self) -> bool:
        """Whether the budget allows another iteration: steps left, and time left when
        ``time_limit`` is set (``elapsed`` counts this run's iterations only)."""
        cfg = self.cfg
        if self.env_steps >= cfg.total_steps:
            return False
        return not (cfg.time_limit and distributed.agree(self.elapsed > cfg.time_limit))

    def iterate(self) -> None:
        """One iteration: collect, update, schedules, logging, periodic evaluation and
        checkpoint. Its wall-clock time is added to ``elapsed``."""
        tick = time.perf_counter()
        steps_per_iter = self.cfg.rollout_steps * self.env.num_envs * self.worker.world_size
        episodes = EpisodeTracker()
        self.collector.collect(episodes)
        stats = self.update()
        episode_means = EpisodeTracker.means_of(distributed.gather(episodes.totals()))
        self.iteration += 1
        stats.update(self.coevo.end_of_iteration(self.iteration, self.learners))
        if self.robust is not None:
            stats.update(self.robust.end_of_iteration(self.iteration))
        self.env_steps += steps_per_iter
        now = time.perf_counter()
        last = {**stats, **episode_means, "time/steps_per_s": steps_per_iter / (now - tick),
                "time/elapsed_s": self.elapsed + now - tick}
        self.elapsed += now - tick
        self.last_stats = last
        self._periodic(self._logger, last)
        self.elapsed += time.perf_counter() - now
        if self._bar is not None:
            self._bar.update(self.env_steps, self.elapsed, last)

    def finish(self) -> dict[str, float]:
        """Close the bar, write the checkpoint, evaluate; the final summary (rank 0)."""
        if self._bar is not None:
            self._bar.close()
        self.save_checkpoint()
        if self._logger is None:
            return {}
        summary = self._final(self._logger)
        self._logger.close()
        return summary

    def update(self) -> dict[str, float]:
        """Update the learners whose turn it is on their last rollouts; returns their stats."""
        progress = self.env_steps / self.cfg.total_steps
        stats = {}
        for team in self.coevo.teams_to_update(self.iteration):
            rollout = self.collector.rollouts[team]
            for k, v in self.learners[team].update(rollout, progress).items():
                stats[f"{team}/{k}"] = v
        for sl in self.collector.slot_learners:  # robust training's online attacker
            for k, v in sl.learner.update(sl.rollout, progress).items():
                stats[f"{sl.team}/online_attacker/{k}"] = v
        return stats

    def _pretrain(self, logger: Logger | None) -> None:
        """Behaviour cloning before the first iteration (not again on resume)."""
        tick = time.perf_counter()
        demos = None
        if self.cfg.pretrain.source == "saboteur":
            assert isinstance(self.attack, Takeover)  # the config requires a takeover attack
            demos = saboteur_demonstrations(self.cfg, self.attack, self.device,
                                            self.worker.rank, self._others(None))
        stats = pretrain(self.cfg, self.learners, self.device, self.worker.rank,
                         self.worker.world_size, demos)
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

    def _periodic(self, logger: Logger | None, stats: dict[str, float]) -> None:
        cfg = self.cfg
        if logger is not None:  # rank 0
            if cfg.eval.every and self.iteration % cfg.eval.every == 0:
                self._evaluate_and_log(logger)
            logger.log(self.env_steps, stats)
        if self.iteration % cfg.log.checkpoint_every == 0:
            self.save_checkpoint()

    def _evaluate_and_log(self, logger: Logger) -> dict[str, float]:
        """Evaluate the current policy; its means (``eval/...``, and with sampled actions
        ``eval/sampled/...``) as a row of ``eval.csv``."""
        result = {f"eval/{k}": v for k, v in self.evaluate().means().items()}
        if self.cfg.eval.deterministic and self.cfg.eval.sampled:  # training's stream untouched
            sampled = self.evaluate(deterministic=False, seeded=True).means()
            result.update({f"eval/sampled/{k}": v for k, v in sampled.items()})
        logger.log(self.env_steps, {**result, "time/elapsed_s": self.elapsed}, file="eval")
        return result

    def _final(self, logger: Logger) -> dict[str, float]:
        summary = {"env_steps": float(self.env_steps), "iterations": float(self.iteration),
                   "train_seconds": self.elapsed, **self._evaluate_and_log(logger)}
        if self.cfg.eval.gif and not self.cfg.env.external:  # external envs render their own way
            from arena.interfaces.episodes import write_episode_gif

            env = make_env(self.cfg, num_envs=1, compile=False, auto_reset=False,
                           device=self.device)
            play = self._play_on(env)
            write_episode_gif(lambda obs: play(env, obs), env, self.run_dir / "episode.gif",
                              self.cfg.seed)
        return summary

    # ------------------------------------------------------------ evaluation
    def policy(self, deterministic: bool | None = None) -> Policy:
        """The current actors as a ``Policy``: the learners', and those of teams frozen to
        another run (teams frozen to a scripted or random policy have no actor); greedy unless
        ``eval.deterministic`` (or ``deterministic``) is false."""
        actors: dict[str, TeamActor] = {}
        for team in self.env.teams:
            actor = self.learners[team].actor() if team in self.learners else \
                self.frozen[team].actor
            if actor is not None:
                actors[team] = actor
        greedy = self.cfg.eval.deterministic if deterministic is None else deterministic
        return Policy(actors, {t: self.env.action_space(t) for t in actors}, greedy)

    def play(self, deterministic: bool | None = None) -> PolicyFn:
        """The current actors, with frozen scripted or random teams filled in."""
        return with_named_teams(self.policy(deterministic), named_teams(self.cfg))

    def _play_on(self, env: VecEnv, deterministic: bool | None = None) -> PolicyFn:
        """``play``, or in an attack run the attacker on its slots against the victim."""
        if self.attack is None:
            return self.play(deterministic)
        actor = self.learners[self.attack.team].actor()
        return self.attack.play(env, actor, self.policy(deterministic).deterministic,
                                self.cfg.seed + 10_000, self._others(deterministic))

    def _others(self, deterministic: bool | None) -> PolicyFn:
        """In an attack run, the teams other than the attacked one (the attacker's input may
        differ from its team's observation, so it is played apart)."""
        assert self.attack is not None
        team, policy = self.attack.team, self.policy(deterministic)
        others = Policy({t: a for t, a in policy.actors.items() if t != team},
                        {t: s for t, s in policy.spaces.items() if t != team},
                        policy.deterministic)
        return with_named_teams(others, named_teams(self.cfg))

    def evaluate(self, deterministic: bool | None = None, seeded: bool = False
                 ) -> EpisodeStats:
        """One episode in each of ``eval.episodes`` fresh envs, with the current policy
        (greedy unless ``eval.deterministic`` or ``deterministic`` is false); ``seeded``: its
        samples drawn from the eval seed, off the global random stream."""
        env = make_env(self.cfg, num_envs=self.cfg.eval.episodes, compile=False,
                       device=self.device)
        run = run_episodes_seeded if seeded else run_episodes
        try:
            return run(env, self._play_on(env, deterministic), seed=self.cfg.seed + 10_000)
        finally:
            for le in self.learners.values():
                le.actor().train()

    # ------------------------------------------------------------ checkpoints
    def _worker_state(self) -> dict[str, Any]:
        """What differs between data-parallel workers: their envs, random streams, memories."""
        state = {"env": self.env.state_dict(), "torch_rng": torch.get_rng_state(),
                 **self.collector.state_dict()}
        if self.attack is not None:
            state["attack"] = self.attack.state_dict()
        if self.robust is not None:
            state["robust"] = self.robust.state_dict()
        if self.device.type == "cuda":
            state["cuda_rng"] = torch.cuda.get_rng_state(self.device)
        return state

    def save_checkpoint(self) -> Path | None:
        """Write ``checkpoints/latest.pt`` atomically (rank 0, with every worker's env and RNG
        state; every worker must call this). Returns the path on rank 0."""
        workers = distributed.gather(distributed.to_cpu(self._worker_state()))
        learners = {t: self.learners[t].state_dict() if t in self.learners
                    else {"frozen": self.frozen[t].name} for t in self.env.teams}
        _check_in_sync(learners)
        if not self.worker.is_main:
            return None
        counters = {"iteration": self.iteration, "env_steps": self.env_steps,
                    "elapsed": self.elapsed}
        state = checkpoint.run_checkpoint(to_dict(self.cfg), counters, learners,
                                          distributed.to_cpu(self.coevo.state_dict()), workers)
        path = checkpoint.save_atomic(state, self.run_dir / "checkpoints" / checkpoint.LATEST)
        self.coevo.write_members(self.run_dir, state)
        if self.robust is not None:
            self.robust.write_members(self.run_dir, state)
        return path

    def _load(self, ckpt: dict[str, Any]) -> None:
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
        mine = checkpoint.worker_state(ckpt, self.worker.rank)
        self.env.load_state_dict(mine["env"])
        torch.set_rng_state(mine["torch_rng"])
        self.collector.load_state_dict(mine)
        if self.attack is not None:
            self.attack.load_state_dict(mine.get("attack", {}))
        if self.robust is not None:
            saved = build(RobustConfig, ckpt["config"].get("robust"), "the checkpoint's robust")
            self.robust.load_state_dict(mine.get("robust", {}), saved)
        if self.device.type == "cuda" and "cuda_rng" in mine:
            torch.cuda.set_rng_state(mine["cuda_rng"], self.device)


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
                           "(see arena.training.distributed.all_reduce_grads)")


def tensors_of(tree: Any) -> list[torch.Tensor]:
    """Every tensor in nested dicts, lists and tuples."""
    if isinstance(tree, torch.Tensor):
        return [tree]
    if isinstance(tree, dict):
        return [t for v in tree.values() for t in tensors_of(v)]
    if isinstance(tree, (list, tuple)):
        return [t for v in tree for t in tensors_of(v)]
    return []
