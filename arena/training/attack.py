"""Attacks from inside a team (``attack:`` in a run config). The run's learner is the attacker
and owns ``k`` slots of the victim team; the victim run's frozen policy owns the others
(``arena.interfaces.control``). ``takeover`` (partial control): the attacker acts for its
slots. ``perturb``: the victim acts for them too, on observations the attacker perturbed within
an L-inf ball. ``message``: the victim moves them, the attacker chooses their messages. The
attacker's reward is the negative of the honest agents' mean reward, and the env reports the
honest agents' ``task_success``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from arena.core.comm import TeamActions
from arena.core.scenario import ByTeam
from arena.core.typed import ConfigError, to_dict
from arena.core.vec_env import VecEnv
from arena.interfaces.control import LEARNER, Controller, TeamControl
from arena.interfaces.learner import TeamActor
from arena.interfaces.policies import PolicyFn
from arena.training import checkpoint
from arena.training.frozen import FrozenPolicy
from arena.training.run_config import AttackConfig, RunConfig, load_config
from arena.training.runs import load_run_config, make_env, message_layout


def attack_config(victim: str | Path, kind: str = "takeover", agents: int = 1, team: str = "",
                  agents_random: bool = False, run_dir: str | None = None,
                  time_limit: float | None = None, overrides: dict[str, Any] | None = None,
                  epsilon: float = 0.1) -> RunConfig:
    """The config of an attack run against ``victim`` (``arena attack``): the victim's env,
    network, algorithm and budget (``total_steps``: an attacker gets at least the victim's),
    its other trained teams frozen to the victim run, and the ``attack`` section."""
    cfg = load_run_config(victim, checkpoint.load(victim))  # a missing run is named here
    env = make_env(cfg, num_envs=1, compile=False)
    spec = AttackConfig(kind=kind, team=team, agents=agents, victim=str(victim),
                        agents_random=agents_random, epsilon=epsilon)
    try:
        spec.validate()
    except ValueError as e:
        raise ConfigError(f"attack: {e}") from None
    attacked = attacked_team(spec, env)
    base = to_dict(cfg)
    teams = {t: dict(over) for t, over in base.get("teams", {}).items() if t != attacked}
    for t in env.teams:
        if t != attacked and not cfg.frozen(t):
            teams[t] = {**teams.get(t, {}), "frozen": str(victim)}
    tag = f"{kind}{agents}" + (f"_eps{epsilon:g}" if kind == "perturb" else "")
    run_dir = run_dir or f"runs/{Path(cfg.run_dir).name}_attack_{tag}"
    base.update(name=Path(run_dir).name, coevolution={}, pretrain={}, robust={}, teams=teams,
                attack={**to_dict(spec), "team": attacked})
    base["log"] = {**base.get("log", {}), "run_dir": run_dir}
    if time_limit is not None:
        base["time_limit"] = time_limit
    algo = (overrides or {}).get("algo.name")
    victim_algo = base.get("algo", {}).get("name", "mappo")  # mappo: build_algo's default
    if algo is not None and algo != victim_algo:
        base["algo"] = {}  # another algorithm for the attacker: its defaults, not the victim's keys
    return load_config(None, overrides=overrides, base=base)


def team_inside(section: str, team: str, env: VecEnv) -> str:
    """``team``, checked as a team of ``env`` (to attack from inside, or to train robust).
    Errors name the config ``section``."""
    if team not in env.teams:
        raise ConfigError(f"{section}.team: {team!r} is not a team of {env.env_id} "
                          f"(teams: {list(env.teams)})")
    return team


def attacked_team(cfg: AttackConfig, env: VecEnv) -> str:
    """The victim team of ``cfg`` in ``env`` (default: its first team), checked."""
    team = team_inside("attack", cfg.team_in(env.teams), env)
    n = len(env.teams[team])
    if cfg.agents > n:
        raise ConfigError(f"attack.agents: {cfg.agents} of team {team!r}, which has {n} agents")
    if cfg.kind == "takeover" and cfg.agents == n:
        raise ConfigError(f"attack.agents: a takeover of all {n} agents of team {team!r} "
                          f"leaves no honest agent to score (at most {n - 1})")
    return team


def reward_honest_agents(env: VecEnv, team: str, key: str) -> None:
    """From now on ``env`` rewards ``team`` with the scenario's ``honest_reward`` of its
    honest agents; a scenario that does not declare one is an error naming the config ``key``."""
    if not env.has_honest_reward(team):
        raise ConfigError(f"{key}: {env.env_id} declares no honest reward for team {team!r} "
                          "(Scenario.honest_reward)")
    env.honest_reward_teams.add(team)


def honest_mean(values: torch.Tensor, honest: torch.Tensor) -> torch.Tensor:
    """``(B,)``: the mean of ``values`` ``(B, N)`` over the ``honest`` slots of each env."""
    weight = honest.to(values.dtype)
    return (values * weight).sum(-1) / weight.sum(-1).clamp_min(1.0)


def minus_honest(reward: torch.Tensor, honest: torch.Tensor) -> torch.Tensor:
    """A takeover attacker's reward on every slot ``(B, N)``: minus the mean reward of the
    ``honest`` slots of each env."""
    return (-honest_mean(reward, honest)).unsqueeze(-1).expand_as(reward)


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


class SlotAttack:
    """What every threat model shares: the attacked slots of the victim team (agents
    ``0..k-1``, or drawn anew at every episode end with ``agents_random``), the victim's frozen
    policy and the attacker's reward. The attacker (the team's learner) owns the attacked slots;
    subclasses say which agents stay honest and what the attacker's decision does."""

    def __init__(self, cfg: AttackConfig, env: VecEnv, control: dict[str, TeamControl],
                 device: torch.device, seed: int) -> None:
        self.cfg, self.env, self.device = cfg, env, device
        self.team = attacked_team(cfg, env)
        self.control = control[self.team]
        if not self.control.has_learner:
            raise ConfigError(f"attack: team {self.team!r} is frozen; the attacker is its "
                              f"learner (remove teams.{self.team}.frozen)")
        if cfg.objective == "outcome" and not env.has_task_outcome(self.team):
            raise ConfigError(f"attack.objective outcome: {env.env_id} declares no task "
                              f"outcome for team {self.team!r} (Scenario.task_outcome); use "
                              "objective return")
        if cfg.objective == "honest_return":
            reward_honest_agents(env, self.team, "attack.objective honest_return")
        self.victim_policy = FrozenPolicy(self.team, cfg.victim, env, device, role="victim")
        self.victim = self.control.add(self.victim_policy)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        b, n = env.num_envs, len(env.teams[self.team])
        self.attacked = draw_attacked(b, n, cfg.agents, cfg.agents_random, self.generator,
                                      device)
        self._assign()

    @staticmethod
    def honest_slots(attacked: torch.Tensor) -> torch.Tensor:
        """The agents whose task outcome and reward count, given the ``attacked`` slots."""
        raise NotImplementedError

    def attacker(self, env: VecEnv, actor: TeamActor, victim: FrozenPolicy,
                 deterministic: bool) -> Controller:
        """The controller of the attacked slots in evaluation, the attacker being ``actor``."""
        raise NotImplementedError

    def _assign(self) -> None:
        self.control.assign(torch.where(self.attacked, LEARNER, self.victim))
        self.env.honest[self.team] = self.honest_slots(self.attacked)

    def reward(self, team: str, reward: torch.Tensor, info: dict[str, Any] | None = None
               ) -> torch.Tensor:
        """The attacker's reward on every slot (``attack.objective``): minus the honest
        agents' mean reward (with ``honest_return`` the env has already rewarded them with the
        scenario's ``honest_reward``), or 1 where an episode ends with the honest agents' task
        failed."""
        if team != self.team:
            return reward
        if self.cfg.objective == "outcome":
            failed = torch.zeros(reward.shape[0], dtype=reward.dtype, device=reward.device)
            if info is not None and "metrics" in info:
                ok = info["metrics"]["task_success"].to(reward.dtype)
                failed = info["done"].to(reward.dtype) * (1.0 - ok)
            return failed.unsqueeze(-1).expand_as(reward)
        return minus_honest(reward, self.honest_slots(self.attacked))

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
             others: PolicyFn | None = None) -> AttackPlay:
        """The attacker's current ``actor`` against the victim in ``env`` (evaluation: the
        attacked slots drawn from ``seed``)."""
        attacked, victim = self._slots_and_victim(env, deterministic, seed)
        return AttackPlay(env, self.team, victim, self.attacker(env, attacker, victim,
                                                                deterministic),
                          attacked, self.honest_slots(attacked), others)

    def _slots_and_victim(self, env: VecEnv, deterministic: bool, seed: int
                          ) -> tuple[torch.Tensor, FrozenPolicy]:
        """The attacked slots of ``env`` drawn from ``seed``, and the victim's policy there."""
        gen = torch.Generator(device=env.device)
        gen.manual_seed(seed)
        attacked = draw_attacked(env.num_envs, len(env.teams[self.team]), self.cfg.agents,
                                 self.cfg.agents_random, gen, env.device)
        # the loaded victim's network: loading it again would draw from the global generator
        victim = FrozenPolicy(self.team, self.cfg.victim, env, env.device, deterministic,
                              role="victim", actor=self.victim_policy.actor)
        return attacked, victim

    def state_dict(self) -> dict[str, Any]:
        return {"attacked": self.attacked.clone(), "generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if not state:
            return
        self.attacked = state["attacked"].to(self.device)
        self.generator.set_state(state["generator"])
        self._assign()


class Takeover(SlotAttack):
    """``takeover``: the attacker acts for the ``k`` attacked agents, which are not honest.
    With ``observe: state`` its observations are followed by the global state
    (``learner_obs``, ``with_state``)."""

    @staticmethod
    def honest_slots(attacked: torch.Tensor) -> torch.Tensor:
        return ~attacked

    def learner_obs(self, team: str, obs: torch.Tensor, state: torch.Tensor | None
                    ) -> torch.Tensor:
        """The attacker learner's input (``Collector.obs_fn``) given the team's observations
        and the global ``state``."""
        if team != self.team or self.cfg.observe != "state":
            return obs
        assert state is not None
        return with_state(self.env, obs, state=state)

    def attacker(self, env: VecEnv, actor: TeamActor, victim: FrozenPolicy,
                 deterministic: bool) -> Controller:
        policy = FrozenPolicy(self.team, "attacker", env, env.device, deterministic, actor=actor)
        return StateObserving(policy) if self.cfg.observe == "state" else policy

    def saboteur_play(self, env: VecEnv, seed: int, others: PolicyFn | None = None
                      ) -> tuple[AttackPlay, torch.Tensor]:
        """The scripted saboteur on the attacked slots (drawn from ``seed``) against the
        victim, which samples its actions as in training; and those slots ``(B, N)``. The
        demonstrations of ``pretrain.source: saboteur``."""
        require_saboteur(env)
        attacked, victim = self._slots_and_victim(env, False, seed)
        saboteur = Saboteur(self.team, ~attacked)
        return AttackPlay(env, self.team, victim, saboteur, attacked, ~attacked, others), attacked


def with_state(env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None = None,
               state: torch.Tensor | None = None) -> torch.Tensor:
    """``observe: state``: each agent's observation ``(B', N, D)`` followed by its env's global
    state (``env.global_state()`` unless given, of the envs ``rows``)."""
    s = env.global_state() if state is None else state
    if rows is not None:
        s = s[rows]
    return torch.cat([obs, s.unsqueeze(1).expand(-1, obs.shape[1], -1)], dim=-1)


class StateObserving:
    """A slot controller that observes the global state too (``with_state``): a takeover
    attacker trained with ``attack.observe: state``."""

    def __init__(self, inner: Controller) -> None:
        self.inner, self.name, self.memory_size = inner, inner.name, inner.memory_size

    def act(self, env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None,
            memory: torch.Tensor | None, starts: torch.Tensor,
            action_mask: torch.Tensor | None = None
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        return self.inner.act(env, with_state(env, obs, rows), rows, memory, starts,
                              action_mask)


class VictimActs(SlotAttack):
    """Threats in which the victim's policy still acts for the attacked agents, which stay
    honest, and the attacker's decision changes what that policy sees or what the agent says.
    The victim must be feedforward."""

    threat = ""
    """The threat's name in errors."""

    def __init__(self, cfg: AttackConfig, env: VecEnv, control: dict[str, TeamControl],
                 device: torch.device, seed: int) -> None:
        super().__init__(cfg, env, control, device, seed)
        if self.victim_policy.memory_size:
            raise ConfigError(f"attack.kind {cfg.kind}: the victim {cfg.victim} is recurrent; "
                              f"{self.threat} supports feedforward victims")

    @staticmethod
    def honest_slots(attacked: torch.Tensor) -> torch.Tensor:
        return torch.ones_like(attacked)

    def actions(self, team: str, obs: torch.Tensor, decision: torch.Tensor,
                starts: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """Training (``Collector.action_fn``): the victim's env actions given the attacker's
        decisions (the collector keeps them on the attacker's slots)."""
        if team != self.team:
            return decision
        return self._victim_actions(obs, decision, starts, mask)

    def _victim_actions(self, obs: torch.Tensor, decision: torch.Tensor, starts: torch.Tensor,
                        mask: torch.Tensor | None) -> torch.Tensor:
        raise NotImplementedError


class Perturbation(VictimActs):
    """``perturb``: the attacker's decision for an attacked agent is a direction in
    ``[-1, 1]^obs_dim`` (its learner's action space, ``runs.learner_spec``); the victim's policy
    acts for that agent on its observation plus ``epsilon`` x that direction. Every agent stays
    honest."""

    threat = "observation perturbation"

    def _victim_actions(self, obs: torch.Tensor, direction: torch.Tensor, starts: torch.Tensor,
                        mask: torch.Tensor | None) -> torch.Tensor:
        delta = perturbation(direction, self.cfg.epsilon) * self.attacked.unsqueeze(-1)
        return self.victim_policy.act(self.env, obs + delta, None, None, starts, mask)[0]

    def attacker(self, env: VecEnv, actor: TeamActor, victim: FrozenPolicy,
                 deterministic: bool) -> Controller:
        return Perturbed(victim, trained_decision(actor, deterministic), self.cfg.epsilon,
                         "trained perturbation")


def perturbation(direction: torch.Tensor, epsilon: float) -> torch.Tensor:
    """The perturbation of a direction: ``epsilon`` x the direction clipped to ``[-1, 1]``, so
    its L-inf norm is at most ``epsilon``."""
    return epsilon * direction.clamp(-1.0, 1.0)


Direction = Callable[[torch.Tensor], torch.Tensor]
"""Observations ``(B, N, D)`` to perturbation directions in ``[-1, 1]`` of the same shape."""


def trained_decision(actor: TeamActor, deterministic: bool = True) -> Direction:
    """The trained attacker's decisions on the clean observations: perturbation directions,
    or the messages of a message injector."""
    return lambda obs: actor.decide(obs, deterministic).env_actions


def random_direction(generator: torch.Generator) -> Direction:
    """Uniform random directions (uniform noise of L-inf norm at most ``epsilon``)."""
    return lambda obs: torch.rand(obs.shape, generator=generator, device=obs.device) * 2 - 1


def gradient_direction(victim: TeamActor) -> Direction:
    """The fast gradient sign method (FGSM, Goodfellow et al. 2015; Huang et al. 2017 for
    policies): the sign of the gradient of the victim's loss of its own greedy action with
    respect to the observation, a white-box attack without training."""

    def direction(obs: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            x = obs.detach().clone().requires_grad_(True)
            greedy = victim.decide(obs.detach(), deterministic=True).env_actions
            (grad,) = torch.autograd.grad(victim.imitation_loss(x, greedy), x)
        return grad.sign()

    return direction


class Perturbed:
    """A slot controller: ``victim`` acting on observations perturbed by ``epsilon`` x
    ``direction(obs)``."""

    memory_size = 0

    def __init__(self, victim: FrozenPolicy, direction: Direction, epsilon: float,
                 name: str) -> None:
        self.victim, self.direction, self.epsilon, self.name = victim, direction, epsilon, name
        self.team = victim.team

    def act(self, env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None,
            memory: torch.Tensor | None, starts: torch.Tensor,
            action_mask: torch.Tensor | None = None
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        delta = perturbation(self.direction(obs), self.epsilon)
        return self.victim.act(env, obs + delta, rows, None, starts, action_mask)


class MessageInjection(VictimActs):
    """``message``: the attacker's decision for an attacked agent is the message it sends (its
    learner acts in the team's message space, ``runs.learner_spec``); the victim's policy
    still chooses that agent's move. Every agent stays honest."""

    threat = "message injection"

    def __init__(self, cfg: AttackConfig, env: VecEnv, control: dict[str, TeamControl],
                 device: torch.device, seed: int) -> None:
        super().__init__(cfg, env, control, device, seed)
        self.layout = message_layout(env, self.team)

    def _victim_actions(self, obs: torch.Tensor, message: torch.Tensor, starts: torch.Tensor,
                        mask: torch.Tensor | None) -> torch.Tensor:
        own = self.victim_policy.act(self.env, obs, None, None, starts, mask)[0]
        return self.layout.with_message(own, message)

    def attacker(self, env: VecEnv, actor: TeamActor, victim: FrozenPolicy,
                 deterministic: bool) -> Controller:
        return Injected(victim, trained_decision(actor, deterministic),
                        message_layout(env, victim.team), "trained injection")


class Injected:
    """A slot controller: ``victim``'s moves with the messages ``say(obs)`` (an action of the
    team's message space)."""

    memory_size = 0

    def __init__(self, victim: FrozenPolicy, say: Callable[[torch.Tensor], torch.Tensor],
                 layout: TeamActions, name: str) -> None:
        self.victim, self.say, self.layout, self.name = victim, say, layout, name
        self.team = victim.team

    def act(self, env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None,
            memory: torch.Tensor | None, starts: torch.Tensor,
            action_mask: torch.Tensor | None = None
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        own = self.victim.act(env, obs, rows, None, starts, action_mask)[0]
        return self.layout.with_message(own, self.say(obs)), None


def random_message(layout: TeamActions, generator: torch.Generator
                   ) -> Callable[[torch.Tensor], torch.Tensor]:
    """Uniformly random messages (tokens, or floats in ``[0, 1]``) for observations
    ``(B, N, D)``."""
    def say(obs: torch.Tensor) -> torch.Tensor:
        b, n = obs.shape[:2]
        if not layout.continuous:
            return torch.randint(0, layout.channel.tokens, (b, n), generator=generator,
                                 device=obs.device)
        return torch.rand(b, n, layout.channel.dim, generator=generator, device=obs.device)

    return say


THREATS: dict[str, type[SlotAttack]] = {"takeover": Takeover, "perturb": Perturbation,
                                        "message": MessageInjection}
"""The threat model of each ``attack.kind``."""


def has_saboteur(env: VecEnv) -> bool:
    """Whether ``env`` has the scripted saboteur: it steers agents of Arena's physics, which
    external envs and scenarios without physics lack."""
    return bool(getattr(getattr(env, "scenario", None), "physics", False))


def require_saboteur(env: VecEnv) -> None:
    """``pretrain.source: saboteur`` needs the scripted saboteur in ``env``: a named error."""
    if not has_saboteur(env):
        raise ConfigError(f"pretrain.source saboteur: {env.env_id} has no scripted saboteur "
                          "(it steers agents of Arena's physics)")


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


class AttackPlay:
    """A ``PolicyFn`` for evaluation: in every env the victim's policy (greedy) plays
    ``team``, ``attacker`` the ``attacked`` slots (``attacker=None``: the victim plays every
    slot, the clean case; the env still scores the same ``honest`` agents, by default those not
    attacked). Other teams are played by ``others``."""

    def __init__(self, env: VecEnv, team: str, victim: Controller,
                 attacker: Controller | None, attacked: torch.Tensor,
                 honest: torch.Tensor | None = None, others: PolicyFn | None = None) -> None:
        self.team, self.others = team, others
        self.control = TeamControl(team, env.num_envs, len(env.teams[team]), env.device,
                                   has_learner=False)
        v = self.control.add(victim)
        owner = torch.full_like(attacked, v, dtype=torch.long)
        if attacker is not None:
            owner = torch.where(attacked, self.control.add(attacker), owner)
        self.control.assign(owner)
        env.honest[team] = ~attacked if honest is None else honest

    def __call__(self, env: VecEnv, obs: ByTeam) -> ByTeam:
        masks = env.action_mask()
        mask = None if masks is None else masks.get(self.team)
        out = dict(self.others(env, obs)) if self.others is not None else {}
        out[self.team] = self.control.act(env, obs[self.team], None, env.episode_starts(),
                                          mask)
        return out
