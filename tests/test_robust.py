"""Robust training against attackers inside the team (``robust:``): slot assignment between the
learner and the attacker population, fitness bookkeeping against hand-computed episodes,
evolution, errors and exact resume."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import torch

import arena
from arena.cli import main
from arena.core.registry import register, spec
from arena.core.typed import ConfigError
from arena.evaluation.attacks import evaluate_attack, takeover_cross_play
from arena.training.attack import attack_config
from arena.training.robust import RobustTraining, _regrown, member_names
from arena.training.run_config import RobustConfig, load_config
from arena.training.trainer import Trainer
from tests.test_attacks import NAV, victim_run
from tests.test_tutorial import load_tutorial


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A victim run and a takeover attacker trained against it."""
    tmp = tmp_path_factory.mktemp("robust")
    victim = victim_run(tmp)
    cfg = attack_config(victim, agents=1, run_dir=str(tmp / "atk"),
                        overrides={"total_steps": 160})
    Trainer(cfg).train()
    return victim, tmp / "atk"


def robust_config(tmp_path: Path, name: str, attacker: Path, **over: Any) -> Any:
    return load_config(None, overrides={
        **NAV, "log.run_dir": str(tmp_path / name), "robust.kind": "takeover",
        "robust.attackers": [str(attacker)], "robust.population_size": 2,
        "robust.generation": 2, "total_steps": 8 * 10 * 4,
        **{f"robust.{k}": v for k, v in over.items()}})


def robust_of(t: Trainer) -> RobustTraining:
    assert t.robust is not None
    return t.robust


def test_attackers_own_their_slots_and_the_learner_learns_from_the_rest(
        runs: tuple[Path, Path], tmp_path: Path) -> None:
    t = Trainer(robust_config(tmp_path, "r", runs[1]))
    t.train(stop_after_iterations=1)
    robust = robust_of(t)
    assert robust.population.slots == 1 + 2 + 2  # the attack run, 2 evolving, saboteur, random
    assert (robust.member[:4] >= 0).all() and (robust.member[4:] == -1).all()  # fraction 0.5
    owner = t.collector.control["agent"].owner
    taken = robust.attacked & (robust.member >= 0).unsqueeze(-1)
    assert torch.equal(owner > 0, taken)
    assert ((owner > 0).sum(-1) == torch.tensor([1, 1, 1, 1, 0, 0, 0, 0])).all()
    assert torch.equal(owner[taken], (robust.first + robust.member).unsqueeze(-1)
                       .expand_as(owner)[taken])
    assert torch.equal(t.env.honest["agent"], ~taken)
    ro = t.collector.rollouts["agent"]
    assert torch.equal(ro.active[-1] > 0, ~taken)  # the learner never learns on a taken slot


@pytest.mark.parametrize("greedy", [False, True])
def test_network_members_sample_or_play_greedy(runs: tuple[Path, Path], tmp_path: Path,
                                               greedy: bool) -> None:
    t = Trainer(robust_config(tmp_path, "g", runs[1], greedy_members=greedy))
    pop = robust_of(t).population
    obs = t.env.observe()["agent"].reshape(-1, t.env.observation_space("agent").shape[0])
    net = pop.network(0)  # the fixed attacker of runs[1]
    assert net is not None
    best = net.decide(obs, True).env_actions
    torch.manual_seed(0)
    played = [pop.act(0, t.env, obs, None, None) for _ in range(3)]
    if greedy:
        assert all(torch.equal(p, best) for p in played)
    else:  # sampled: the draws differ from one another and from the greedy choice
        assert not torch.equal(played[0], played[1]) and not torch.equal(played[0], best)


