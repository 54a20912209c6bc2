"""Robust training against attackers inside the team (``robust:`` in a run config), in the
shape of AdvEvo-MARL / Evo-MARL: in a fraction of the envs, ``k`` slots of the trained team are
played by members of a co-evolving attacker population; the team's learner owns the other slots
and learns only from them (``TeamControl.learner_slots``), and the env scores the task outcome
of those honest agents. An online attacker learner trains alongside the team on its own slots
(``Collector.add_slot_learner``); its snapshots join the population, whose members evolve by
selection on their attack success rate. ``kind: perturb`` is adversarial training against
observation perturbations: the attacked slots stay the team learner's, acting on (and learning
from) observations perturbed by the drawn member (``Collector.obs_fn``). ``kind: message``
is robust training against message injection: the team's current policy moves the attacked
slots, the drawn member chooses what they say, and the learner does not learn from them."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from arena.adapters.external import ExternalVecEnv
from arena.core.typed import ConfigError
from arena.core.vec_env import VecEnv
from arena.interfaces.control import LEARNER, Controller, TeamControl
from arena.interfaces.learner import Learner, TeamActor
from arena.interfaces.policies import NAMED_POLICIES, to_env_actions
from arena.training import checkpoint
from arena.training.attack import (
    Injected,
    draw_attacked,
    gradient_direction,
    honest_mean,
    minus_honest,
    perturbation,
    random_direction,
    random_message,
    reward_honest_agents,
    team_inside,
)
from arena.training.collector import Collector, SlotLearner
from arena.training.frozen import FrozenPolicy
from arena.training.run_config import RobustConfig
from arena.training.runs import load_run_config, message_layout

SABOTEUR = "scripted saboteur"
ONLINE = "online attacker"
FITNESS_FLOOR = 0.05  # draw: fitness: a member beaten this generation still comes back


class AttackerPopulation:
    """The attackers of one team: fixed trained attackers (``robust.attackers``), evolving
    networks, then the named members (the scripted saboteur, the random policy); with each
    member's last attack success rate as its fitness."""

    def __init__(self, cfg: RobustConfig, team: str, env: VecEnv, initial: TeamActor,
                 device: torch.device, generator: torch.Generator) -> None:
        self.team, self.mutation_std, self.generator = team, cfg.mutation_std, generator
        self.greedy = cfg.greedy_members
        self.fixed = [_attacker_actor(run, team, env, device, cfg.kind) for run in cfg.attackers]
        seeds = self.fixed or [initial]
        self.evolving = [self._mutant(seeds[k % len(seeds)])
                         for k in range(cfg.population_size)]
        self.layout = message_layout(env, team) if cfg.kind == "message" else None
        self.names = member_names(cfg)
        self.named = self.names[len(self.fixed) + len(self.evolving):]
        self.fitness = torch.full((self.slots,), 0.5)
        self.generation = 0

    @property
    def slots(self) -> int:
        return len(self.fixed) + len(self.evolving) + len(self.named)

    def network(self, k: int) -> TeamActor | None:
        """Member ``k``'s network (``None`` for a named member)."""
        nets = self.fixed + self.evolving
        return nets[k] if k < len(nets) else None

    @torch.no_grad()
    def _mutant(self, parent: TeamActor) -> TeamActor:
        child = copy.deepcopy(parent).eval()
        for p in child.parameters():
            noise = torch.randn(p.shape, generator=self.generator)  # the CPU stream, any device
            p.add_(noise.to(p.device, p.dtype) * self.mutation_std)
        return child

    @torch.no_grad()
    def act(self, k: int, env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None,
            action_mask: torch.Tensor | None) -> torch.Tensor:
        """Env actions of member ``k`` for the observations ``obs`` of the envs ``rows``."""
        net = self.network(k)
        if net is not None:
            a = net.decide(obs, self.greedy, action_mask=action_mask).env_actions
            return to_env_actions(env.action_space(self.team), a)
        name = self.named[k - len(self.fixed) - len(self.evolving)]
        if name == SABOTEUR:
            a = env.saboteur_actions(self.team, env.honest[self.team])
        else:  # the named policies act for every env
            a = to_env_actions(env.action_space(self.team),
                               NAMED_POLICIES[name](env, {self.team: obs})[self.team])
        return a if rows is None else a[rows]

    @torch.no_grad()
    def say(self, k: int, obs: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """``message``: the messages of member ``k`` (an action of the team's message space)
        for the observations ``obs`` of its envs; the random member draws uniform ones."""
        assert self.layout is not None
        net = self.network(k)
        if net is not None:
            return net.decide(obs, self.greedy).env_actions
        return random_message(self.layout, generator)(obs)

    @torch.no_grad()
    def evolve(self, failures: torch.Tensor, games: torch.Tensor,
               snapshot: tuple[TeamActor, float] | None = None) -> dict[str, float]:
        """End of a generation: each member's fitness is its attack success rate in this
        generation's episodes (kept from earlier ones if it played none). Evolving networks:
        the weakest is replaced by ``snapshot`` (the online attacker and its ASR) when given,
        the next weakest by a mutant of the fittest network. Stats: ``asr_member_k``, this
        generation's ASR of each member that played; ``fitness_member_k``, every slot's
        fitness after the replacements (a new network inherits its source's)."""
        played = games > 0
        asr = failures / games.clamp_min(1)
        stats = {f"robust/asr_member_{k}": float(asr[k]) for k in range(len(asr)) if played[k]}
        self.fitness = torch.where(played, asr, self.fitness)
        nets, start = len(self.fixed) + len(self.evolving), len(self.fixed)
        parent = int(torch.argmax(self.fitness[:nets])) if nets else -1
        weakest = [start + int(k) for k in torch.argsort(self.fitness[start:nets], stable=True)]
        if snapshot is not None and weakest:
            slot = weakest.pop(0)
            self.evolving[slot - start] = copy.deepcopy(snapshot[0]).eval()
            self.fitness[slot] = snapshot[1]
        if weakest and weakest[0] != parent:
            network = self.network(parent)
            assert network is not None
            self.evolving[weakest[0] - start] = self._mutant(network)
            self.fitness[weakest[0]] = self.fitness[parent]
        self.generation += 1
        return {**stats, **{f"robust/fitness_member_{k}": float(f)
                            for k, f in enumerate(self.fitness)}}

    def state_dict(self) -> dict[str, Any]:
        return {"evolving": [m.state_dict() for m in self.evolving], "fitness": self.fitness,
                "generation": self.generation}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for m, s in zip(self.evolving, state["evolving"], strict=True):
            m.load_state_dict(s)
        self.fitness = state["fitness"].cpu()
        self.generation = int(state["generation"])


def member_names(cfg: RobustConfig) -> list[str]:
    """The names of ``cfg``'s population members in slot order: the fixed attackers, the
    evolving networks, then the named members (the scripted saboteur, the random policy). A
    run listed more than once gets one name per entry ("attacker RUN", "attacker RUN #2"), so
    a changed resume keeps each entry's own state."""
    names, entries = [], Counter[str]()
    for run in cfg.attackers:
        entries[run] += 1
        names.append(f"attacker {run}" + (f" #{entries[run]}" if entries[run] > 1 else ""))
    names += [f"evolving attacker {k}" for k in range(cfg.population_size)]
    scripted = cfg.include_scripted and cfg.kind == "takeover"
    return names + [SABOTEUR] * scripted + ["random"] * cfg.include_random


def _regrown(state: dict[str, Any], old: list[str], new: list[str]) -> dict[str, Any]:
    """``state`` (of a population named ``old``) for the population named ``new``: each kept
    member keeps its fitness and this generation's counts, an added one starts at fitness 0.5
    with none; the online attacker's counts (the last) stay last."""
    where = {name: k for k, name in enumerate(new)}

    def moved(values: torch.Tensor, fill: float, extra: int) -> torch.Tensor:
        out = torch.full((len(new) + extra,), fill, dtype=values.dtype, device=values.device)
        for k, name in enumerate(old):
            if name in where:
                out[where[name]] = values[k]
        out[len(new):] = values[len(old):]
        return out

    population = {**state["population"], "fitness": moved(state["population"]["fitness"], 0.5, 0)}
    return {**state, "population": population, "failures": moved(state["failures"], 0.0, 1),
            "games": moved(state["games"], 0.0, 1)}


def _check_resumable(saved: RobustConfig, cfg: RobustConfig) -> None:
    """A robust run (saved under ``saved``) resumes under ``cfg`` only where its state still
    fits: the same kind and evolving networks, an online attacker in both or neither."""
    for key in ("kind", "population_size"):
        if getattr(saved, key) != getattr(cfg, key):
            raise ConfigError(f"robust.{key}: the run was trained with {getattr(saved, key)!r}, "
                              f"the resumed config has {getattr(cfg, key)!r}; it cannot change "
                              "on resume (robust.attackers and the named members can)")
    if bool(saved.online) != bool(cfg.online):
        raise ConfigError(f"robust.online: the run was trained with {saved.online}, the resumed "
                          f"config has {cfg.online}; an online attacker cannot be added or "
                          "removed on resume (a positive share can change)")


def _attacker_actor(run: str, team: str, env: VecEnv, device: torch.device,
                    kind: str = "takeover") -> TeamActor:
    """The trained attacker of attack run ``run`` (``robust.attackers``) of ``kind``, checked."""
    cfg = load_run_config(run, checkpoint.load(run))
    if cfg.attack.kind != kind:
        found = cfg.attack.kind or "no attack"
        raise ConfigError(f"robust.attackers: {run} is not a {kind} attack run ({found}); "
                          f"train one with arena attack VICTIM --kind {kind}")
    if cfg.attack.observe == "state":
        raise ConfigError(f"robust.attackers: {run} observes the global state (attack.observe: "
                          "state); the population's members observe their own agents")
    if cfg.env.id != env.env_id:
        raise ConfigError(f"robust.attackers: {run} attacks {cfg.env.id}, not this run's env "
                          f"{env.env_id}")
    actor = FrozenPolicy(team, run, env, device, role="robust.attackers").actor
    assert actor is not None
    return actor


class Member:
    """Slot controller of attacker population member ``k``."""

    memory_size = 0

    def __init__(self, population: AttackerPopulation, k: int) -> None:
        self.population, self.k = population, k
        self.name = population.names[k]

    def act(self, env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None,
            memory: torch.Tensor | None, starts: torch.Tensor,
            action_mask: torch.Tensor | None = None
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        return self.population.act(self.k, env, obs, rows, action_mask), None


class RobustTraining:
    """The trainer's schedule for ``robust:``: which envs have an attacker, which member, on
    which slots; the members' fitness; generations."""

    def __init__(self, cfg: RobustConfig, env: VecEnv, learners: dict[str, Learner],
                 collector: Collector, device: torch.device, seed: int,
                 make_learner: Callable[[str], Learner]) -> None:
        self.cfg, self.env, self.device = cfg, env, device
        self.make_learner = make_learner
        self.team = _robust_team(cfg, env, learners)
        self.declared = env.has_task_outcome(self.team)
        """Whether the env scores the task outcome; if not, the return-drop rule does."""
        if not self.declared:
            print(f"robust: {env.env_id} declares no task outcome for team {self.team!r}: an "
                  "attacked episode fails when its honest agents' return falls more than "
                  f"{cfg.drop_threshold:g} x |reference| below the reference, the clean "
                  "envs' mean honest return in the previous generation")
        if cfg.honest_reward:
            reward_honest_agents(env, self.team, "robust.honest_reward")
        self.control: TeamControl = collector.control[self.team]
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        self.perturb, self.message = cfg.kind == "perturb", cfg.kind == "message"
        self.population = AttackerPopulation(cfg, self.team, env,
                                             learners[self.team].actor(), device,
                                             torch.Generator().manual_seed(seed))
        self.first = 0
        self.online: SlotLearner | None = None
        """The online attacker learner (takeover; owner index ``first + population.slots``)."""
        if self.perturb:  # the slots stay the learner's: its observations are perturbed
            self.fgsm = gradient_direction(learners[self.team].actor())
            self._plan: list[tuple[int, torch.Tensor]] = []
            collector.obs_fn = self.perturbed_obs
        else:
            mover = FrozenPolicy(self.team, "the team's current policy", env, device,
                                 actor=learners[self.team].actor())
            for k in range(self.population.slots):
                index = self.control.add(self._member(k, mover))
                self.first = self.first or index
            if cfg.online:
                self.online = collector.add_slot_learner(
                    self.team, make_learner(self.team), self._attacker_reward, ONLINE)
                self.first = self.first or self.online.index
        b = env.num_envs
        self.group = max(1, collector.group_size)
        """Envs that share one draw (a group-relative learner's group: its members must play
        against the same attacker on the same slots for its baseline to be fair)."""
        self.attacked_envs = self.group * max(1, round(cfg.fraction * b / self.group))
        self.attacked = self._draw_slots()
        self.member = torch.full((b,), -1, dtype=torch.long, device=device)
        self.reference = torch.full((), float("nan"), device=device)
        """Without a task outcome: the previous generation's clean mean honest return."""
        self._zero_counts()
        self.draw_members()

    def _member(self, k: int, mover: FrozenPolicy) -> Controller:
        """Slot controller of member ``k``; with ``message`` (:class:`Injected`), ``mover``
        (the team's current policy, sampling as in training) moves the slot and the member
        chooses what it says."""
        if not self.message:
            return Member(self.population, k)
        assert self.population.layout is not None
        return Injected(mover, lambda obs: self.population.say(k, obs, self.generator),
                        self.population.layout, self.population.names[k])

    def _attacker_reward(self, reward: torch.Tensor, info: dict[str, Any]) -> torch.Tensor:
        return minus_honest(reward, self.env.honest[self.team])

    def _zero_counts(self) -> None:
        slots = self.population.slots + 1  # the last one counts the online attacker
        self.failures = torch.zeros(slots, device=self.device)
        self.games = torch.zeros(slots, device=self.device)
        self.clean = torch.zeros(2, device=self.device)  # successes, episodes
        self.clean_return = torch.zeros((), device=self.device)  # sum over clean episodes

    def _draw_slots(self) -> torch.Tensor:
        """The attacked slots of every env, ``(B, N)`` bool: one draw per group of envs."""
        b, n = self.env.num_envs, len(self.env.teams[self.team])
        slots = draw_attacked(b // self.group, n, self.cfg.agents, self.cfg.agents_random,
                              self.generator, self.device)
        return slots.repeat_interleave(self.group, 0)

    def draw_members(self) -> None:
        """An attacker for each of the first ``fraction`` x B envs (whole groups): the online
        attacker with probability ``online`` (index ``population.slots``), else a member drawn
        uniformly or (``draw: fitness``) in proportion to its fitness; one draw per group."""
        m, slots = self.attacked_envs // self.group, self.population.slots
        if self.cfg.draw == "fitness" and slots:
            weight = self.population.fitness.clamp_min(FITNESS_FLOOR).to(self.device)
            drawn = torch.multinomial(weight, m, replacement=True, generator=self.generator)
        else:
            drawn = torch.randint(max(slots, 1), (m,), generator=self.generator,
                                  device=self.device)
        if self.cfg.online:
            online = torch.rand(m, generator=self.generator, device=self.device) < self.cfg.online
            drawn = torch.where(online | (slots == 0), slots, drawn)
        self.member[:self.attacked_envs] = drawn.repeat_interleave(self.group)
        self._members_drawn()

    def _members_drawn(self) -> None:
        """After a new draw of ``member``: the slot assignment, and with ``perturb`` which envs
        each member perturbs (a host synchronization, once per generation, not per step)."""
        if self.perturb:
            present = torch.unique(self.member[self.member >= 0]).tolist()
            self._plan = [(k, (self.member == k).nonzero().squeeze(-1)) for k in present]
        self._assign()

    def _assign(self) -> None:
        taken = self.attacked & (self.member >= 0).unsqueeze(-1)
        if self.perturb:  # every agent stays honest: only the observations change
            self.env.honest[self.team] = torch.ones_like(taken)
            return
        owner = torch.where(taken, self.first + self.member.clamp_min(0).unsqueeze(-1),
                            LEARNER)
        self.control.assign(owner)
        # message injection: the attacked agents still move for the team, so they stay honest
        self.env.honest[self.team] = torch.ones_like(taken) if self.message else ~taken

    def record(self, info: dict[str, Any]) -> None:
        """Episode ends: each member's failures caused and games, the clean envs' success;
        then fresh attacked slots for those envs (``agents_random``)."""
        done = info["done"]
        if not self.declared and "episode_return" not in info:
            return  # no episode ended (an env that reports episode ends only when there are)
        clean = done & (self.member < 0)
        failed, scored = self._failed(info, clean)
        failed = done.float() * failed
        under = (self.member >= 0) & done & scored
        slot = self.member.clamp_min(0)
        self.failures.index_add_(0, slot, failed * under)
        self.games.index_add_(0, slot, under.float())
        self.clean += torch.stack([(clean.float() * (1 - failed)).sum(), clean.float().sum()])
        if self.cfg.agents_random and self.group == 1:  # groups: redrawn per iteration
            self.attacked = torch.where(done.unsqueeze(-1), self._draw_slots(), self.attacked)
            self._assign()

    def _failed(self, info: dict[str, Any], clean: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """Per env, whether its episode (if it ended) failed (0/1) and whether it is scored:
        the task outcome, or without one the return-drop rule against ``reference`` (no
        episode scored before there is one); adds the clean episodes' honest returns."""
        if self.declared:
            return 1.0 - info["metrics"]["task_success"].float(), torch.ones_like(clean)
        ret = honest_mean(info["episode_return"][self.team].float(), self.env.honest[self.team])
        self.clean_return += (ret * clean.float()).sum()
        ref = self.reference
        failed = ret < ref - self.cfg.drop_threshold * ref.abs()
        return failed.float(), (~torch.isnan(ref)).expand_as(clean)

    def end_of_iteration(self, iteration: int) -> dict[str, float]:
        """At a generation boundary: fitness, replacement, a new draw of members; stats.
        With groups and ``agents_random``, fresh attacked slots for every group, each
        iteration (its rollout is one episode per env, from a group's shared start)."""
        if self.group > 1 and self.cfg.agents_random:
            self.attacked = self._draw_slots()
            self._assign()
        if iteration % self.cfg.generation:
            return {}
        failures, games = self.failures.cpu(), self.games.cpu()
        clean_ok, clean_n = self.clean.cpu().tolist()
        slots, snapshot = self.population.slots, None
        online_asr = float(failures[slots] / games[slots].clamp_min(1))
        if self.online is not None:
            snapshot = (self.online.learner.actor(), online_asr)
        stats = self.population.evolve(failures[:slots], games[:slots], snapshot)
        if self._restarts():
            assert self.online is not None
            self.online.learner.load_state_dict(self.make_learner(self.team).state_dict())
            stats["robust/online_restarted"] = 1.0
        # rates only over episodes that ended: none would read as a rate of 0
        if games.sum() > 0:
            stats["robust/asr"] = float(failures.sum() / games.sum())
        if self.cfg.online and games[slots] > 0:
            stats["robust/asr_online"] = online_asr
        if clean_n > 0 and self.declared:  # none with fraction 1
            stats["robust/clean_success"] = clean_ok / clean_n
        if clean_n > 0 and not self.declared:
            self.reference = self.clean_return / clean_n
            stats["robust/clean_return"] = float(self.reference)
        self._zero_counts()
        self.draw_members()
        return stats

    def _restarts(self) -> bool:
        """Whether the online attacker restarts now (``restart_online``; after ``evolve``)."""
        every = self.cfg.restart_online
        return bool(self.online is not None and every
                    and self.population.generation % every == 0)

    def perturbed_obs(self, team: str, obs: torch.Tensor, state: torch.Tensor | None
                      ) -> torch.Tensor:
        """``perturb``: the robust team's observations with each attacked slot's perturbed
        by the member drawn for its env (at most ``epsilon`` in L-inf), the learner's input."""
        if team != self.team:
            return obs
        direction = torch.zeros_like(obs)
        for k, rows in self._plan:
            direction[rows] = self._direction(k, obs[rows])
        taken = (self.attacked & (self.member >= 0).unsqueeze(-1)).unsqueeze(-1)
        return obs + perturbation(direction, self.cfg.epsilon) * taken

    def _direction(self, k: int, obs: torch.Tensor) -> torch.Tensor:
        """Perturbation directions of member ``k`` (``population.slots``: the gradient-sign
        attack on the team's current policy)."""
        if k == self.population.slots:
            return self.fgsm(obs)
        net = self.population.network(k)
        if net is not None:
            with torch.no_grad():
                return net.decide(obs, self.population.greedy).env_actions.to(obs.dtype)
        return random_direction(self.generator)(obs)

    def state_dict(self) -> dict[str, Any]:
        return {"population": self.population.state_dict(), "member": self.member,
                "attacked": self.attacked, "generator": self.generator.get_state(),
                "mutation_generator": self.population.generator.get_state(),
                "failures": self.failures, "games": self.games, "clean": self.clean,
                "clean_return": self.clean_return, "reference": self.reference,
                "online": {} if self.online is None else self.online.learner.state_dict()}

    def load_state_dict(self, state: dict[str, Any], saved: RobustConfig | None = None
                        ) -> None:
        """Resume from ``state``, saved under the robust config ``saved`` (default: this
        run's). Where ``saved``'s members differ from this run's (``robust.attackers`` added,
        removed or reordered, a named member switched), each kept member keeps its fitness,
        an added one starts at 0.5, and members are drawn anew for the attacked envs."""
        if not state:
            return
        saved = saved or self.cfg
        _check_resumable(saved, self.cfg)
        old, new = member_names(saved), self.population.names
        if old != new:
            state = _regrown(state, old, new)
        self.population.load_state_dict(state["population"])
        self.population.generator.set_state(state["mutation_generator"])
        self.generator.set_state(state["generator"])
        for key in ("member", "attacked", "failures", "games", "clean", "clean_return",
                    "reference"):
            if key in state:  # the last two: not in checkpoints from before they existed
                setattr(self, key, state[key].to(self.device))
        if self.online is not None:
            self.online.learner.load_state_dict(state["online"])
        if old == new:
            self._members_drawn()
            return
        self.draw_members()
        added, removed = [n for n in new if n not in old], [n for n in old if n not in new]
        print(f"robust: resuming with a changed attacker population (added: {added or 'none'}; "
              f"removed: {removed or 'none'}); members drawn anew")

    def write_members(self, run_dir: Path, base: dict[str, Any]) -> list[Path]:
        """Every evolving network as a loadable checkpoint ``population/attacker_<k>.pt``, and
        the online attacker as ``population/attacker_online.pt``."""
        start, fitness = len(self.population.fixed), self.population.fitness
        members = [(f"attacker_{k}", start + k, m.state_dict(), float(fitness[start + k]))
                   for k, m in enumerate(self.population.evolving)]
        if self.online is not None:
            members.append(("attacker_online", self.population.slots,
                            self.online.learner.actor().state_dict(), -1.0))
        paths = []
        for name, index, weights, asr in members:
            record = {"team": self.team, "index": index, "role": "attacker", "asr": asr,
                      "generation": self.population.generation}
            member = checkpoint.member_checkpoint(base, self.team, weights, record)
            paths.append(checkpoint.save_atomic(member, run_dir / "population" / f"{name}.pt"))
        return paths


def _robust_team(cfg: RobustConfig, env: VecEnv, learners: dict[str, Learner]) -> str:
    """The robust team of ``cfg`` in ``env``, checked."""
    team = team_inside("robust", cfg.team_in(env.teams), env)
    if team not in learners:
        raise ConfigError(f"robust.team: team {team!r} is frozen; robust training trains it")
    if learners[team].caps.memory_size:
        raise ConfigError("robust: the attacker population needs a feedforward policy; team "
                          f"{team!r} has a recurrent backbone")
    n = len(env.teams[team])
    if cfg.kind in ("perturb", "message"):
        _check_perturb(cfg, team, n)
    elif cfg.agents >= n:
        raise ConfigError(f"robust.agents: {cfg.agents} of team {team!r}'s {n} agents leaves "
                          "no honest agent")
    if not env.has_task_outcome(team) and cfg.fraction >= 1:
        source = ("an external PettingZoo env declares none"
                  if isinstance(env, ExternalVecEnv) else "Scenario.task_outcome")
        raise ConfigError(f"robust.fraction: {env.env_id} declares no task outcome for team "
                          f"{team!r} ({source}), so the attackers' fitness compares the honest "
                          "return with the clean envs'; fraction 1 leaves none (set it below 1)")
    if cfg.kind == "takeover" and cfg.include_scripted and not getattr(
            getattr(env, "scenario", None), "physics", False):
        raise ConfigError("robust.include_scripted: the scripted saboteur steers agents; "
                          f"{env.env_id} has no Arena physics (set it to false)")
    return team


def _check_perturb(cfg: RobustConfig, team: str, n: int) -> None:
    """What ``robust.kind: perturb`` and ``message`` need beyond the takeover checks: every
    agent stays honest, so all ``n`` may be attacked; mutants need trained attackers (the
    team's own network acts in another space)."""
    if cfg.agents > n:
        raise ConfigError(f"robust.agents: {cfg.agents} attacked agents, but team {team!r} "
                          f"has {n} agents")
    if cfg.population_size and not cfg.attackers:
        raise ConfigError(f"robust.population_size: evolving {cfg.kind} attackers are mutants "
                          "of the trained ones; give robust.attackers (arena attack --kind "
                          f"{cfg.kind} runs) or set population_size: 0")
