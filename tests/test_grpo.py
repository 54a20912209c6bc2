"""GRPO-style training: group-relative advantages against hand-computed values, grouped resets
of every registered scenario, and the whole-episode collection of the trainer."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import arena
from agents.grpo import GRPOConfig, grpo_advantages
from agents.ppo_math import episode_returns, group_relative, kl_to_old, rewards_to_go
from arena.interfaces.episodes import EpisodeTracker
from arena.interfaces.rollout import TeamRollout
from arena.interfaces.spec import LearnerCapabilities, TeamSpec
from arena.training.run_config import load_config
from arena.training.trainer import Trainer


def test_group_relative_hand_computed() -> None:
    # two groups of two envs, one agent: returns 1, 3 | 5, 5
    x = torch.tensor([[1.0], [3.0], [5.0], [5.0]])
    adv = group_relative(x, torch.ones_like(x), group_size=2)
    # group 0: mean 2, population std 1 -> -1, +1; group 1: std 0 -> 0, 0
    assert torch.allclose(adv.flatten(), torch.tensor([-1.0, 1.0, 0.0, 0.0]), atol=1e-6)


def test_group_relative_per_agent_vs_team_baseline() -> None:
    # one group of two envs, two agents: agent 0 returns 0, 2; agent 1 returns 10, 12
    x = torch.tensor([[0.0, 10.0], [2.0, 12.0]])
    per_agent = group_relative(x, torch.ones_like(x), 2)
    assert torch.allclose(per_agent, torch.tensor([[-1.0, -1.0], [1.0, 1.0]]), atol=1e-6)
    pooled = group_relative(x, torch.ones_like(x), 2, pool_agents=True)
    # one baseline for the team: mean 6, std sqrt(mean([36, 16, 16, 36])) = sqrt(26)
    expected = (x - 6.0) / 26.0**0.5
    assert torch.allclose(pooled, expected, atol=1e-6)


def test_group_relative_ignores_masked_members() -> None:
    x = torch.tensor([[1.0], [3.0], [100.0]])
    mask = torch.tensor([[1.0], [1.0], [0.0]])
    adv = group_relative(x, mask, group_size=3)
    assert torch.allclose(adv.flatten(), torch.tensor([-1.0, 1.0, 0.0]), atol=1e-6)
    with pytest.raises(ValueError, match="groups of 2"):
        group_relative(x, mask, group_size=2)


def test_returns_and_rewards_to_go_hand_computed() -> None:
    rewards = torch.tensor([[1.0], [2.0], [4.0]])
    active = torch.tensor([[1.0], [1.0], [0.0]])  # the episode ended after step 1
    assert episode_returns(rewards, active).item() == 3.0
    rtg = rewards_to_go(rewards, active, gamma=0.5)
    assert rtg.flatten().tolist() == [2.0, 2.0, 0.0]  # 1 + 0.5 * 2, 2, nothing after the end


def test_kl_penalty_values() -> None:
    logp = torch.log(torch.tensor([0.5, 0.25]))
    old = torch.log(torch.tensor([0.5, 0.5]))
    kl = kl_to_old(logp, old)
    assert kl[0].item() == pytest.approx(0.0)
    assert kl[1].item() == pytest.approx(2.0 - 1.0 - torch.log(torch.tensor(2.0)).item())


def rollout_of(rewards: torch.Tensor, active: torch.Tensor) -> TeamRollout:
    t, b, n = rewards.shape
    env = arena.make("coordination/simple_spread-v0", num_envs=1, N=n)
    ro = TeamRollout(TeamSpec.of(env, "agent"), LearnerCapabilities(), t, b, torch.device("cpu"))
    ro.rewards.copy_(rewards)
    ro.active.copy_(active)
    return ro


def test_grpo_advantages_episode_and_reward_to_go() -> None:
    # 2 steps, one group of 2 envs, 3 agents with the same rewards; env 1 ends after step 0
    rewards = torch.tensor([[[1.0], [3.0]], [[1.0], [9.0]]]).expand(2, 2, 3).clone()
    active = torch.tensor([[[1.0], [1.0]], [[1.0], [0.0]]]).expand(2, 2, 3).clone()
    ro = rollout_of(rewards, active)
    episode = grpo_advantages(ro, GRPOConfig(group_size=2))
    # returns: env 0: 2, env 1: 3 -> -1, +1 on every active step, 0 after env 1's end
    assert torch.allclose(episode[:, 0], torch.full((2, 3), -1.0), atol=1e-6)
    assert torch.allclose(episode[0, 1], torch.ones(3), atol=1e-6)
    assert bool((episode[1, 1] == 0).all())
    rtg = grpo_advantages(ro, GRPOConfig(group_size=2, advantage="reward_to_go"))
    # step 0: returns-to-go 2 vs 3 -> -1, +1; step 1: env 0 alone in its group -> 0
    assert torch.allclose(rtg[0, :, 0], torch.tensor([-1.0, 1.0]), atol=1e-6)
    assert bool((rtg[1] == 0).all())


def test_grpo_episode_baseline_leaves_out_slots_the_learner_did_not_play() -> None:
    """Robust training: an attacker plays agent 1 of both envs (never active for the learner).
    The per-agent baseline ignores it anyway; the team baseline pools only agents 0 and 2."""
    rewards = torch.tensor([[[1.0, 100.0, 3.0], [5.0, -50.0, 7.0]]])  # (T=1, B=2, N=3)
    active = torch.tensor([[[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]]])
    ro = rollout_of(rewards, active)
    per_agent = grpo_advantages(ro, GRPOConfig(group_size=2))
    assert torch.allclose(per_agent[0], torch.tensor([[-1.0, 0.0, -1.0], [1.0, 0.0, 1.0]]),
                          atol=1e-6)
    team = grpo_advantages(ro, GRPOConfig(group_size=2, team_baseline=True))
    # pooled over 1, 3, 5, 7: mean 4, population std sqrt(5)
    expected = (torch.tensor([[1.0, 0.0, 3.0], [5.0, 0.0, 7.0]]) - 4.0) / 5.0 ** 0.5
    expected[:, 1] = 0.0
    assert torch.allclose(team[0], expected, atol=1e-6)


@pytest.mark.parametrize("env_id", arena.list_envs())
def test_reset_groups_share_start_states(env_id: str) -> None:
    """Envs of a group start identically (observations, state, and, under the same actions,
    the next step: every hidden per-env quantity was shared), groups differ."""
    env = arena.make(env_id, num_envs=6)
    first, _ = env.reset(seed=0)
    # a game that always starts from the empty board has nothing to vary between groups
    varied = any(not torch.equal(x[0], x[3]) for x in first.values())
    obs = env.reset_groups(3)
    state = env.global_state()
    for team, x in obs.items():
        assert torch.equal(x[0], x[1]) and torch.equal(x[0], x[2]), team
    # groups differ (one team's view alone may coincide: a speaker sees 1 of 3 colours)
    assert not varied or not torch.equal(state[0], state[3])
    assert torch.equal(state[3], state[5])
    same = {t: a[:1].expand_as(a).contiguous() for t, a in env.sample_actions().items()}
    nxt, reward, *_ = env.step(same)
    for team in obs:
        assert torch.allclose(nxt[team][0], nxt[team][2]) and torch.allclose(
            reward[team][3], reward[team][4]), team
    with pytest.raises(ValueError, match="multiple of the group size"):
        env.reset_groups(4)


def test_trainer_collects_whole_grouped_episodes(tmp_path: Path) -> None:
    cfg = load_config(None, overrides={
        "env.id": "navigation/navigation-v0", "env.num_envs": 8,
        "env.kwargs": {"num_agents": 2, "max_steps": 12}, "rollout_steps": 5,
        "total_steps": 192, "algo": {"name": "grpo", "group_size": 4, "epochs": 1},
        "log.run_dir": str(tmp_path / "run"), "log.progress": False,
        "log.tensorboard": False, "eval.episodes": 4, "eval.gif": False})
    trainer = Trainer(cfg)
    assert trainer.cfg.rollout_steps == 12  # whole episodes, whatever rollout_steps said
    trainer.collector.collect(EpisodeTracker())
    ro = trainer.collector.rollouts["agent"]
    assert torch.equal(ro.obs[0, 0], ro.obs[0, 3]) and not torch.equal(ro.obs[0, 0], ro.obs[0, 4])
    ended = ro.dones[:, :, 0].cumsum(0) > 0  # steps after each env's first episode end
    after = torch.cat([torch.zeros(1, 8, dtype=torch.bool), ended[:-1]])
    assert bool((ro.active[after] == 0).all()) and bool((ro.active[~after] == 1).all())
    summary = trainer.train()
    assert summary["env_steps"] == 192 and summary["iterations"] == 2


def test_grpo_config_errors(tmp_path: Path) -> None:
    base = {"env.num_envs": 10, "log.run_dir": str(tmp_path), "log.progress": False}
    with pytest.raises(arena.ConfigError, match=r"num_envs \(10\).*group_size \(4\)"):
        Trainer(load_config(None, overrides={**base, "algo": {"name": "grpo",
                                                             "group_size": 4}}))
    with pytest.raises(arena.ConfigError, match="advantage must be"):
        load_config(None, overrides={"algo": {"name": "grpo", "advantage": "gae"}})
    with pytest.raises(arena.ConfigError, match="unknown key 'critic_lr'"):
        load_config(None, overrides={"algo": {"name": "grpo", "critic_lr": 1e-3}})


def test_minibatch_size_sets_the_minibatches_by_the_rollout(tmp_path: Path) -> None:
    """``minibatch_size``: minibatches of about that many env steps, however long the whole
    episodes a group-relative rollout collects; ``num_minibatches`` otherwise."""
    from agents.policy_gradient import minibatch_count

    by_size = GRPOConfig(minibatch_size=12800)
    assert minibatch_count(by_size, 512 * 25) == 1  # simple_spread: as num_minibatches 1
    assert minibatch_count(by_size, 512 * 150) == 6  # transport's 150-step episodes
    assert minibatch_count(by_size, 12801) == 2
    assert minibatch_count(GRPOConfig(num_minibatches=3), 512 * 150) == 3
    cfg = load_config(None, overrides={
        "env.id": "navigation/navigation-v0", "env.num_envs": 8,
        "env.kwargs": {"num_agents": 2, "max_steps": 12},
        "algo": {"name": "grpo", "group_size": 4, "minibatch_size": 30},
        "log.run_dir": str(tmp_path / "run"), "log.progress": False,
        "log.tensorboard": False})
    learner = Trainer(cfg).learners["agent"]
    parts = learner._minibatches(8 * 12)  # 96 env steps -> 4 random minibatches
    assert len(parts) == 4 and sorted(torch.cat(parts).tolist()) == list(range(96))
    with pytest.raises(arena.ConfigError, match="not both"):
        load_config(None, overrides={"algo": {"name": "grpo", "num_minibatches": 2,
                                              "minibatch_size": 100}})


def test_one_minibatch_by_size_is_the_same_run_as_num_minibatches_1(tmp_path: Path) -> None:
    """The default recipe's ``minibatch_size`` leaves a rollout of that size in one minibatch:
    the same training, bit for bit, as ``num_minibatches: 1``."""
    params = []
    for name, algo in (("count", {"num_minibatches": 1}), ("size", {"minibatch_size": 96})):
        cfg = load_config(None, overrides={
            "env.id": "navigation/navigation-v0", "env.num_envs": 8,
            "env.kwargs": {"num_agents": 2, "max_steps": 12}, "total_steps": 192,
            "algo": {"name": "grpo", "group_size": 4, "epochs": 2, **algo},
            "log.run_dir": str(tmp_path / name), "log.progress": False,
            "log.tensorboard": False, "eval.episodes": 4, "eval.gif": False})
        trainer = Trainer(cfg)
        trainer.train()
        params.append(torch.cat([p.flatten() for p in trainer.learners["agent"].params]))
    assert torch.equal(params[0], params[1])