def test_fitness_bookkeeping_against_hand_computed_episodes(runs: tuple[Path, Path],
                                                             tmp_path: Path) -> None:
    t = Trainer(robust_config(tmp_path, "r", runs[1], agents_random=False, online=0.0))
    robust = robust_of(t)
    assert robust.online is None
    robust.member = torch.tensor([0, 1, 2, 4, -1, -1, -1, -1])
    done = torch.tensor([True, True, True, False, True, True, False, False])
    success = torch.tensor([0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0])
    robust.record({"done": done, "metrics": {"task_success": success}})
    # member 4's env is still running; the last count is the (absent) online attacker's
    assert robust.failures.tolist() == [1, 1, 0, 0, 0, 0]
    assert robust.games.tolist() == [1, 1, 1, 0, 0, 0]
    assert robust.clean.tolist() == [1, 2]  # clean envs: one success of two episodes
    before = [m.state_dict() for m in robust.population.evolving]
    stats = robust.end_of_iteration(2)
    assert stats["robust/asr"] == pytest.approx(2 / 3)
    assert stats["robust/clean_success"] == pytest.approx(0.5)
    fitness = robust.population.fitness.tolist()
    assert fitness[:2] == [1.0, 1.0] and fitness[3:] == [0.5, 0.5]  # unplayed keep 0.5
    # the weakest evolving network (slot 2, ASR 0) became a mutant of the fittest (slot 0)
    assert fitness[2] == 1.0
    # this generation's ASR, only for the members that played; every slot's fitness after
    assert {k: v for k, v in stats.items() if "_member_" in k} == {
        "robust/asr_member_0": 1.0, "robust/asr_member_1": 1.0, "robust/asr_member_2": 0.0,
        **{f"robust/fitness_member_{k}": f for k, f in enumerate(fitness)}}
    kept = robust.population.evolving[0].state_dict()
    assert all(torch.equal(kept[k], v) for k, v in before[0].items())
    changed = robust.population.evolving[1].state_dict()
    assert any(not torch.equal(changed[k], v) for k, v in before[1].items())
    fixed = robust.population.fixed[0].state_dict()
    assert all(torch.allclose(changed[k], fixed[k], atol=0.2) for k in fixed)  # near parent
    assert robust.end_of_iteration(3) == {}  # not a generation boundary
    # a generation without clean episodes (or without any ended one) reports no rate of 0
    robust.member = torch.tensor([0, 1, 2, 4, 0, 1, 2, 3])
    robust.record({"done": done, "metrics": {"task_success": success}})
    assert "robust/clean_success" not in robust.end_of_iteration(4)
    assert not {"robust/asr", "robust/clean_success"} & robust.end_of_iteration(6).keys()


def test_the_online_attacker_learns_on_its_slots_and_joins_the_population(
        runs: tuple[Path, Path], tmp_path: Path) -> None:
    t = Trainer(robust_config(tmp_path, "r", runs[1], online=1.0))
    robust = robust_of(t)
    online = robust.online
    assert online is not None and online.index == robust.first + robust.population.slots
    t.train(stop_after_iterations=1)
    taken = robust.attacked & (robust.member >= 0).unsqueeze(-1)
    control = t.collector.control["agent"]
    assert torch.equal(control.owner == online.index, taken)  # online 1: every attacked env
    assert torch.equal(online.rollout.active[-1] > 0, taken)  # it learns on exactly its slots
    assert torch.equal(t.collector.rollouts["agent"].active[-1] > 0, ~taken)
    # its decisions reach exactly its slots; the team's learner keeps the others
    obs = t.env.observe()["agent"]
    mine = torch.ones_like(obs[..., :2])
    online.actions = mine
    out = control.act(t.env, obs, torch.zeros_like(mine), t.env.episode_starts())
    assert torch.equal(out[taken], mine[taken]) and (out[~taken] == 0).all()
    # its reward: minus the mean reward of each env's honest agents (hand-computed)
    rew = torch.arange(24.0).view(8, 3)
    honest = t.env.honest["agent"]
    expected = -(rew * honest).sum(-1) / honest.sum(-1)
    assert torch.allclose(online.reward(rew, {})[:, 0], expected)
    # a generation: the weakest evolving member becomes a snapshot of the online attacker
    robust.failures.zero_()
    robust.games.zero_()
    slots = robust.population.slots
    robust.failures[0], robust.games[0] = 1.0, 1.0  # the fixed attacker: ASR 1
    robust.failures[slots], robust.games[slots] = 3.0, 4.0  # the online attacker: ASR 0.75
    stats = robust.end_of_iteration(2)
    assert stats["robust/asr_online"] == pytest.approx(0.75)
    assert stats["robust/asr"] == pytest.approx(4 / 5)
    fitness = robust.population.fitness.tolist()
    assert fitness[1] == pytest.approx(0.75)  # evolving members 1, 2 kept 0.5: 1 was weakest
    assert fitness[2] == pytest.approx(1.0)  # the next weakest: a mutant of the fittest (0)
    snap = robust.population.evolving[0].state_dict()
    assert all(torch.equal(snap[k], v) for k, v in online.learner.actor().state_dict().items())


