"""Behaviour-cloning warm start: flow matching keeps the two ways of the bimodal fork
demonstrations where a Gaussian averages them; recurrent actors imitate sequences; runs
pretrain once and say so. Imitation during training (``algo.imitation_coef``): the rollout
carries the scripted actions and the loss adds exactly the weighted imitation term."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

import arena
from agents.policy_gradient import RolloutRows
from arena.interfaces.episodes import EpisodeTracker, run_episodes
from arena.training.run_config import load_config
from arena.training.trainer import Trainer


def fork_cfg(tmp_path: Path, head: str, **over: Any) -> Any:
    base = {"name": "bc", "env.id": "navigation/fork-v0", "env.num_envs": 8,
            "rollout_steps": 60, "total_steps": 480, "log.progress": False,
            "log.tensorboard": False, "eval.episodes": 4, "eval.gif": False,
            "log.run_dir": str(tmp_path / head), "policy.hidden_sizes": [64, 64],
            "policy.head": head, "policy.flow_steps": 4, "pretrain.source": "scripted",
            "pretrain.steps": 800, "pretrain.num_envs": 64, "pretrain.batch_size": 1024,
            "pretrain.lr": 3e-3, "seed": 1}
    return load_config(None, overrides={**base, **over})


def greedy_success(trainer: Trainer) -> tuple[float, float]:
    """Greedy success over 300 fork episodes, and the share that passed on the left."""
    env = arena.make("navigation/fork-v0", num_envs=300)
    play = trainer.play()
    lefts = []

    def watch(env: arena.VecEnv, obs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        lefts.append(env.world.agent_pos[:, 0, 0] < -0.2)
        return play(env, obs)

    stats = run_episodes(env, watch, seed=5).means()
    left = torch.stack(lefts).any(0).float().mean().item()
    return stats["success"], left


def test_flow_imitation_keeps_both_ways_gaussian_averages_them(tmp_path: Path) -> None:
    """Cloned from the bimodal scripted policy: at the start state the flow head's greedy
    actions go left or right, the Gaussian's go straight (the average of the two ways), and in
    closed loop the Gaussian hits the hazard every time while the flow gets through often."""
    results = {}
    for head in ("flow", "gaussian"):
        trainer = Trainer(fork_cfg(tmp_path, head))
        trainer._pretrain(None)
        env = arena.make("navigation/fork-v0", num_envs=2000)
        obs, _ = env.reset(seed=9)
        with torch.no_grad():
            x = trainer.learners["agent"].actor().decide(  # type: ignore[operator]
                obs["agent"], deterministic=True).env_actions[:, 0, 0]
        shares = [(x < -0.3).float().mean().item(), (x > 0.3).float().mean().item()]
        results[head] = (*shares, greedy_success(trainer)[0])
    flow_left, flow_right, flow_success = results["flow"]
    gauss_left, gauss_right, gauss_success = results["gaussian"]
    assert flow_left > 0.15 and flow_right > 0.15, results
    assert gauss_left + gauss_right < 0.1, results
    assert flow_success > 0.25 and gauss_success < 0.05, results


def test_recurrent_actor_imitates_sequences(tmp_path: Path) -> None:
    cfg = fork_cfg(tmp_path, "auto", **{"env.id": "navigation/hidden_goal-v0",
                                        "policy.backbone": "ssm", "policy.embed_dim": 16,
                                        "policy.hidden_sizes": [16], "pretrain.steps": 30,
                                        "pretrain.num_envs": 16, "rollout_steps": 50,
                                        "algo.seq_len": 25})
    trainer = Trainer(cfg)
    from arena.training.pretrain import pretrain

    stats = pretrain(trainer.cfg, trainer.learners, trainer.device)
    assert stats["pretrain/agent/loss_last"] < stats["pretrain/agent/loss_first"]


def test_pretrain_runs_once_and_is_logged(tmp_path: Path) -> None:
    cfg = fork_cfg(tmp_path, "gaussian", **{"pretrain.steps": 5, "log.checkpoint_every": 1})
    Trainer(cfg).train(stop_after_iterations=1)
    log = tmp_path / "gaussian" / "pretrain.csv"
    assert "pretrain/agent/loss_last" in log.read_text().splitlines()[0]
    log.unlink()
    Trainer(cfg, resume=True).train()  # resumed runs do not clone again
    assert not log.exists()
    with pytest.raises(arena.ConfigError, match="pretrain: source must be"):
        load_config(None, overrides={"pretrain.source": "expert"})
    with pytest.raises(ValueError, match=r"pretrain.teams: \['defender'\]"):
        Trainer(fork_cfg(tmp_path / "x", "gaussian", **{"pretrain.teams": ["defender"]}))._pretrain(
            None)


def breach_imitation(tmp_path: Path, coef: float, lr: float = 5e-4) -> Trainer:
    return Trainer(load_config(None, overrides={
        "env.id": "attack_defense/breach-v0", "env.num_envs": 16, "rollout_steps": 20,
        "total_steps": 10**6, "log.progress": False, "log.tensorboard": False,
        "log.run_dir": str(tmp_path / f"imitate_{coef}"), "policy.hidden_sizes": [32, 32],
        "teams": {"attacker": {"frozen": "scripted"},
                  "defender": {"algo": {"imitation_coef": coef, "entropy_coef": 0.0,
                                        "lr": lr}}}}))


def test_imitation_term_labels_visited_states_and_adds_its_weighted_loss(tmp_path: Path) -> None:
    t = breach_imitation(tmp_path, 2.0)
    t.collector.collect(EpisodeTracker())
    ro, le = t.collector.rollouts["defender"], t.learners["defender"]
    assert list(t.collector.teacher) == ["defender"]  # the frozen scripted team needs no labels
    assert ro.teacher is not None and ro.teacher.dtype == torch.long
    assert int(ro.teacher.min()) >= 0 and int(ro.teacher.max()) <= 4 and bool(ro.teacher.any())
    zeros = torch.zeros_like(ro.rewards)
    flat = RolloutRows(ro, zeros, zeros, zeros)
    idx = torch.arange(flat.size)
    with_term = le._losses(flat, idx)
    nll = -le.actor().head.log_prob(le.actor()(flat.obs), flat.teacher)
    expected = (nll * flat.active).sum() / flat.active.sum()
    torch.testing.assert_close(with_term["imitation_loss"], expected)
    flat.teacher = None
    without = le._losses(flat, idx)
    torch.testing.assert_close(with_term["loss"] - without["loss"], 2.0 * expected)


def test_imitation_pulls_the_actor_toward_the_scripted_policy(tmp_path: Path) -> None:
    t = breach_imitation(tmp_path, 5.0, lr=3e-3)
    le, losses = t.learners["defender"], []
    for _ in range(6):
        t.collector.collect(EpisodeTracker())
        losses.append(le.update(t.collector.rollouts["defender"], 0.0)["imitation_loss"])
    assert max(losses[-3:]) < 0.85 * losses[0], losses
    with pytest.raises(arena.ConfigError, match="imitation_coef must be >= 0"):
        load_config(None, overrides={"algo.imitation_coef": -1.0})
