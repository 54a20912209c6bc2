"""A population of past and mutated actors of one team (co-evolution), following the shape of
Evo-MARL / AdvEvo-MARL: each side keeps past snapshots and mutated copies of its learner,
opponents are sampled from the other side's population, and the weakest members are replaced
every generation. Each member plays through a ``Member`` slot controller
(``arena.interfaces.control``); ``Coevolution`` assigns them their envs.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import torch

from arena.core.vec_env import VecEnv
from arena.interfaces.learner import TeamActor
from arena.interfaces.policies import NAMED_POLICIES, to_env_actions
from arena.training import checkpoint


class Population:
    """Network members (copies of a learner's actor) plus, optionally, fixed named members
    after them (the scripted policy, then the random one); with each member's running fitness
    (win rate) in its games."""

    def __init__(self, team: str, actor: TeamActor, size: int, scripted: bool,
                 mutation_std: float, random: bool = False) -> None:
        self.team, self.mutation_std = team, mutation_std
        self.members = [copy.deepcopy(actor).eval() for _ in range(size)]
        for m in self.members[1:]:  # diverse from the start: mutated copies of the initial actor
            self._mutate(m)
        self.named = ["scripted"] * scripted + ["random"] * random
        """The fixed members after the networks, by name (``NAMED_POLICIES``)."""
        self.fitness = torch.full((self.slots,), 0.5)
        self.generation = 0

    @property
    def slots(self) -> int:
        """Members that can be sampled as opponents (networks, then the named policies)."""
        return len(self.members) + len(self.named)

    @torch.no_grad()
    def _mutate(self, member: TeamActor) -> None:
        for p in member.parameters():
            p.add_(torch.randn_like(p) * self.mutation_std)

    @torch.no_grad()
    def member_actions(self, k: int, env: VecEnv, obs: torch.Tensor,
                       rows: torch.Tensor | None, action_mask: torch.Tensor | None = None
                       ) -> torch.Tensor:
        """Env actions of member ``k`` (sampled; a named policy for the slots after the
        networks) for the observations ``obs`` of the envs ``rows``."""
        if k < len(self.members):
            a = self.members[k].decide(obs, False, action_mask=action_mask).env_actions
        else:
            a = NAMED_POLICIES[self.named[k - len(self.members)]](env, {self.team: obs})[self.team]
            a = a if rows is None else a[rows]
        return to_env_actions(env.action_space(self.team), a)

    @torch.no_grad()
    def evolve(self, learner_actor: TeamActor, fitness: torch.Tensor,
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
        paths = []
        for k, m in enumerate(self.members):
            record = {"team": self.team, "index": k, "fitness": float(self.fitness[k]),
                      "generation": self.generation}
            member = checkpoint.member_checkpoint(base, self.team, m.state_dict(), record)
            path = run_dir / "population" / f"{self.team}_{k}.pt"
            paths.append(checkpoint.save_atomic(member, path))
        return paths


class Member:
    """Slot controller of slot ``k`` of ``team``'s population in ``populations`` (looked up at
    each step: populations are rebuilt after pretraining, members replaced each generation)."""

    memory_size = 0

    def __init__(self, populations: dict[str, Population], team: str, k: int) -> None:
        self.populations, self.team, self.k = populations, team, k
        self.name = f"{team} population slot {k}"

    def act(self, env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None,
            memory: torch.Tensor | None, starts: torch.Tensor,
            action_mask: torch.Tensor | None = None
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        pop = self.populations[self.team]
        return pop.member_actions(self.k, env, obs, rows, action_mask), None
