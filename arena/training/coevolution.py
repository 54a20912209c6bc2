"""Training modes of adversarial teams (``coevolution`` in the run config): which teams update
each iteration, and in population and league mode who plays each slot and how the populations
evolve.

Population mode is a schedule of slot assignments: every member of a team's population is a
controller of that team (``arena.interfaces.control``), and each generation assigns whole envs
to the learner or to a member. ``controller[team]`` ``(B,)`` holds ``-1`` where the learner plays
the team and ``k`` where population slot ``k`` does (owner index ``k + 1``). League mode is the
same for one team whose agents are the seats of a game (self-play against past snapshots): in
env ``b`` the learner plays seat ``b % N`` and member ``controller[team][b]`` the others."""

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
        self.league = cfg.mode == "league"
        if cfg.mode not in ("population", "league"):
            return
        self._check(learners)
        self.seed_populations(learners)
        for team in self.trained:  # owner index k + 1: population slot k
            for k in range(self.populations[team].slots):
                control[team].add(Member(self.populations, team, k))
        self.wins = torch.zeros(env.num_envs, device=device)
        self.games = torch.zeros(env.num_envs, device=device)
        self.draw_opponents()

    def _check(self, learners: dict[str, Learner]) -> None:
        cfg, env, mode = self.cfg, self.env, self.cfg.mode
        if self.league:
            if len(self.trained) != 1 or len(env.teams[self.trained[0]]) < 2:
                raise ValueError(f"coevolution.mode league needs one trained team whose agents "
                                 f"are the seats of a game, got {self.trained}")
        elif len(self.trained) != 2:
            raise ValueError(f"coevolution.mode population needs exactly two trained teams, "
                             f"got {self.trained}")
        elif cfg.outcome_team not in self.trained:
            raise ValueError(f"coevolution.outcome_team {cfg.outcome_team!r} is not a trained "
                             f"team ({self.trained})")
        if env.num_envs < 4:
            raise ValueError(f"coevolution.mode {mode} needs env.num_envs >= 4")
        recurrent = [t for t in self.trained if learners[t].caps.memory_size]
        if recurrent:
            raise ValueError(f"coevolution.mode {mode} needs feedforward policies; teams "
                             f"{recurrent} have recurrent backbones")
        if cfg.include_scripted and not env.has_scripted_policy:
            raise ValueError(f"coevolution.include_scripted: {env.env_id} has no scripted "
                             "policy; set it to false")

    def seed_populations(self, learners: dict[str, Learner]) -> None:
        """(Re)build each team's population from its learner's current actor: at the start, and
        again after behaviour cloning so that the members start from the cloned policy."""
        cfg = self.cfg
        for team in self.trained:
            self.populations[team] = Population(team, learners[team].actor(),
                                                cfg.population_size, cfg.include_scripted,
                                                cfg.mutation_std, cfg.include_random)

    # ------------------------------------------------------------ scheduling
    def teams_to_update(self, iteration: int) -> list[str]:
        """The trained teams whose learners update after this iteration's rollout."""
        if self.cfg.mode == "alternating":
            return [self.trained[(iteration // self.cfg.switch_every) % len(self.trained)]]
        return list(self.trained)

    # ----------------------------------------------------------- population
    def draw_opponents(self) -> None:
        """Population: in half of the envs the first team's learner plays members of the
        second team's population, in the other half the other way round. League: in every env
        the learner takes one seat (seat ``b % N`` in env ``b``) and a member all the others.
        Members are drawn uniformly or, with ``pfsp``, by ``pfsp_probs``."""
        if self.league:
            team = self.trained[0]
            self._set_controller(team, self._draw(team))
            return
        b, half = self.env.num_envs, self.env.num_envs // 2
        first, second = self.trained
        for team, mine in ((first, slice(0, half)), (second, slice(half, b))):
            ctrl = self._draw(team)
            ctrl[mine] = -1
            self._set_controller(team, ctrl)

    def _draw(self, team: str) -> torch.Tensor:
        b = self.env.num_envs
        if self.cfg.opponent_sampling == "pfsp":
            return torch.multinomial(self.pfsp_probs(team), b, replacement=True)
        return torch.randint(self.populations[team].slots, (b,))

    def learner_seat(self, team: str) -> torch.Tensor:
        """League: the seat the learner plays in each env, ``(B,)``."""
        return torch.arange(self.env.num_envs, device=self.device) % len(self.env.teams[team])

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
        if not self.league:
            self.control[team].assign(ctrl + 1)
            return
        owner = (ctrl + 1).unsqueeze(-1).repeat(1, len(self.env.teams[team]))
        owner.scatter_(1, self.learner_seat(team).unsqueeze(-1), 0)  # LEARNER
        self.control[team].assign(owner)

    def record(self, info: dict[str, Any]) -> None:
        """Count finished games per env, and the outcome team's wins (population) or the
        member's score against the learner's seat (league: 1 a win, 0.5 a draw)."""
        if not self.populations or "metrics" not in info:
            return
        done = info["done"].float()
        if self.league:
            team = self.trained[0]
            seat = self.learner_seat(team).unsqueeze(-1)
            ret = info["episode_return"][team].gather(1, seat).squeeze(-1)
            self.wins += ((ret < 0).float() + 0.5 * (ret == 0).float()) * done
            self.games += done
            return
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
            mine = self.league or team == self.cfg.outcome_team
            wins = self.wins if mine else self.games - self.wins
            slot = self.controller[team] + 1  # 0: the learner
            per_slot = torch.zeros(pop.slots + 1, device=self.device)
            fit = per_slot.index_add(0, slot, wins).cpu()
            games = per_slot.index_add(0, slot, self.games).cpu()
            if self.league:  # the learner's score is what its opponents did not score
                learner = 1.0 - float(fit.sum() / games.sum().clamp_min(1))
            else:
                learner = float(fit[0] / games[0].clamp_min(1))
            stats[f"population/{team}_learner_win_rate"] = learner
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
