"""Adversarial training modes: a team frozen to a fixed policy, alternating updates, and
population co-evolution (opponent sampling, fitness bookkeeping, replacement, member
checkpoints, exact resume)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

import arena
from arena.training.population import Population
from arena.training.run_config import load_config
from arena.training.trainer import Trainer

BREACH = {"env.id": "attack_defense/breach-v0", "env.num_envs": 16, "rollout_steps": 10,
          "log.progress": False, "log.tensorboard": False, "eval.episodes": 6,
          "eval.gif": False, "policy.hidden_sizes": [16, 16], "algo.epochs": 2,
          "log.checkpoint_every": 1}


def trainer(tmp_path: Path, name: str, **over: Any) -> Trainer:
    cfg = load_config(None, overrides={**BREACH, "total_steps": 10 * 16 * 4,
                                       "log.run_dir": str(tmp_path / name), **over})
    return Trainer(cfg)


def params(t: Trainer, team: str) -> torch.Tensor:
    """The weights of ``team``'s actor: its learner's, or a frozen run's."""
    actor = t.learners[team].actor() if team in t.learners else t.frozen[team].actor
    assert actor is not None
    return torch.cat([p.detach().flatten() for p in actor.parameters()])


def test_frozen_scripted_team_is_played_not_trained(tmp_path: Path) -> None:
    t = trainer(tmp_path, "f", teams={"attacker": {"frozen": "scripted"}})
    before = params(t, "defender")
    summary = t.train()
    assert not torch.equal(before, params(t, "defender"))
    header = (tmp_path / "f" / "progress.csv").read_text().splitlines()[0]
    assert "defender/policy_loss" in header and "attacker/policy_loss" not in header
    from arena.evaluation.run_eval import evaluate_run

    report = evaluate_run(tmp_path / "f", episodes=8)  # the scripted attacker filled in
    assert report.rows["attack_success"]["n"] == 8 and "eval/attack_success" in summary


def test_exploitation_setup_freezes_defender_to_another_run(tmp_path: Path) -> None:
    victim = trainer(tmp_path, "victim")
    victim.train()
    t = trainer(tmp_path, "exploit", teams={"defender": {"frozen": str(tmp_path / "victim")}})
    torch.testing.assert_close(params(t, "defender"), params(victim, "defender"))
    before = params(t, "attacker")
    t.train()
    torch.testing.assert_close(params(t, "defender"), params(victim, "defender"))
    assert not torch.equal(before, params(t, "attacker"))
    policy = arena.load_policy(tmp_path / "exploit")
    assert set(policy.actors) == {"attacker", "defender"}  # the frozen defender comes along


def test_alternating_updates_one_team_at_a_time(tmp_path: Path) -> None:
    t = trainer(tmp_path, "alt", **{"coevolution.mode": "alternating",
                                    "coevolution.switch_every": 2})
    changed = []
    for _ in range(4):
        a, d = params(t, "attacker"), params(t, "defender")
        t.train(stop_after_iterations=1)
        changed.append((not torch.equal(a, params(t, "attacker")),
                        not torch.equal(d, params(t, "defender"))))
    assert changed == [(True, False), (True, False), (False, True), (False, True)]


def test_population_evolve_replaces_weakest_with_snapshot_and_mutant() -> None:
    torch.manual_seed(0)
    actor = nn.Linear(3, 2)
    pop = Population("defender", actor, size=4, scripted=True, mutation_std=0.1)
    assert pop.slots == 5
    fitness = torch.tensor([3.0, 0.0, 1.0, 8.0, 0.0])  # wins per slot
    games = torch.tensor([4.0, 4.0, 4.0, 10.0, 0.0])   # slot 4 (scripted) did not play
    learner = nn.Linear(3, 2)
    best_before = pop.members[3].weight.clone()
    pop.evolve(learner, fitness, games)
    # win rates 0.75, 0.0, 0.25, 0.8; unplayed keeps 0.5; weakest (1) <- learner snapshot,
    # second weakest (2) <- mutated copy of the best (3)
    torch.testing.assert_close(pop.members[1].weight, learner.weight)
    assert pop.members[1] is not learner
    diff = pop.members[2].weight - best_before
    assert 0 < diff.abs().max() < 1.0
    assert pop.fitness.tolist() == pytest.approx([0.75, 0.5, 0.5, 0.8, 0.5])
    assert pop.generation == 1