def test_the_online_attacker_restarts_after_its_snapshot_joins(
        runs: tuple[Path, Path], tmp_path: Path) -> None:
    """``restart_online: 1``: at every generation the online attacker's snapshot joins the
    population, then the attacker starts again from new weights and an empty optimizer."""
    t = Trainer(robust_config(tmp_path, "r", runs[1], online=1.0, restart_online=1))
    robust = robust_of(t)
    assert robust.online is not None
    t.train(stop_after_iterations=1)
    learner = robust.online.learner
    before = {k: v.clone() for k, v in learner.actor().state_dict().items()}
    robust.failures.zero_()
    robust.games.zero_()
    robust.failures[robust.population.slots], robust.games[robust.population.slots] = 1.0, 1.0
    stats = robust.end_of_iteration(2)
    assert stats["robust/online_restarted"] == 1.0
    snap = robust.population.evolving[0].state_dict()
    assert all(torch.equal(snap[k], v) for k, v in before.items())  # the old one joined
    after = learner.actor().state_dict()
    assert not torch.equal(after["backbone.net.0.weight"], before["backbone.net.0.weight"])
    assert not learner.state_dict()["actor_opt"]["state"]  # Adam starts again
    with pytest.raises(ConfigError, match="restart_online"):
        robust_config(tmp_path, "r", runs[1], online=0.0, restart_online=2)


@pytest.mark.parametrize("restart", [0, 1])
def test_robust_run_resumes_exactly(runs: tuple[Path, Path], tmp_path: Path,
                                    restart: int) -> None:
    a = Trainer(robust_config(tmp_path, "a", runs[1], restart_online=restart))
    a.train(stop_after_iterations=3)
    a.save_checkpoint()
    resumed = Trainer(robust_config(tmp_path, "a", runs[1], restart_online=restart),
                      resume=True)
    resumed.train()
    b = Trainer(robust_config(tmp_path, "b", runs[1], restart_online=restart))
    b.train()
    rr, rb = robust_of(resumed), robust_of(b)
    assert torch.equal(rr.attacked, rb.attacked) and torch.equal(rr.member, rb.member)
    assert torch.equal(rr.population.fitness, rb.population.fitness)
    for x, y in zip(rr.population.evolving, rb.population.evolving, strict=True):
        for p, q in zip(x.parameters(), y.parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=0, atol=0)
    assert rr.online is not None and rb.online is not None
    for x, y in ((resumed.learners["agent"], b.learners["agent"]),
                 (rr.online.learner, rb.online.learner)):
        for p, q in zip(x.actor().parameters(), y.actor().parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=0, atol=0)
    assert (tmp_path / "b" / "population" / "attacker_0.pt").exists()
    assert (tmp_path / "b" / "population" / "attacker_online.pt").exists()


