"""GRPO-style critic-free training (Shao et al., 2024, "DeepSeekMath", section 4.1), for teams.

Each iteration, the env's envs are reset in groups of ``group_size`` that share one start state
(``VecEnv.reset_groups``) and play one whole episode each. A trajectory's advantage is its
return minus the mean return of its group, divided by the group's std: the group is the
baseline, no critic is learned. With ``advantage: reward_to_go`` each step's return-to-go is
compared with the group members' at the same step instead. With ``team_baseline`` the
statistics pool all agents of the team in the group (every agent's own return against one
shared team-level baseline, the "public baseline" of AdvEvo-MARL). The update is PPO's clipped
surrogate plus an optional KL penalty to the policy that collected the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from agents.policy_gradient import (
    ClippedPolicyLearner,
    RolloutRows,
    Rows,
    validate_minibatches,
    validate_precision,
)
from agents.ppo_math import (
    episode_returns,
    group_relative,
    kl_to_old,
    masked_mean,
    policy_loss,
    rewards_to_go,
)
from arena.interfaces.policy_config import PolicyConfig
from arena.interfaces.rollout import TeamRollout
from arena.interfaces.spec import TeamSpec


@dataclass
class GRPOConfig:
    """Hyperparameters of GRPO (one team)."""

    name: str = "grpo"
    """Algorithm name."""
    group_size: int = 8
    """Envs per group (same start state); ``env.num_envs`` must be a multiple of it."""
    advantage: str = "episode"
    """``episode`` (the trajectory's return, group-normalized, for every step) or
    ``reward_to_go`` (each step's return-to-go, normalized over the group at that step)."""
    team_baseline: bool = False
    """Group statistics over all agents of the team (shared baseline) instead of per agent."""
    gamma: float = 1.0
    """Discount of the returns-to-go (``reward_to_go`` only)."""
    lr: float = 5e-4
    """Learning rate (Adam)."""
    lr_anneal: bool = False
    """Decay the learning rate linearly to zero over ``total_steps`` (in steps, as PPO's)."""
    clip: float = 0.2
    """PPO ratio clip."""
    kl_coef: float = 0.0
    """Weight of the KL penalty to the policy that collected the rollout (0: clip only)."""
    epochs: int = 4
    """Passes over each rollout."""
    num_minibatches: int = 1
    """Minibatches per pass."""
    minibatch_size: int = 0
    """Env steps per minibatch instead of ``num_minibatches`` (0: off), as in PPO: whole-episode
    rollouts of long-episode scenarios get gradient steps in proportion."""
    entropy_coef: float = 0.01
    """Entropy bonus."""
    max_grad_norm: float = 10.0
    """Gradient clipping."""
    target_kl: float = 0.0
    """Stop the epochs early when the approximate KL exceeds this (0: never)."""
    chunk_size: int = 0
    """Rows per forward/backward chunk (speed and memory only, as in PPO; 0: by the device)."""
    compile: bool = False
    """``torch.compile`` each chunk's forward and loss (AOTAutograd compiles the backward with
    it): on 2 CPU cores about 25 s of compiling at the first update, then an update about a
    third faster (docs/benchmarks.md). The gradient equals the eager one to float rounding."""
    precision: str = "float32"
    """``float32``, or ``bfloat16``: the update's forward under bfloat16 autocast, as in PPO."""
    seq_len: int = 0
    """Recurrent policies: training sequence length (0: the whole episode)."""

    def validate(self) -> None:
        validate_precision(self.precision)
        validate_minibatches(self.num_minibatches, self.minibatch_size)
        if self.group_size < 2:
            raise ValueError(f"group_size must be >= 2, got {self.group_size}")
        if self.advantage not in ("episode", "reward_to_go"):
            raise ValueError(f"advantage must be 'episode' or 'reward_to_go', "
                             f"got {self.advantage!r}")
        if not 0 < self.gamma <= 1:
            raise ValueError(f"gamma must be in (0, 1], got {self.gamma}")
        if self.epochs < 1 or self.num_minibatches < 1 or self.chunk_size < 0:
            raise ValueError("epochs and num_minibatches must be >= 1, chunk_size >= 0 (0: "
                             "chosen by the device)")
        if self.kl_coef < 0 or self.seq_len < 0:
            raise ValueError("kl_coef and seq_len must be >= 0")


def grpo_advantages(ro: TeamRollout, cfg: GRPOConfig) -> torch.Tensor:
    """Group-relative advantages ``(T, B, N)`` of a rollout of whole episodes (``ro.active``
    is 0 after each env's first episode). The group statistics cover the slots the learner
    played (active at some step): under robust training an attacker's slots are left out."""
    pool = cfg.team_baseline
    if cfg.advantage == "reward_to_go":
        rtg = rewards_to_go(ro.rewards, ro.active, cfg.gamma)
        return group_relative(rtg, ro.active, cfg.group_size, pool)
    returns = episode_returns(ro.rewards, ro.active)
    played = ro.active.amax(0)  # the agents the learner played (not an attacker's slots)
    adv = group_relative(returns, played, cfg.group_size, pool)
    return adv.unsqueeze(0) * ro.active


class GRPOLearner(ClippedPolicyLearner):
    """One team's actor and optimizer: the shared clipped-surrogate update, no critic."""

    def __init__(self, spec: TeamSpec, policy_cfg: PolicyConfig, cfg: GRPOConfig,
                 device: torch.device) -> None:
        super().__init__(spec, policy_cfg, cfg, device, group_size=cfg.group_size)
        self.cfg: GRPOConfig = cfg

    def value(self, obs: torch.Tensor, state: torch.Tensor | None) -> torch.Tensor:
        """No critic: zero (what ``act`` records as values; time-limit bootstrapping does not
        apply to whole episodes)."""
        return torch.zeros(obs.shape[:-1], device=obs.device)

    def update(self, ro: TeamRollout, progress: float) -> dict[str, float]:
        cfg = self.cfg
        adv = grpo_advantages(ro, cfg)
        zeros = torch.zeros_like(adv)
        out = self._optimize(self._rows(ro, adv, zeros, zeros), progress)
        returns = episode_returns(ro.rewards, ro.active)
        out["group_return_std"] = float(returns.reshape(-1, cfg.group_size, returns.shape[-1])
                                        .std(1, unbiased=False).mean())
        return out

    def _losses(self, flat: RolloutRows, idx: Rows) -> dict[str, torch.Tensor]:
        cfg = self.cfg
        mask = flat.active[idx]
        dist = self._dist(flat, idx)
        head = self._actor.head
        logp = head.log_prob(dist, flat.actions[idx])
        pg_loss, clip_frac, approx_kl = policy_loss(logp, flat.logp[idx], flat.adv[idx],
                                                    cfg.clip, mask)
        kl = masked_mean(kl_to_old(logp, flat.logp[idx]), mask)
        entropy = masked_mean(head.entropy(dist), mask)
        loss = pg_loss + cfg.kl_coef * kl - cfg.entropy_coef * entropy
        return {"loss": loss, "policy_loss": pg_loss, "kl_penalty": kl, "entropy": entropy,
                "approx_kl": approx_kl, "clip_fraction": clip_frac}


def make_grpo(spec: TeamSpec, policy_cfg: PolicyConfig, cfg: GRPOConfig,
              device: torch.device) -> GRPOLearner:
    """Factory registered for ``grpo``."""
    return GRPOLearner(spec, policy_cfg, cfg, device)
