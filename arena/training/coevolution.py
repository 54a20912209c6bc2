"""Training modes of adversarial teams (``coevolution`` in the run config): which teams update
each iteration, and in population mode who plays each env and how the populations evolve.

Population mode is a schedule of slot assignments: every member of a team's population is a
controller of that team (``arena.interfaces.control``), and each generation assigns whole envs
to the learner or to a member. ``controller[team]`` ``(B,)`` holds ``-1`` where the learner plays
the team and ``k`` where population slot ``k`` does (owner index ``k + 1``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from arena.core.vec_env import VecEnv
from arena.interfaces.control import TeamControl
from arena.interfaces.learner import Learner
from arena.training.population import Member, Population
from arena.training.run_config import CoevolutionConfig


class Coevolution:
    """The trainer's view of ``CoevolutionConfig`` for one env and its learners."""

    def __init__(self, cfg: CoevolutionConfig, env: VecEnv, learners: dict[str, Learner],
                 control: dict[str, TeamControl], device: torch.device) -> None:
        self.cfg, self.env, self.device, self.control = cfg, env, device, control
        self.trained = list(learners)
        self.populations: dict[str, Population] = {}
        self.controller: dict[str, torch.Tensor] = {}
        if cfg.mode != "population":
            return
        if len(self.trained) != 2:
            raise ValueError(f"coevolution.mode population needs exactly two trained teams, "
                             f"got {self.trained}")
        if cfg.outcome_team not in self.trained:
            raise ValueError(f"coevolution.outcome_team {cfg.outcome_team!r} is not a trained "
                             f"team ({self.trained})")
        if env.num_envs < 4:
            raise ValueError("coevolution.mode population needs env.num_envs >= 4")
        recurrent = [t for t in self.trained if learners[t].caps.memory_size]
        if recurrent:
            raise ValueError(f"coevolution.mode population needs feedforward policies; teams "
                             f"{recurrent} have recurrent backbones")
        self.seed_populations(learners)
        for team in self.trained:  # owner index k + 1: population slot k
            for k in range(self.populations[team].slots):
                control[team].add(Member(self.populations, team, k))
        self.wins = torch.zeros(env.num_envs, device=device)
        self.games = torch.zeros(env.num_envs, device=device)
        self.draw_opponents()

    def seed_populations(self, learners: dict[str, Learner]) -> None:
        """(Re)build each team's population from its learner's current actor: at the start, and
        again after behaviour cloning so that the members start from the cloned policy."""
        cfg = self.cfg
        for team in self.trained:
            self.populations[team] = Population(team, learners[team].actor(),
                                                cfg.population_size, cfg.include_scripted,
                                                cfg.mutation_std)

    # ------------------------------------------------------------ scheduling
    def teams_to_update(self, iteration: int) -> list[str]:
        """The trained teams whose learners update after this iteration's rollout."""
        if self.cfg.mode == "alternating":
            return [self.trained[(iteration // self.cfg.switch_every) % len(self.trained)]]
        return list(self.trained)

    # ----------------------------------------------------------- population
    def draw_opponents(self) -> None:
        """Half of the envs: the first team's learner against members of the second team's
        population; the other half the other way round. Members are drawn uniformly or, with
        ``pfsp``, by ``pfsp_probs``."""
        b, half = self.env.num_envs, self.env.num_envs // 2
        first, second = self.trained
        for team, mine in ((first, slice(0, half)), (second, slice(half, b))):
            if self.cfg.opponent_sampling == "pfsp":
                ctrl = torch.multinomial(self.pfsp_probs(team), b, replacement=True)
            else:
                ctrl = torch.randint(self.populations[team].slots, (b,))
            ctrl[mine] = -1
            self._set_controller(team, ctrl)

    def pfsp_probs(self, team: str) -> torch.Tensor:
        """``pfsp``: probability of drawing each member of ``team``'s population as the other
        team's opponent, weighted by the member's last win rate against that team's learner."""
        weights = self.populations[team].fitness.clamp_min(0.05) ** self.cfg.pfsp_power
        return weights / weights.sum()

    def _set_controller(self, team: str, ctrl: torch.Tensor) -> None:
        """Who plays ``team`` in each env (``-1``: the learner, ``k``: population slot ``k``),
        as the team's slot assignment."""
        ctrl = ctrl.to(self.device)
        self.controller[team] = ctrl
        self.control[team].assign(ctrl + 1)

    def record(self, info: dict[str, Any]) -> None:
        """Count finished games and the outcome team's wins per env."""
        if not self.populations or "metrics" not in info:
            return
        done = info["done"].float()
        metric = info["metrics"].get(self.cfg.outcome_metric)
        if metric is None:
            raise KeyError(f"coevolution.outcome_metric {self.cfg.outcome_metric!r} is not a "
                           f"metric of {self.env.env_id} ({sorted(info['metrics'])})")
        self.wins += metric.float() * done
        self.games += done

    def end_of_iteration(self, iteration: int, learners: dict[str, Learner]
                         ) -> dict[str, float]:
        """At a generation boundary: fitness, replacement, new opponents; returns stats."""
        if not self.populations or iteration % self.cfg.generation:
            return {}
        stats = {}
        for team, pop in self.populations.items():
            wins = self.wins if team == self.cfg.outcome_team else self.games - self.wins
            slot = self.controller[team] + 1  # 0: the learner
            per_slot = torch.zeros(pop.slots + 1, device=self.device)
            fit = per_slot.index_add(0, slot, wins).cpu()
            games = per_slot.index_add(0, slot, self.games).cpu()
            stats[f"population/{team}_learner_win_rate"] = float(fit[0] / games[0].clamp_min(1))
            stats.update(pop.evolve(learners[team].actor(), fit[1:], games[1:]))
        self.wins.zero_()
        self.games.zero_()
        self.draw_opponents()
        return stats

    # ------------------------------------------------------------ checkpoint
    def state_dict(self) -> dict[str, Any]:
        if not self.populations:
            return {}
        return {"populations": {t: p.state_dict() for t, p in self.populations.items()},
                "controller": self.controller, "wins": self.wins, "games": self.games}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if not self.populations or not state:
            return
        for team, pop in self.populations.items():
            pop.load_state_dict(state["populations"][team])
        self.wins, self.games = state["wins"].to(self.device), state["games"].to(self.device)
        for team, ctrl in state["controller"].items():
            self._set_controller(team, ctrl)

    def write_members(self, run_dir: Path, base: dict[str, Any]) -> None:
        """Every network member of every population as a loadable checkpoint."""
        for pop in self.populations.values():
            pop.member_files(run_dir, base)