def test_a_robust_run_resumes_with_an_added_attacker(runs: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    a = Trainer(robust_config(tmp_path, "a", runs[1]))
    a.train(stop_after_iterations=3)  # one generation: fitness from the members' episodes
    a.save_checkpoint()
    fitness, failures = robust_of(a).population.fitness.clone(), robust_of(a).failures.clone()
    second = tmp_path / "second_attacker"
    shutil.copytree(runs[1], second)
    grown = robust_config(tmp_path, "a", runs[1])
    grown.robust.attackers = [str(runs[1]), str(second)]
    resumed = Trainer(grown, resume=True)
    r = robust_of(resumed)
    assert r.population.names[:2] == [f"attacker {runs[1]}", f"attacker {second}"]
    old = [0, 2, 3, 4, 5]  # each old member's new slot: the new attacker is slot 1
    assert torch.equal(r.population.fitness[old], fitness)
    assert float(r.population.fitness[1]) == 0.5
    assert torch.equal(r.failures[old + [6]], failures) and float(r.games[1]) == 0.0
    assert int(r.member.max()) <= r.population.slots  # drawn anew: the online attacker is 6
    owner = resumed.collector.control["agent"].owner
    taken = r.attacked & (r.member >= 0).unsqueeze(-1)
    assert torch.equal(owner[taken], (r.first + r.member).unsqueeze(-1).expand_as(owner)[taken])
    resumed.train()
    assert robust_of(resumed).population.slots == 6
    for key, value in (("population_size", 3), ("online", 0.0)):
        changed = robust_config(tmp_path, "a", runs[1], **{key: value})
        with pytest.raises(ConfigError, match=f"robust.{key}"):
            Trainer(changed, resume=True)


def grpo_robust_config(tmp_path: Path, name: str, attacker: Path, **over: Any) -> Any:
    """Robust GRPO on 8 envs in 2 groups of 4 (20-step episodes: 160 env steps an
    iteration); the online attacker is a GRPO learner too."""
    cfg = robust_config(tmp_path, name, attacker, **over)
    cfg.algo = {"name": "grpo", "group_size": 4, "epochs": 1}
    cfg.env.kwargs = {**cfg.env.kwargs, "max_steps": 20}
    cfg.total_steps = 160 * 4
    return cfg


def test_grpo_robust_training_draws_one_attacker_and_slots_per_group(
        runs: tuple[Path, Path], tmp_path: Path) -> None:
    """Group-relative learners compare the members of a group: all of them play against the
    same attacker on the same slots, drawn anew each iteration; the team's baseline covers
    only the slots it played."""
    t = Trainer(grpo_robust_config(tmp_path, "g", runs[1]))
    robust = robust_of(t)
    assert robust.group == 4 and robust.attacked_envs == 4  # fraction 0.5: one whole group
    seen = set()
    for _ in range(3):
        t.train(stop_after_iterations=t.iteration + 1)
        groups = robust.attacked.view(2, 4, 3)
        assert torch.equal(groups, groups[:, :1].expand_as(groups))  # same slots per group
        assert (robust.member[:4] == robust.member[0]).all() and (robust.member[4:] == -1).all()
        seen.add(tuple(groups[:, 0].flatten().tolist()))
        taken = robust.attacked & (robust.member >= 0).unsqueeze(-1)
        owner = t.collector.control["agent"].owner
        assert torch.equal(owner > 0, taken)
        # the rollout just learned from: the learner played the same slots in every env of a
        # group, and lost exactly one slot (k = 1) in each env of the attacked group
        played = t.collector.rollouts["agent"].active[0].view(2, 4, 3)
        assert torch.equal(played, played[:, :1].expand_as(played))
        assert (played == 0).sum(-1).tolist() == [[1] * 4, [0] * 4]
    assert len(seen) > 1  # the slots were drawn again between iterations
    assert robust.online is not None and robust.online.learner.caps.group_size == 4


def test_a_mappo_online_attacker_inside_grpo_robust_training(
        runs: tuple[Path, Path], tmp_path: Path) -> None:
    """``online_algo``: the online attacker is a MAPPO learner (a critic, no groups) while the
    team learns with GRPO; it learns on exactly its slots of each env's first episode, and its
    snapshot joins the population as a member like any other."""
    t = Trainer(grpo_robust_config(tmp_path, "m", runs[1], online=1.0,
                                   online_algo={"name": "mappo", "epochs": 2}))
    robust = robust_of(t)
    assert robust.online is not None
    online = robust.online.learner
    assert online.caps.group_size == 0 and online.caps.uses_state  # MAPPO's critic
    assert t.learners["agent"].caps.group_size == 4
    before = [p.clone() for p in online.actor().parameters()]
    taken = robust.attacked & (robust.member >= 0).unsqueeze(-1)  # this iteration's draw
    t.train(stop_after_iterations=1)
    active = robust.online.rollout.active
    assert torch.equal(active[0] > 0, taken)  # every env's first step: exactly its slots
    assert not ((active > 0) & ~taken).any()  # and nothing else, at any step
    assert any(not torch.equal(p, q) for p, q in zip(before, online.actor().parameters(),
                                                      strict=True))
    robust.end_of_iteration(robust.cfg.generation)  # a generation: its snapshot joins
    snap = robust.population.evolving[0].state_dict()
    assert all(torch.equal(snap[k], v) for k, v in online.actor().state_dict().items())
    with pytest.raises(ConfigError, match="robust.online_algo.name"):
        Trainer(grpo_robust_config(tmp_path, "x", runs[1], online_algo={"name": "mapo"}))
    with pytest.raises(ConfigError, match="online_algo is the online takeover attacker"):
        grpo_robust_config(tmp_path, "x", runs[1], online=0.0, online_algo={"name": "mappo"})


@pytest.mark.parametrize("online_algo", [{}, {"name": "mappo", "epochs": 1}])
def test_grpo_robust_run_resumes_exactly(runs: tuple[Path, Path], tmp_path: Path,
                                         online_algo: dict[str, Any]) -> None:
    a = Trainer(grpo_robust_config(tmp_path, "a", runs[1], online_algo=online_algo))
    a.train(stop_after_iterations=2)
    a.save_checkpoint()
    resumed = Trainer(grpo_robust_config(tmp_path, "a", runs[1], online_algo=online_algo),
                      resume=True)
    resumed.train()
    b = Trainer(grpo_robust_config(tmp_path, "b", runs[1], online_algo=online_algo))
    b.train()
    rr, rb = robust_of(resumed), robust_of(b)
    assert torch.equal(rr.attacked, rb.attacked) and torch.equal(rr.member, rb.member)
    assert rr.online is not None and rb.online is not None
    for x, y in ((resumed.learners["agent"], b.learners["agent"]),
                 (rr.online.learner, rb.online.learner)):
        for p, q in zip(x.actor().parameters(), y.actor().parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_bad_robust_configs_are_named(runs: tuple[Path, Path], tmp_path: Path) -> None:
    victim, attacker = runs
    with pytest.raises(ConfigError, match="not a takeover attack run"):
        Trainer(robust_config(tmp_path, "r", victim))
    with pytest.raises(ConfigError, match="leaves no honest agent"):
        Trainer(robust_config(tmp_path, "r", attacker, agents=3))
    with pytest.raises(ConfigError, match=r"robust.team: 'red' is not a team of navigation/"):
        Trainer(robust_config(tmp_path, "r", attacker, team="red"))
    with pytest.raises(ConfigError, match="fraction must be in"):
        robust_config(tmp_path, "r", attacker, fraction=0.0)
    with pytest.raises(ConfigError, match="kind must be 'takeover', 'perturb'"):
        robust_config(tmp_path, "r", attacker, kind="jam")
    with pytest.raises(ConfigError, match="not a perturb attack run"):
        Trainer(robust_config(tmp_path, "r", attacker, kind="perturb"))
    with pytest.raises(ConfigError, match="mutants of the trained ones"):
        Trainer(robust_config(tmp_path, "r", attacker, kind="perturb", attackers=[]))
    transport = {**NAV, "env.id": "coordination/transport-v0", "env.kwargs": {},
                 "log.run_dir": str(tmp_path / "t"), "robust.kind": "takeover",
                 "robust.honest_reward": True}
    with pytest.raises(ConfigError, match=r"robust.honest_reward: coordination/transport-v0 "
                       "declares no honest reward for team 'agent'"):
        Trainer(load_config(None, overrides=transport))
    with pytest.raises(ConfigError, match="honest_reward .* needs kind: takeover"):
        robust_config(tmp_path, "r", attacker, kind="perturb", honest_reward=True)


def _honest_spread(pos: torch.Tensor, honest: torch.Tensor) -> torch.Tensor:
    """Minus the honest agents' mean distance to their own centroid, per env, by hand."""
    out = []
    for b in range(pos.shape[0]):
        keep = pos[b][honest[b]]
        out.append(-(keep - keep.mean(0)).norm(dim=-1).mean())
    return torch.stack(out)


def test_honest_reward_leaves_the_attacked_agents_out() -> None:
    env = arena.make(load_tutorial(), num_envs=4)
    env.reset(seed=0)
    honest = torch.ones(4, 4, dtype=torch.bool)
    honest[:2, 0] = False  # agent 0 taken over in envs 0 and 1
    env.honest["agent"] = honest
    env.honest_reward_teams.add("agent")
    total = torch.zeros(4, 4)
    for _ in range(3):
        _, reward, *_ = env.step(env.sample_actions())
        total += reward["agent"]
        expected = _honest_spread(env.world.agent_pos, honest)
        assert torch.allclose(reward["agent"], expected.unsqueeze(-1).expand(4, 4), atol=1e-6)
        own = env.scenario.reward(env.world)["agent"]  # counts agent 0 in every env
        assert torch.allclose(reward["agent"][2:], own[2:], atol=1e-6)  # clean envs: the same
        assert not torch.allclose(reward["agent"][:2], own[:2], atol=1e-3)
    assert torch.allclose(env.episode_return["agent"], total, atol=1e-5)


def test_robust_training_rewards_the_honest_agents_without_the_attacker(tmp_path: Path) -> None:
    cfg = load_config(None, overrides={
        **NAV, "env.id": load_tutorial(), "env.kwargs": {"num_agents": 4},
        "log.run_dir": str(tmp_path / "r"), "robust.kind": "takeover",
        "robust.population_size": 1, "robust.online": 0.5, "robust.honest_reward": True})
    t = Trainer(cfg)
    t.train(stop_after_iterations=1)  # 10 steps: no episode (50 steps) has ended
    honest = t.env.honest["agent"]
    assert t.env.honest_reward_teams == {"agent"} and not honest[:4].all()
    expected = _honest_spread(t.env.world.agent_pos, honest).unsqueeze(-1).expand(8, 4)
    last = t.collector.rollouts["agent"].rewards[-1]
    assert torch.allclose(last[honest], expected[honest], atol=1e-6)


def test_a_fresh_attacker_against_a_robust_run(runs: tuple[Path, Path], tmp_path: Path) -> None:
    t = Trainer(robust_config(tmp_path, "r", runs[1]))
    t.train()
    cfg = attack_config(tmp_path / "r", agents=1, run_dir=str(tmp_path / "fresh"))
    assert not cfg.robust.kind and cfg.attack.victim == str(tmp_path / "r")
    assert cfg.total_steps == t.cfg.total_steps  # the defense's budget


def test_takeover_cross_play_of_attack_runs_against_victims(
        runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    victim, attacker = runs
    Trainer(robust_config(tmp_path, "r", attacker, online=0.0)).train()
    defenders = [str(victim), str(tmp_path / "r")]
    result = takeover_cross_play([str(attacker)], defenders, NAV["env.id"], episodes=16)
    assert result.attackers == [str(attacker), "random saboteur", "scripted saboteur"]
    for j, d in enumerate(defenders):
        report = evaluate_attack(attacker, 16, victim=d)
        for i, name in enumerate(("trained", "random", "scripted")):
            assert result.cells[i][j]["asr"] == report.attackers[name]["asr"]["rate"]
        worst = max(result.cells[i][j]["asr"] for i in range(3))
        assert result.worst_case()[d]["asr"] == worst
    with pytest.raises(ValueError, match="not --env"):
        takeover_cross_play([str(attacker)], defenders, "coordination/transport-v0", 4)
    assert main(["eval", "--env", NAV["env.id"], "--attackers", str(attacker), "random",
                 "--defenders", str(victim)]) != 0
    assert "every --attackers entry must be an attack run" in capsys.readouterr().err


def test_a_population_member_is_evaluated_as_a_takeover_attacker(
        runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A robust run's takeover attacker (``population/attacker_online.pt``) plays the takeover
    its team trained against: ``arena eval MEMBER`` against that team by default, or in
    cross-play beside attack runs; the run's own checkpoint is no attacker."""
    victim, attacker = runs
    run = tmp_path / "r"
    Trainer(robust_config(tmp_path, "r", attacker, online=1.0)).train()
    member = str(run / "population" / "attacker_online.pt")
    report = evaluate_attack(member, 16)
    assert (report.kind, report.agents, report.agents_random) == ("takeover", 1, True)
    assert report.victim == str(run) and set(report.attackers) == {"trained", "random",
                                                                   "scripted"}
    result = takeover_cross_play([member, str(attacker)], [str(run), str(victim)],
                                 NAV["env.id"], episodes=16)
    for j, d in enumerate((str(run), str(victim))):
        for i, a in enumerate((member, str(attacker))):
            direct = evaluate_attack(a, 16, victim=d, attackers=("trained",))
            assert result.cells[i][j]["asr"] == direct.attackers["trained"]["asr"]["rate"]
    assert result.cells[0][0]["asr"] == report.attackers["trained"]["asr"]["rate"]
    assert main(["eval", member, "--episodes", "8"]) == 0
    latest = str(run / "checkpoints" / "latest.pt")
    assert main(["eval", latest, "--victim", str(victim)]) != 0
    assert "--victim is for attack runs" in capsys.readouterr().err
    with pytest.raises(ValueError, match="neither an attack run"):
        evaluate_attack(latest, 4)


@pytest.fixture(scope="module")
def perturber(runs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An observation-perturbation attacker (epsilon 0.2) trained against the victim."""
    run = tmp_path_factory.mktemp("perturber") / "atk"
    cfg = attack_config(runs[0], kind="perturb", agents=1, epsilon=0.2, run_dir=str(run),
                        overrides={"total_steps": 160})
    Trainer(cfg).train()
    return run


def test_perturb_robust_training_perturbs_attacked_slots_within_epsilon(
        perturber: Path, tmp_path: Path) -> None:
    t = Trainer(robust_config(tmp_path, "p", perturber, kind="perturb", epsilon=0.05,
                              population_size=1, online=0.5))
    robust = robust_of(t)
    assert robust.population.names == [f"attacker {perturber}", "evolving attacker 0",
                                       "random"]  # no scripted saboteur: nothing to steer
    assert robust.online is None and t.collector.obs_fn == robust.perturbed_obs
    assert torch.equal(t.collector.control["agent"].owner, torch.zeros(8, 3, dtype=torch.long))
    robust.member = torch.tensor([0, 1, 2, 3, -1, -1, -1, -1])  # 3: the gradient attack
    robust._members_drawn()
    obs = t.env.observe()["agent"]
    delta = robust.perturbed_obs("agent", obs, None) - obs
    taken = robust.attacked & (robust.member >= 0).unsqueeze(-1)
    assert (delta.abs() <= 0.05 + 1e-6).all()
    assert (delta[~taken] == 0).all() and (delta[taken].abs().amax(-1) > 0).all()
    # the gradient attack: epsilon x the sign of the greedy-action loss's gradient (by hand)
    actor = t.learners["agent"].actor()
    x = obs[3:4].clone().requires_grad_(True)
    greedy = actor.decide(obs[3:4], deterministic=True).env_actions
    (grad,) = torch.autograd.grad(actor.imitation_loss(x, greedy), x)
    slot = taken[3]
    torch.testing.assert_close(delta[3][slot], 0.05 * grad.sign()[0][slot], rtol=0, atol=1e-6)
    assert torch.equal(t.env.honest["agent"], torch.ones(8, 3, dtype=torch.bool))  # all honest
    counted: list[tuple[float, float]] = []  # (attacked episodes, clean episodes) per generation
    end_of_iteration = robust.end_of_iteration

    def spy(iteration: int) -> dict[str, float]:
        if iteration % 2 == 0:
            counted.append((float(robust.games.sum()), float(robust.clean[1])))
        return end_of_iteration(iteration)

    robust.end_of_iteration = spy  # type: ignore[method-assign]
    t.cfg.total_steps = 8 * 10 * 12  # past the end of the first episodes (100 steps)
    t.train()
    # every env's first episode ends at step 100 (iteration 10): 4 attacked, 4 clean
    assert sum(a for a, _ in counted) == 4 and sum(c for _, c in counted) == 4


def test_perturb_robust_run_resumes_exactly(perturber: Path, tmp_path: Path) -> None:
    over = {"kind": "perturb", "population_size": 1, "epsilon": 0.1}
    a = Trainer(robust_config(tmp_path, "a", perturber, **over))
    a.train(stop_after_iterations=3)
    a.save_checkpoint()
    resumed = Trainer(robust_config(tmp_path, "a", perturber, **over), resume=True)
    resumed.train()
    b = Trainer(robust_config(tmp_path, "b", perturber, **over))
    b.train()
    rr, rb = robust_of(resumed), robust_of(b)
    assert torch.equal(rr.member, rb.member) and torch.equal(rr.attacked, rb.attacked)
    assert torch.equal(rr.population.fitness, rb.population.fitness)
    for p, q in zip(resumed.learners["agent"].actor().parameters(),
                    b.learners["agent"].actor().parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_a_run_listed_twice_keeps_each_entrys_state_on_a_changed_resume() -> None:
    """Each entry of ``robust.attackers`` is its own member: inserting a run between two
    entries of the same run moves the second entry's fitness and counts, not the first's."""
    plain = {"population_size": 0, "include_scripted": False, "include_random": False}
    old = RobustConfig(kind="takeover", attackers=["x", "x"], **plain)
    new = RobustConfig(kind="takeover", attackers=["x", "y", "x"], **plain)
    assert member_names(new) == ["attacker x", "attacker y", "attacker x #2"]
    state = {"population": {"fitness": torch.tensor([0.2, 0.7])},
             "failures": torch.tensor([1.0, 2.0, 5.0]), "games": torch.tensor([3.0, 4.0, 9.0])}
    out = _regrown(state, member_names(old), member_names(new))
    assert out["population"]["fitness"].tolist() == pytest.approx([0.2, 0.5, 0.7])
    assert out["failures"].tolist() == [1.0, 0.0, 2.0, 5.0]  # the online attacker's stays last
    assert out["games"].tolist() == [3.0, 0.0, 4.0, 9.0]


def test_an_attacker_against_the_honest_reward(tmp_path: Path) -> None:
    rendezvous = {**NAV, "env.id": load_tutorial(), "env.kwargs": {"num_agents": 4}}
    victim = tmp_path / "v"
    Trainer(load_config(None, overrides={**rendezvous, "log.run_dir": str(victim)})).train()
    cfg = attack_config(victim, agents=1, run_dir=str(tmp_path / "a"),
                        overrides={"attack.objective": "honest_return"})
    t = Trainer(cfg)
    t.train(stop_after_iterations=1)  # 10 steps: no episode (50 steps) has ended
    honest = t.env.honest["agent"]
    assert t.env.honest_reward_teams == {"agent"} and not honest[:, 0].any()
    spread = _honest_spread(t.env.world.agent_pos, honest)  # agents 1-3, by hand
    last = t.collector.rollouts["agent"].rewards[-1]
    assert torch.allclose(last[:, 0], -spread, atol=1e-6)  # the attacker's slot: minus it
    transport = tmp_path / "transport"
    Trainer(load_config(None, overrides={**NAV, "env.id": "coordination/transport-v0",
                                         "env.kwargs": {}, "log.run_dir": str(transport)})
            ).train()
    cfg = attack_config(transport, agents=1, run_dir=str(tmp_path / "n"),
                        overrides={"attack.objective": "honest_return"})
    with pytest.raises(ConfigError, match="attack.objective honest_return: coordination/"
                       "transport-v0 declares no honest reward"):
        Trainer(cfg)
    with pytest.raises(ConfigError, match="objective honest_return .* needs kind: takeover"):
        attack_config(victim, agents=1, kind="perturb", run_dir=str(tmp_path / "p"),
                      overrides={"attack.objective": "honest_return"})


def test_fitness_draws_favour_the_members_that_win(runs: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    t = Trainer(robust_config(tmp_path, "r", runs[1], draw="fitness", online=0.0))
    robust = robust_of(t)
    fitness = torch.tensor([1.0, 0.0, 0.5, 0.0, 0.25])  # attack run, 2 evolving, saboteur, random
    robust.population.fitness = fitness.clone()
    counts = torch.zeros(5)
    for _ in range(1000):  # 4 attacked envs each
        robust.draw_members()
        counts += torch.bincount(robust.member[:4], minlength=5)
    share = counts / counts.sum()
    expected = fitness.clamp_min(0.05) / fitness.clamp_min(0.05).sum()  # 0.05 floor
    assert torch.allclose(share, expected, atol=0.02)
    assert (robust.member[4:] == -1).all()  # the clean half stays clean
    with pytest.raises(ConfigError, match="draw must be 'uniform' or 'fitness'"):
        robust_config(tmp_path, "bad", runs[1], draw="pfsp")


def test_a_plug_in_without_a_task_outcome_is_scored_by_its_return_drop(tmp_path: Path) -> None:
    """A plug-in scenario that declares no task outcome: robust training scores its members by
    the return-drop rule (after a first generation that sets the clean reference), and a
    fresh attacker's evaluation says which rule it used."""
    base = spec(load_tutorial()).scenario_cls

    class NoOutcome(base):  # type: ignore[misc, valid-type]
        def task_outcome(self, world: Any, team: str, honest: torch.Tensor) -> None:
            return None

    register("coordination/rendezvous_no_outcome-v0", NoOutcome)
    cfg = load_config(None, overrides={
        **NAV, "env.id": "coordination/rendezvous_no_outcome-v0",
        "env.kwargs": {"num_agents": 3, "max_steps": 10}, "log.run_dir": str(tmp_path / "r"),
        "robust.kind": "takeover", "robust.population_size": 1, "robust.generation": 1,
        "total_steps": 8 * 10 * 3})
    t = Trainer(cfg)
    robust = robust_of(t)
    assert not robust.declared
    t.train(stop_after_iterations=1)  # one generation: the reference, nothing scored yet
    assert robust.reference.isfinite() and robust.games.sum() == 0
    t.train()
    rows = (tmp_path / "r" / "progress.csv").read_text()
    assert "robust/asr" in rows and "robust/clean_success" not in rows
    Trainer(attack_config(tmp_path / "r", agents=1, run_dir=str(tmp_path / "fresh"),
                          overrides={"total_steps": 80})).train()
    report = evaluate_attack(tmp_path / "fresh", episodes=8)
    assert report.outcome.startswith("no task outcome declared: failure = honest return")
    assert report.attackers["scripted"]["asr"]["n"] == 8
