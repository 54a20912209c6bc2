"""Message injection (``attack.kind: message``): the attacker chooses the messages of the
attacked agents, the victim still moves them; evaluation, errors and exact resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

import arena
from arena.core.typed import ConfigError
from arena.evaluation.attacks import evaluate_attack
from arena.training.attack import Injected, MessageInjection, attack_config, random_message
from arena.training.run_config import load_config
from arena.training.trainer import Trainer
from tests.test_attacks import red_pixels

REF = {"env.id": "coordination/reference-v0", "env.num_envs": 8, "rollout_steps": 10,
       "log.progress": False, "log.tensorboard": False, "eval.episodes": 4, "eval.gif": False,
       "policy.hidden_sizes": [16, 16], "algo.epochs": 1, "log.checkpoint_every": 1,
       "total_steps": 8 * 10 * 2}


@pytest.fixture(scope="module")
def victim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("msg") / "victim"
    Trainer(load_config(None, overrides={**REF, "log.run_dir": str(run)})).train()
    return run


class Constant:
    """A victim that always plays one action."""

    memory_size, name, team = 0, "constant", "agent"

    def __init__(self, action: int) -> None:
        self.action = action

    def act(self, env: Any, obs: torch.Tensor, rows: Any, memory: Any, starts: torch.Tensor,
            action_mask: Any = None) -> tuple[torch.Tensor, None]:
        return torch.full(obs.shape[:2], self.action, dtype=torch.long), None


def test_with_message_keeps_the_move_and_replaces_the_token() -> None:
    env = arena.make("coordination/reference-v0", num_envs=2)
    layout = env.team_actions("agent")
    assert layout is not None
    own = torch.tensor([[2 + 5 * 7, 4 + 5 * 1]])  # moves 2 and 4, tokens 7 and 1
    assert layout.with_message(own, torch.tensor([[3, 0]])).tolist() == [[2 + 15, 4]]
    cont = arena.make("coordination/reference-v0", num_envs=2, continuous_actions=True)
    clayout = cont.team_actions("agent")
    assert clayout is not None
    own_c = torch.rand(1, 2, 15)
    msg = torch.rand(1, 2, 10)
    out = clayout.with_message(own_c, msg)
    assert torch.equal(out[..., :5], own_c[..., :5]) and torch.equal(out[..., 5:], msg)
    speaker = arena.make("coordination/speaker_listener-v0").team_actions("speaker")
    assert speaker is not None
    assert speaker.with_message(torch.tensor([[2]]), torch.tensor([[0]])).tolist() == [[0]]


def test_injector_chooses_messages_only_on_its_slots(victim: Path, tmp_path: Path) -> None:
    cfg = attack_config(victim, "message", agents=1, run_dir=str(tmp_path / "m"),
                        overrides={"total_steps": 8 * 10 * 2})
    t = Trainer(cfg)
    assert isinstance(t.attack, MessageInjection)
    assert t.learners["agent"].spec.action_space.n == 10  # type: ignore[attr-defined]
    t.train(stop_after_iterations=1)
    assert torch.equal(t.collector.rollouts["agent"].active[-1] > 0, t.attack.attacked)
    assert bool(t.env.honest["agent"].all())  # the attacked agents still move honestly
    t.attack.victim_policy = Constant(2 + 5 * 7)  # type: ignore[assignment]
    obs = torch.zeros(8, 2, 21)
    acts = t.attack.actions("agent", obs, torch.full((8, 2), 3), torch.zeros(8).bool(), None)
    assert bool((acts == 2 + 5 * 3).all())  # the victim's move, the attacker's token


def test_message_attack_report_has_trained_and_random_injection(victim: Path,
                                                                tmp_path: Path) -> None:
    cfg = attack_config(victim, "message", run_dir=str(tmp_path / "m"),
                        overrides={"total_steps": 8 * 10 * 2})
    Trainer(cfg).train()
    report = evaluate_attack(tmp_path / "m", episodes=50, gif=str(tmp_path / "m.gif"))
    assert report.kind == "message" and set(report.attackers) == {"trained", "random"}
    assert red_pixels(tmp_path / "m.gif") > 50  # the injecting agent, ringed
    for r in report.attackers.values():
        assert r["asr"]["n"] == 50 and 0.0 <= r["asr"]["rate"] <= 1.0
    assert "messages of 1 agent(s) injected" in report.table()


def test_random_injection_sends_random_tokens() -> None:
    env = arena.make("coordination/reference-v0", num_envs=400)
    layout = env.team_actions("agent")
    assert layout is not None
    say = random_message(layout, torch.Generator().manual_seed(0))
    injected = Injected(Constant(1 + 5 * 9), say, layout, "r")  # type: ignore[arg-type]
    acts, _ = injected.act(env, torch.zeros(400, 2, 21), None, None, torch.zeros(400).bool())
    assert bool((acts % 5 == 1).all())
    tokens = acts // 5
    assert set(tokens.flatten().tolist()) == set(range(10))


def test_message_attack_needs_a_speaking_team(tmp_path: Path) -> None:
    nav = {**REF, "env.id": "navigation/navigation-v0", "log.run_dir": str(tmp_path / "nav")}
    Trainer(load_config(None, overrides=nav)).train()
    with pytest.raises(ConfigError, match="sends no messages"):
        Trainer(attack_config(tmp_path / "nav", "message", run_dir=str(tmp_path / "a")))


def test_message_attack_run_resumes_exactly(victim: Path, tmp_path: Path) -> None:
    def config(name: str) -> Any:
        return attack_config(victim, "message", agents_random=True,
                             run_dir=str(tmp_path / name), overrides={"total_steps": 8 * 10 * 4})

    a = Trainer(config("a"))
    a.train(stop_after_iterations=2)
    a.save_checkpoint()
    resumed = Trainer(config("a"), resume=True)
    resumed.train()
    b = Trainer(config("b"))
    b.train()
    for x, y in zip(resumed.learners["agent"].actor().parameters(),
                    b.learners["agent"].actor().parameters(), strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=0)


@pytest.fixture(scope="module")
def injector(victim: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("injector") / "m"
    Trainer(attack_config(victim, "message", agents=1, run_dir=str(run),
                          overrides={"total_steps": 8 * 10 * 2})).train()
    return run


def robust_message(tmp_path: Path, name: str, injector: Path, **over: Any) -> Any:
    return load_config(None, overrides={
        **REF, "log.run_dir": str(tmp_path / name), "robust.kind": "message",
        "robust.attackers": [str(injector)], "robust.population_size": 1,
        "robust.online": 0.0, "robust.generation": 2, "total_steps": 8 * 10 * 4,
        **{f"robust.{k}": v for k, v in over.items()}})


def test_robust_training_against_injection_replaces_only_the_messages(
        injector: Path, tmp_path: Path) -> None:
    """robust.kind message: members own the attacked slots (the learner does not learn from
    them); each sends the member's message with the move of the team's current policy; every
    agent stays honest."""
    t = Trainer(robust_message(tmp_path, "r", injector))
    robust = t.robust
    assert robust is not None
    assert robust.population.names == [f"attacker {injector}", "evolving attacker 0", "random"]
    t.train(stop_after_iterations=1)
    owner = t.collector.control["agent"].owner
    taken = robust.attacked & (robust.member >= 0).unsqueeze(-1)
    assert taken.any() and torch.equal(owner > 0, taken)  # slots 0: the learner's
    assert bool(t.env.honest["agent"].all())
    assert torch.equal(t.collector.rollouts["agent"].active[-1] > 0, ~taken)
    member = t.collector.control["agent"].controllers[int(owner[taken][0])]
    assert isinstance(member, Injected)
    assert member.victim.actor is t.learners["agent"].actor()  # the live policy moves
    member.victim = Constant(3 + 5 * 8)  # type: ignore[assignment]  # move 3, token 8
    robust.population.say = lambda k, obs, g: torch.full(obs.shape[:2], 6)  # type: ignore
    acts, _ = member.act(t.env, torch.zeros(5, 2, 21), None, None, torch.zeros(5).bool())
    assert bool((acts == 3 + 5 * 6).all())  # the team's move, the member's token


def test_robust_message_config_errors(injector: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no online attacker"):
        Trainer(robust_message(tmp_path, "a", injector, online=0.5))
    with pytest.raises(ConfigError, match="mutants of the trained ones"):
        Trainer(robust_message(tmp_path, "b", injector, attackers=[]))
    nav = {**REF, "env.id": "navigation/navigation-v0", "log.run_dir": str(tmp_path / "nav"),
           "robust.kind": "message", "robust.online": 0.0, "robust.population_size": 0}
    with pytest.raises(ConfigError, match="sends no messages"):
        Trainer(load_config(None, overrides=nav))


def test_robust_message_run_resumes_exactly(injector: Path, tmp_path: Path) -> None:
    a = Trainer(robust_message(tmp_path, "a", injector))
    a.train(stop_after_iterations=2)
    a.save_checkpoint()
    resumed = Trainer(robust_message(tmp_path, "a", injector), resume=True)
    resumed.train()
    b = Trainer(robust_message(tmp_path, "b", injector))
    b.train()
    ra, rb = resumed.robust, b.robust
    assert ra is not None and rb is not None
    assert torch.equal(ra.member, rb.member) and torch.equal(ra.population.fitness,
                                                             rb.population.fitness)
    for x, y in zip(resumed.learners["agent"].actor().parameters(),
                    b.learners["agent"].actor().parameters(), strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=0)
