"""Attacks from inside a team (``attack:`` in a run config). ``takeover`` (partial control): the
run's learner is the attacker and owns ``k`` slots of the victim team; the victim run's frozen
policy owns the others (``arena.interfaces.control``). The attacker's reward is the negative of
the honest agents' mean reward, and the env reports the honest agents' ``task_success``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from arena.core.scenario import ByTeam
from arena.core.typed import ConfigError, to_dict
from arena.core.vec_env import VecEnv
from arena.interfaces.control import LEARNER, Controller, TeamControl
from arena.interfaces.learner import TeamActor
from arena.interfaces.policies import PolicyFn
from arena.training import checkpoint
from arena.training.frozen import FrozenPolicy
from arena.training.run_config import AttackConfig, RunConfig, load_config
from arena.training.runs import load_run_config, make_env


def attack_config(victim: str | Path, kind: str = "takeover", agents: int = 1, team: str = "",
                  agents_random: bool = False, run_dir: str | None = None,
                  time_limit: float | None = None, overrides: dict[str, Any] | None = None
                  ) -> RunConfig:
    """The config of an attack run against ``victim`` (``arena attack``): the victim's env,
    network, algorithm and budget (``total_steps``: an attacker gets at least the victim's),
    its other trained teams frozen to the victim run, and the ``attack`` section."""
    cfg = load_run_config(victim, checkpoint.load(victim))  # a missing run is named here
    env = make_env(cfg, num_envs=1, compile=False)
    spec = AttackConfig(kind=kind, team=team, agents=agents, victim=str(victim),
                        agents_random=agents_random)
    spec.validate()
    attacked = attacked_team(spec, env)
    base = to_dict(cfg)
    teams = {t: dict(over) for t, over in base.get("teams", {}).items() if t != attacked}
    for t in env.teams:
        if t != attacked and not cfg.frozen(t):
            teams[t] = {**teams.get(t, {}), "frozen": str(victim)}
    run_dir = run_dir or f"runs/{Path(cfg.run_dir).name}_attack_{kind}{agents}"
    base.update(name=Path(run_dir).name, coevolution={}, pretrain={}, teams=teams,
                attack={**to_dict(spec), "team": attacked})
    base["log"] = {**base.get("log", {}), "run_dir": run_dir}
    if time_limit is not None:
        base["time_limit"] = time_limit
    return load_config(None, overrides=overrides, base=base)


def attacked_team(cfg: AttackConfig, env: VecEnv) -> str:
    """The victim team of ``cfg`` in ``env`` (default: its first team), checked."""
    team = cfg.team or next(iter(env.teams))
    if team not in env.teams:
        raise ConfigError(f"attack.team: {team!r} is not a team of {env.env_id} "
                          f"(teams: {list(env.teams)})")
    n = len(env.teams[team])
    if cfg.agents > n:
        raise ConfigError(f"attack.agents: {cfg.agents} of team {team!r}, which has {n} agents")
    return team


def draw_attacked(num_envs: int, num_agents: int, k: int, at_random: bool,
                  generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
    """``(num_envs, num_agents)`` bool: the attacked slots, agents ``0..k-1`` or ``k`` drawn
    uniformly per env."""
    if not at_random:
        slots = torch.zeros(num_envs, num_agents, dtype=torch.bool, device=device)
        slots[:, :k] = True
        return slots
    scores = torch.rand(num_envs, num_agents, generator=generator, device=device)
    rank = scores.argsort(-1).argsort(-1)
    return rank < k


class Takeover:
    """The attacker (the team's learner) on ``k`` slots of the victim team, the victim's frozen
    policy on the others; slots drawn anew at every episode end when ``agents_random``."""

    def __init__(self, cfg: AttackConfig, env: VecEnv, control: dict[str, TeamControl],
                 device: torch.device, seed: int) -> None:
        self.cfg, self.env, self.device = cfg, env, device
        self.team = attacked_team(cfg, env)
        self.control = control[self.team]
        if not self.control.has_learner:
            raise ConfigError(f"attack: team {self.team!r} is frozen; the attacker is its "
                              f"learner (remove teams.{self.team}.frozen)")
        self.victim = self.control.add(FrozenPolicy(self.team, cfg.victim, env, device,
                                                    role="victim"))
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        b, n = env.num_envs, len(env.teams[self.team])
        self.attacked = draw_attacked(b, n, cfg.agents, cfg.agents_random, self.generator,
                                      device)
        self._assign()

    def _assign(self) -> None:
        self.control.assign(torch.where(self.attacked, LEARNER, self.victim))
        self.env.honest[self.team] = ~self.attacked

    def reward(self, team: str, reward: torch.Tensor) -> torch.Tensor:
        """The attacker's reward on every slot: minus the honest agents' mean reward."""
        if team != self.team:
            return reward
        honest = (~self.attacked).to(reward.dtype)
        task = (reward * honest).sum(-1) / honest.sum(-1).clamp_min(1.0)
        return (-task).unsqueeze(-1).expand_as(reward)

    def record(self, info: dict[str, Any]) -> None:
        """Episode ends: draw the attacked slots anew for those envs (``agents_random``)."""
        if not self.cfg.agents_random:
            return
        done = info["done"]
        b, n = self.attacked.shape
        fresh = draw_attacked(b, n, self.cfg.agents, True, self.generator, self.device)
        self.attacked = torch.where(done.unsqueeze(-1), fresh, self.attacked)
        self._assign()

    def play(self, env: VecEnv, attacker: TeamActor, deterministic: bool, seed: int,
             others: PolicyFn | None = None) -> TakeoverPlay:
        """The attacker's current ``actor`` against the victim in ``env`` (evaluation: the
        attacked slots drawn from ``seed``)."""
        gen = torch.Generator(device=env.device)
        gen.manual_seed(seed)
        attacked = draw_attacked(env.num_envs, len(env.teams[self.team]), self.cfg.agents,
                                 self.cfg.agents_random, gen, env.device)
        loaded = self.control.controllers[self.victim - 1]
        assert isinstance(loaded, FrozenPolicy)
        # the loaded victim's network: loading it again would draw from the global generator
        victim = FrozenPolicy(self.team, self.cfg.victim, env, env.device, deterministic,
                              role="victim", actor=loaded.actor)
        trained = FrozenPolicy(self.team, "attacker", env, env.device, deterministic,
                               actor=attacker)
        return TakeoverPlay(env, self.team, victim, trained, attacked, others)

    def state_dict(self) -> dict[str, Any]:
        return {"attacked": self.attacked.clone(), "generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if not state:
            return
        self.attacked = state["attacked"].to(self.device)
        self.generator.set_state(state["generator"])
        self._assign()


class Saboteur:
    """The scripted saboteur (``Scenario.saboteur_direction``) as a slot controller."""

    memory_size = 0

    def __init__(self, team: str, honest: torch.Tensor) -> None:
        self.team, self.name, self.honest = team, "scripted saboteur", honest

    def act(self, env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None,
            memory: torch.Tensor | None, starts: torch.Tensor,
            action_mask: torch.Tensor | None = None
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        actions = env.saboteur_actions(self.team, self.honest)
        return (actions if rows is None else actions[rows]), None


class TakeoverPlay:
    """A ``PolicyFn`` for evaluation: in every env the victim's policy (greedy) plays the honest
    slots of ``team`` and ``attacker`` the ``attacked`` ones (``attacker=None``: the victim
    plays every slot, the clean case; the env still scores the same honest agents). Other teams
    are played by ``others``."""

    def __init__(self, env: VecEnv, team: str, victim: Controller,
                 attacker: Controller | None, attacked: torch.Tensor,
                 others: PolicyFn | None = None) -> None:
        self.team, self.others = team, others
        self.control = TeamControl(team, env.num_envs, len(env.teams[team]), env.device,
                                   has_learner=False)
        v = self.control.add(victim)
        owner = torch.full_like(attacked, v, dtype=torch.long)
        if attacker is not None:
            owner = torch.where(attacked, self.control.add(attacker), owner)
        self.control.assign(owner)
        env.honest[team] = ~attacked

    def __call__(self, env: VecEnv, obs: ByTeam) -> ByTeam:
        masks = env.action_mask()
        mask = None if masks is None else masks.get(self.team)
        out = dict(self.others(env, obs)) if self.others is not None else {}
        out[self.team] = self.control.act(env, obs[self.team], None, env.episode_starts(),
                                          mask)
        return out
