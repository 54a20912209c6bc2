"""A small PPO learner and a fixed rollout that data-parallel workers split along the env
dimension (shared by tests/test_distributed.py and dp_worker.py)."""

from __future__ import annotations

import torch

import arena
from agents.ppo import PPOConfig, PPOLearner
from arena.interfaces.policy_config import PolicyConfig
from arena.interfaces.rollout import TeamRollout
from arena.interfaces.spec import LearnerCapabilities, TeamSpec

T, B, SEED = 6, 8, 123
CAPS = LearnerCapabilities(uses_state=True)


def small_learner() -> PPOLearner:
    env = arena.make("coordination/simple_spread-v0", num_envs=1)
    torch.manual_seed(SEED)
    cfg = PPOConfig(epochs=2, num_minibatches=1, chunk_size=5)
    return PPOLearner(TeamSpec.of(env, "agent"), PolicyConfig(hidden_sizes=(16, 16)), cfg,
                      torch.device("cpu"))


def shared_rollout(spec: TeamSpec, rank: int = 0, world: int = 1) -> TeamRollout:
    """Worker ``rank``'s share (envs ``rank*B/world ...``) of one random rollout of B envs."""
    g = torch.Generator().manual_seed(7)
    full = TeamRollout(spec, CAPS, T, B, torch.device("cpu"))
    for name in ("obs", "state", "logp", "values", "rewards", "last_obs", "last_state"):
        x = getattr(full, name)
        x.copy_(torch.randn(x.shape, generator=g))
    full.actions.copy_(torch.randint(0, 5, full.actions.shape, generator=g))
    full.dones.copy_((torch.rand(full.dones.shape, generator=g) < 0.2).float())
    full.active.copy_((torch.rand(full.active.shape, generator=g) < 0.9).float())
    if world == 1:
        return full
    part = TeamRollout(spec, CAPS, T, B // world, torch.device("cpu"))
    lo, hi = rank * B // world, (rank + 1) * B // world
    for name, x in vars(part).items():
        if isinstance(x, torch.Tensor):
            src = getattr(full, name)
            x.copy_(src[lo:hi] if name.startswith("last_") else src[:, lo:hi])
    return part
