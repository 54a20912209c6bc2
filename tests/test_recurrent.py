"""Recurrent backbones: the parallel scan against the step-by-step recurrence, episode resets
inside sequences, rollouts stored as sequences with their initial memory, exact resume."""

from __future__ import annotations

from pathlib import Path

import gymnasium
import pytest
import torch

import arena
from agents.actor_critic import Actor
from agents.policy_gradient import RolloutRows
from agents.ssm import linear_scan, sequential_scan
from arena.interfaces.episodes import EpisodeTracker
from arena.interfaces.policy_config import PolicyConfig
from arena.training.run_config import load_config
from arena.training.trainer import Trainer


@pytest.mark.parametrize("length", [1, 2, 3, 7, 16, 50, 129])
def test_parallel_scan_equals_recurrence(length: int) -> None:
    gen = torch.Generator().manual_seed(length)
    a = torch.rand(3, length, 5, generator=gen, dtype=torch.float64)
    b = torch.randn(3, length, 5, generator=gen, dtype=torch.float64)
    a[:, length // 2] = 0.0  # a reset in the middle
    assert torch.allclose(linear_scan(a, b), sequential_scan(a, b), atol=1e-12)


def test_scan_hand_computed() -> None:
    a = torch.tensor([[0.5, 2.0, 0.0, 1.0]]).unsqueeze(-1)
    b = torch.tensor([[1.0, 1.0, 3.0, -1.0]]).unsqueeze(-1)
    # h0 = 1; h1 = 2 * 1 + 1 = 3; h2 = 0 * 3 + 3 = 3 (reset); h3 = 3 - 1 = 2
    assert linear_scan(a, b).flatten().tolist() == [1.0, 3.0, 3.0, 2.0]


def make_actor(backbone: str, continuous: bool = False) -> Actor:
    torch.manual_seed(0)
    cfg = PolicyConfig(backbone=backbone, embed_dim=16, num_layers=2, ssm_state=4,
                       hidden_sizes=(16,))
    space = gymnasium.spaces.Box(-1, 1, (2,)) if continuous else gymnasium.spaces.Discrete(5)
    return Actor(6, [("obs", 1, 6)], space, 3, cfg)


@pytest.mark.parametrize("backbone", ["ssm", "gru"])
def test_sequence_equals_steps_with_resets(backbone: str) -> None:
    """Training's whole-sequence pass gives the rollout's step-by-step outputs (float32,
    1e-5), with episode starts inside the sequence and a non-zero initial memory."""
    actor = make_actor(backbone, continuous=True)
    r, length, n = 4, 40, 3
    gen = torch.Generator().manual_seed(1)
    obs = torch.randn(r, length, n, 6, generator=gen)
    starts = torch.rand(r, length, generator=gen) < 0.1
    memory0 = 0.5 * torch.randn(r, n, actor.memory_size, generator=gen)
    with torch.no_grad():
        whole = actor.sequence(obs, memory0, starts).mean
        memory, steps = memory0, []
        for t in range(length):
            dist, memory = actor.step(obs[:, t], memory, starts[:, t])
            steps.append(dist.mean)
    assert torch.allclose(torch.stack(steps, dim=1), whole, atol=1e-5)


@pytest.mark.parametrize("backbone", ["ssm", "gru"])
def test_episode_start_forgets_the_past(backbone: str) -> None:
    """After a start flag the outputs do not depend on anything before it."""
    actor = make_actor(backbone)
    obs = torch.randn(2, 12, 3, 6)
    obs[1, :6] = torch.randn(6, 3, 6)  # different pasts, same present
    obs[1, 6:] = obs[0, 6:]
    starts = torch.zeros(2, 12, dtype=torch.bool)
    starts[:, 6] = True
    memory = torch.randn(2, 3, actor.memory_size)
    with torch.no_grad():
        logits = actor.sequence(obs, memory, starts).logits
    assert torch.allclose(logits[0, 6:], logits[1, 6:], atol=1e-6)
    assert not torch.allclose(logits[0, :6], logits[1, :6])


@pytest.mark.parametrize(("backbone", "length"), [("ssm", 64), ("gru", 16)])
def test_backbone_learns_to_recall_the_first_input(backbone: str, length: int) -> None:
    """Supervised recall: a sign shown at the first step of a sequence of noise must be read
    out at the last step. The SSM learns it over 64 steps in 400 Adam steps (the GRU, with the
    same budget, only over 16: measured, it stays at chance at 64)."""
    from agents.actor_critic import make_backbone

    torch.manual_seed(0)
    cfg = PolicyConfig(backbone=backbone, embed_dim=16, num_layers=1, ssm_state=4,
                       hidden_sizes=(16,), feature_norm=False)
    net = make_backbone(2, [], cfg)
    readout = torch.nn.Linear(16, 1)
    opt = torch.optim.Adam([*net.parameters(), *readout.parameters()], lr=1e-2)

    def batch(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        sign = torch.randint(0, 2, (n,)).float() * 2 - 1
        x = torch.zeros(n, length, 2)
        x[:, :, 0] = 0.3 * torch.randn(n, length)  # distractors
        x[:, 0, 1] = sign  # the cue, at the first step only
        return x, sign

    starts = torch.zeros(64, length, dtype=torch.bool)
    for _ in range(400):
        x, sign = batch(64)
        out, _ = net(x, torch.zeros(64, net.memory_size), starts)
        loss = torch.nn.functional.softplus(-sign * readout(out[:, -1]).squeeze(-1)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    x, sign = batch(512)
    with torch.no_grad():
        out, _ = net(x, torch.zeros(512, net.memory_size),
                     torch.zeros(512, length, dtype=torch.bool))
        accuracy = (readout(out[:, -1]).squeeze(-1).sign() == sign).float().mean()
    assert accuracy > 0.95, accuracy


def tiny_cfg(tmp_path: Path, backbone: str, **over: object) -> object:
    base = {"name": "r", "env.id": "navigation/hidden_goal-v0", "env.num_envs": 6,
            "rollout_steps": 20, "total_steps": 480, "log.progress": False,
            "log.tensorboard": False, "eval.episodes": 4, "eval.gif": False,
            "log.run_dir": str(tmp_path / "run"), "policy.backbone": backbone,
            "policy.hidden_sizes": [16], "policy.embed_dim": 16, "policy.ssm_state": 4,
            "policy.num_layers": 1, "algo.epochs": 2, "algo.num_minibatches": 2,
            "algo.seq_len": 10, "env.kwargs": {"max_steps": 7}}
    return load_config(None, overrides={**base, **over})


@pytest.mark.parametrize("backbone", ["ssm", "gru"])
def test_rollout_sequences_replay_the_collected_log_probs(tmp_path: Path,
                                                          backbone: str) -> None:
    """The update's view of a rollout (sequences of ``seq_len`` steps from the memory stored
    when each was collected, resets at episode ends) reproduces the log-probabilities of the
    actions as they were sampled: the first PPO ratio is exactly 1."""
    trainer = Trainer(tiny_cfg(tmp_path, backbone))  # type: ignore[arg-type]
    trainer.collector.collect(EpisodeTracker())
    learner = trainer.learners["agent"]
    ro = trainer.collector.rollouts["agent"]
    assert ro.memory is not None and ro.memory.shape[0] == 2  # two chunks of 10
    assert ro.starts[0].all() and ro.starts[7].all()  # 7-step episodes restart together
    zeros = torch.zeros_like(ro.rewards)
    flat = RolloutRows(ro, zeros, zeros, zeros, sequences=True)
    actor = learner.actor()
    with torch.no_grad():
        dist = actor.sequence(flat.obs, flat.memory, flat.starts)  # type: ignore[operator]
        logp = actor.head.log_prob(dist, flat.actions)  # type: ignore[union-attr, operator]
    assert torch.allclose(logp, flat.logp, atol=1e-5)


def test_recurrent_resume_is_exact(tmp_path: Path) -> None:
    """The memory of every env and agent is checkpointed: stop and resume = one run."""
    full = Trainer(tiny_cfg(tmp_path / "a", "ssm"))  # type: ignore[arg-type]
    full.train()
    part_cfg = tiny_cfg(tmp_path / "b", "ssm")
    Trainer(part_cfg).train(stop_after_iterations=2)  # type: ignore[arg-type]
    resumed = Trainer(part_cfg, resume=True)  # type: ignore[arg-type]
    resumed.train()
    a, b = full.learners["agent"].state_dict(), resumed.learners["agent"].state_dict()
    for key, value in a["actor"].items():
        assert torch.equal(value, b["actor"][key]), key
    assert torch.equal(full.collector.memory["agent"], resumed.collector.memory["agent"])


def test_recurrent_policy_restarts_memory_each_episode(tmp_path: Path) -> None:
    Trainer(tiny_cfg(tmp_path, "ssm")).train()  # type: ignore[arg-type]
    env = arena.make("navigation/hidden_goal-v0", num_envs=2, max_steps=7)
    policy = arena.load_policy(tmp_path / "run", env=env)
    obs, _ = env.reset(seed=3)
    first = policy(obs, starts=env.episode_starts())
    for _ in range(3):
        obs, *_ = env.step(policy(obs, starts=env.episode_starts()))
    assert policy.memory["agent"].abs().sum() > 0
    env.reset(seed=3)
    again = policy(env.observe(), starts=env.episode_starts())  # a new episode: same start
    assert torch.equal(first["agent"], again["agent"])
    with pytest.raises(ValueError, match="memory"):
        policy.actors["agent"].decide(obs["agent"])  # type: ignore[operator]


def test_hidden_goal_hides_the_goal_after_the_first_steps() -> None:
    env = arena.make("navigation/hidden_goal-v0", num_envs=4, goal_visible_steps=2)
    obs, _ = env.reset(seed=0)
    seen = []
    for _ in range(4):
        seen.append(obs["agent"][..., 4:8].clone())
        obs, *_ = env.step({"agent": torch.zeros(4, 2, dtype=torch.long)})
    for t, x in enumerate(seen):  # goal_rel (2), at_goal (1), goal_visible (1)
        visible = t < 2
        assert bool((x[..., 3] == float(visible)).all())
        assert bool((x[..., :2].abs().sum(-1) > 0).all()) == visible
    state = env.global_state()
    assert state.shape[1] == env.state_space.shape[0]  # the critic's state keeps the goals
