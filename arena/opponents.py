"""Opponents that are not the team's learner: a frozen team (scripted, random, or the actor of
another run, never updated) and a population of past and mutated actors (co-evolution).

A team's envs can be split between its learner and its population: ``controller`` (``(B,)``
long) holds ``-1`` where the learner plays the team and ``k`` where population slot ``k`` does;
the learner's rollout masks out the envs it does not control, so it learns only from its own
games. Population mode follows the shape of Evo-MARL / AdvEvo-MARL: each side keeps past
snapshots and mutated copies of its learner, opponents are sampled from the other side's
population, and the weakest members are replaced every generation.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import torch
from torch import nn

from arena.env import VecEnv
from arena.evaluate import NAMED_POLICIES
from arena.learning import ActResult, TeamSpec
from arena.policy import to_env_actions

SCRIPTED_SOURCES = tuple(NAMED_POLICIES)
"""Frozen-team sources that are named policies without a network (``scripted``, ``random``)."""


def load_team_actor(source: str, team: str, device: torch.device, env: VecEnv) -> nn.Module:
    """The actor of ``team`` in the run directory or checkpoint ``source``."""
    from arena.policy import load_policy

    policy = load_policy(source, device=str(device), env=env)
    if team not in policy.actors:
        raise ValueError(f"{source} has no trained policy for team {team!r} "
                         f"(it has {sorted(policy.actors)})")
    return policy.actors[team]


class FrozenLearner:
    """A team played by a fixed policy and never updated (``teams.<team>.frozen``)."""

    uses_state = False

    def __init__(self, spec: TeamSpec, source: str, env: VecEnv, device: torch.device,
                 gamma: float = 0.99) -> None:
        self.spec, self.source, self.env, self.gamma = spec, source, env, gamma
        self._actor: nn.Module | None = None
        if source not in SCRIPTED_SOURCES:
            self._actor = load_team_actor(source, spec.team, device, env)
            self._actor.eval()
        self.memory_size = int(getattr(self._actor, "memory_size", 0))
        """Memory per agent of a frozen recurrent actor (0 otherwise)."""

    @torch.no_grad()
    def act(self, obs: torch.Tensor, state: torch.Tensor | None, deterministic: bool = False,
            memory: torch.Tensor | None = None,
            starts: torch.Tensor | None = None) -> ActResult:
        zeros = torch.zeros(obs.shape[:-1], device=obs.device)
        if self._actor is not None:
            d = self._actor.decide(obs, False, memory, starts)  # type: ignore[operator]
            return ActResult(d.env_actions, zeros, zeros, d.memory)
        team = self.spec.team
        return ActResult(NAMED_POLICIES[self.source](self.env, {team: obs})[team], zeros, zeros)

    def value(self, obs: torch.Tensor, state: torch.Tensor | None) -> torch.Tensor:
        return torch.zeros(obs.shape[:-1], device=obs.device)

    def update(self, rollout: Any) -> dict[str, float]:
        return {}

    def actor(self) -> nn.Module:
        if self._actor is None:
            raise ValueError(f"team {self.spec.team!r} is played by the {self.source!r} "
                             "policy, which has no network")
        return self._actor

    def state_dict(self) -> dict[str, Any]:
        return {"frozen": self.source}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Nothing to restore: the frozen policy is rebuilt from its source."""


class Population:
    """Network members (copies of a learner's actor) plus, optionally, the scripted policy as a
    fixed last member; with each member's running fitness (win rate) in its games."""

    def __init__(self, team: str, actor: nn.Module, size: int, scripted: bool,
                 mutation_std: float) -> None:
        self.team, self.mutation_std = team, mutation_std
        self.members = [copy.deepcopy(actor).eval() for _ in range(size)]
        for m in self.members[1:]:  # diverse from the start: mutated copies of the initial actor
            self._mutate(m)
        self.scripted = scripted
        self.fitness = torch.full((self.slots,), 0.5)
        self.generation = 0

    @property
    def slots(self) -> int:
        """Members that can be sampled as opponents (networks, then the scripted policy)."""
        return len(self.members) + int(self.scripted)

    @torch.no_grad()
    def _mutate(self, member: nn.Module) -> None:
        for p in member.parameters():
            p.add_(torch.randn_like(p) * self.mutation_std)

    @torch.no_grad()
    def act(self, env: VecEnv, obs: torch.Tensor, actions: torch.Tensor,
            controller: torch.Tensor, index: list[torch.Tensor]) -> torch.Tensor:
        """``actions`` with the envs of each member replaced by that member's (sampled)
        actions; ``index[k]`` lists member ``k``'s envs."""
        out = actions.clone()
        space = env.action_space(self.team)
        for k, idx in enumerate(index):
            if idx.numel() == 0:
                continue
            if k < len(self.members):
                a = self.members[k].action(obs[idx], False)  # type: ignore[operator]
            else:
                a = env.heuristic_actions()[self.team][idx]
            out[idx] = to_env_actions(space, a).to(out.dtype)
        return out

    @torch.no_grad()
    def evolve(self, learner_actor: nn.Module, fitness: torch.Tensor,
               games: torch.Tensor) -> dict[str, float]:
        """End of a generation: update fitness from this generation's games, then replace the
        weakest network member by a snapshot of the learner and, with three or more networks,
        the second weakest by a mutated copy of the fittest network member."""
        played = games > 0
        self.fitness = torch.where(played, fitness / games.clamp_min(1), self.fitness)
        nets = len(self.members)
        order = torch.argsort(self.fitness[:nets])  # weakest first
        best = int(order[-1])
        self.members[int(order[0])] = copy.deepcopy(learner_actor).eval()
        self.fitness[int(order[0])] = 0.5
        if nets >= 3:
            child = copy.deepcopy(self.members[best])
            self._mutate(child)
            self.members[int(order[1])] = child
            self.fitness[int(order[1])] = 0.5
        self.generation += 1
        return {f"population/{self.team}_fitness_{k}": float(f)
                for k, f in enumerate(self.fitness)}

    def state_dict(self) -> dict[str, Any]:
        return {"members": [m.state_dict() for m in self.members], "fitness": self.fitness,
                "generation": self.generation}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for m, s in zip(self.members, state["members"], strict=True):
            m.load_state_dict(s)
        self.fitness = state["fitness"].cpu()
        self.generation = int(state["generation"])

    def member_files(self, run_dir: Path, base: dict[str, Any]) -> list[Path]:
        """Write each network member as a checkpoint ``population/<team>_<k>.pt`` that
        ``arena eval`` and cross-play load like a run (``base``: the run's checkpoint)."""
        from arena import checkpoint

        paths = []
        for k, m in enumerate(self.members):
            learners = dict(base["learners"])
            learners[self.team] = {"actor": m.state_dict()}
            member = {"format": base["format"], "config": base["config"], "learners": learners,
                      "member": {"team": self.team, "index": k,
                                 "fitness": float(self.fitness[k]),
                                 "generation": self.generation}}
            path = run_dir / "population" / f"{self.team}_{k}.pt"
            paths.append(checkpoint.save_atomic(member, path))
        return paths