def test_population_mode_splits_envs_and_learns_only_from_own_games(tmp_path: Path) -> None:
    t = trainer(tmp_path, "pop", **{"coevolution.mode": "population", "rollout_steps": 60,
                                    "total_steps": 10**6,
                                    "coevolution.generation": 2,
                                    "coevolution.population_size": 3})
    co = t.coevo
    att, dfn = co.controller["attacker"], co.controller["defender"]
    assert (att[:8] == -1).all() and (att[8:] >= 0).all()  # attacker learner plays envs 0-7
    assert (dfn[8:] == -1).all() and (dfn[:8] >= 0).all()
    t.train(stop_after_iterations=1)
    active = t.collector.rollouts["attacker"].active
    assert active[:, :8].sum() > 0 and active[:, 8:].sum() == 0
    assert float(co.games.sum()) > 0  # finished games were counted
    t.train(stop_after_iterations=1)  # generation boundary: evolve, redraw, counters reset
    assert float(co.games.sum()) == 0 and co.populations["attacker"].generation == 1
    t.save_checkpoint()
    member = tmp_path / "pop" / "population" / "defender_2.pt"
    policy = arena.load_policy(member)
    torch.testing.assert_close(
        torch.cat([p.flatten() for p in policy.actors["defender"].parameters()]),
        torch.cat([p.flatten() for p in co.populations["defender"].members[2].parameters()]))


def test_population_run_resumes_exactly(tmp_path: Path) -> None:
    over = {"coevolution.mode": "population", "coevolution.generation": 2,
            "coevolution.population_size": 2}
    a = trainer(tmp_path, "a", **over)
    a.train(stop_after_iterations=3)
    a.save_checkpoint()
    resumed = Trainer(load_config(None, overrides={**BREACH, **over, "total_steps": 10 * 16 * 4,
                                                   "log.run_dir": str(tmp_path / "a")}),
                      resume=True)
    resumed.train()
    b = trainer(tmp_path, "b", **over)
    b.train()
    for team in ("attacker", "defender"):
        torch.testing.assert_close(params(resumed, team), params(b, team), rtol=0, atol=0)


def test_bad_coevolution_configs_are_named(tmp_path: Path) -> None:
    with pytest.raises(arena.ConfigError, match="mode must be"):
        load_config(None, overrides={"coevolution.mode": "tournament"})
    with pytest.raises(ValueError, match="exactly two trained teams"):
        trainer(tmp_path, "x", **{"coevolution.mode": "population",
                                  "teams": {"attacker": {"frozen": "random"}}})
    with pytest.raises(FileNotFoundError, match="nothing does not exist"):
        trainer(tmp_path, "y", teams={"defender": {"frozen": str(tmp_path / "nothing")}})


def test_population_members_start_from_the_cloned_actors(tmp_path: Path) -> None:
    t = trainer(tmp_path, "pop_bc", **{"coevolution.mode": "population",
                                       "coevolution.population_size": 2,
                                       "pretrain.source": "scripted", "pretrain.steps": 3,
                                       "pretrain.num_envs": 8, "pretrain.rollout_steps": 5})

    def member(team: str) -> torch.Tensor:
        net = t.coevo.populations[team].members[0]
        return torch.cat([p.detach().flatten() for p in net.parameters()])

    before = {team: member(team) for team in ("attacker", "defender")}
    t._pretrain(None)
    for team, old in before.items():
        torch.testing.assert_close(member(team), params(t, team))  # a copy of the cloned actor
        assert not torch.equal(member(team), old)


def test_pfsp_draws_opponents_by_their_win_rate(tmp_path: Path) -> None:
    t = trainer(tmp_path, "pfsp", **{"coevolution.mode": "population", "env.num_envs": 4000,
                                     "coevolution.population_size": 3,
                                     "coevolution.opponent_sampling": "pfsp",
                                     "coevolution.pfsp_power": 2.0})
    co = t.coevo
    pop = co.populations["attacker"]  # 3 networks + the scripted attacker
    assert pop.slots == 4
    torch.testing.assert_close(co.pfsp_probs("attacker"), torch.full((4,), 0.25))
    pop.fitness = torch.tensor([0.0, 0.1, 0.2, 0.4])  # win rates against the defender learner
    weights = torch.tensor([0.05**2, 0.1**2, 0.2**2, 0.4**2])  # floored at 0.05, squared
    torch.testing.assert_close(co.pfsp_probs("attacker"), weights / weights.sum())
    co.draw_opponents()
    ctrl = co.controller["attacker"][2000:]  # the envs where the defender learner plays
    freq = torch.bincount(ctrl, minlength=4).float() / ctrl.numel()
    torch.testing.assert_close(freq, weights / weights.sum(), atol=0.03, rtol=0)
    with pytest.raises(arena.ConfigError, match="opponent_sampling"):
        load_config(None, overrides={"coevolution.opponent_sampling": "elo"})
