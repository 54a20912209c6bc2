"""MAPPO and IPPO (Yu et al., "The Surprising Effectiveness of PPO in Cooperative Multi-Agent
Games"): parameter sharing inside a team, GAE, value normalization, clipped surrogate and
clipped value loss, advantage normalization, active masks. MAPPO's critic is centralized (global
state, or attention over the team's agents); IPPO's sees each agent's own observation."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import torch

from agents.actor_critic import Critic
from agents.policy_gradient import (
    ClippedPolicyLearner,
    RolloutRows,
    Rows,
    validate_minibatches,
    validate_precision,
)
from agents.ppo_math import (
    RunningNorm,
    gae,
    masked_mean,
    normalize_advantages,
    policy_loss,
    turn_gae,
    value_loss,
)
from arena.interfaces.policy_config import PolicyConfig
from arena.interfaces.rollout import TeamRollout
from arena.interfaces.spec import TeamSpec
from arena.training import distributed


@dataclass
class PPOConfig:
    """Hyperparameters of MAPPO / IPPO (one team)."""

    name: str = "mappo"
    """``mappo`` (centralized critic) or ``ippo`` (local critic)."""
    lr: float = 5e-4
    """Actor learning rate (Adam)."""
    critic_lr: float = 5e-4
    """Critic learning rate (Adam)."""
    lr_anneal: bool = False
    """Decay both learning rates linearly to zero over ``total_steps`` (a schedule in steps,
    so a seeded run is reproducible; when ``time_limit`` ends the run first, the rates stop
    above zero)."""
    gamma: float = 0.99
    """Discount."""
    gae_lambda: float = 0.95
    """GAE lambda."""
    bootstrap_truncation: bool = True
    """Time-limit truncations add ``gamma * V(final state)`` to the last reward (partial-episode
    bootstrapping). ``false``: they end the episode as terminations do, as MAPPO's reference
    code does on MPE. For fixed-horizon tasks whose agents do not observe the time, where the
    bootstrapped value is a guess of a future that never comes, and the policy can learn to
    chase the critic's errors in it (measured on reference, docs/communication.md)."""
    clip: float = 0.2
    """PPO ratio clip."""
    value_clip: float = 0.2
    """Value clip (normalized units); 0 turns it off."""
    epochs: int = 10
    """Passes over each rollout."""
    num_minibatches: int = 1
    """Minibatches per pass (split over env-steps; agents of a step stay together)."""
    minibatch_size: int = 0
    """Env steps per minibatch instead of a fixed ``num_minibatches``: each epoch is cut into
    ``ceil(rollout env steps / minibatch_size)`` minibatches (0: use ``num_minibatches``).
    Keeps the number of gradient steps proportional to the data when the rollout's size
    varies with the scenario (group-relative training collects whole episodes)."""
    entropy_coef: float = 0.01
    """Entropy bonus."""
    value_coef: float = 1.0
    """Weight of the value loss."""
    huber_delta: float = 10.0
    """Huber delta of the value loss; 0 for squared error."""
    max_grad_norm: float = 10.0
    """Gradient clipping."""
    value_norm: bool = True
    """Normalize value targets with running statistics."""
    adv_norm: bool = True
    """Normalize advantages per update."""
    target_kl: float = 0.0
    """Stop the epochs early when the approximate KL exceeds this (0: never)."""
    chunk_size: int = 0
    """Rows (env steps) per forward/backward chunk inside a minibatch: gradients are summed
    over chunks, so this changes speed and memory, not the update. 0: chosen by the device,
    8192 on a CPU (cache-sized), 2**20 on a GPU (few launches)."""
    critic_input: str = "agent_state"
    """MAPPO with an MLP: ``agent_state`` (global state + the agent's own observation, one
    critic pass per agent) or ``state`` (global state only, one pass per env with one output
    per agent: about 3x cheaper for 3 agents)."""

    imitation_coef: float = 0.0
    """Weight of an imitation loss toward the scenario's scripted actions on the rollout's own
    states, added to the PPO loss (DAgger-style: the scripted policy labels the states the
    learner visits, as in DAPG / AlphaStar's supervised regularizer); 0 turns it off."""

    compile: bool = False
    """``torch.compile`` each chunk's forward and loss (AOTAutograd compiles the backward with
    it): on 2 CPU cores about 25 s of compiling at the first update, then an update about a
    third faster (docs/benchmarks.md). The gradient equals the eager one to float rounding."""
    precision: str = "float32"
    """Arithmetic of the update's forward and backward: ``float32``, or ``bfloat16`` (the
    matmuls in bfloat16 under ``torch.autocast``; action-head outputs, values, losses, the
    optimizer and the parameters stay float32; acting stays float32). About 1.4x faster updates
    on a CPU with AVX-512 BF16 (docs/benchmarks.md); the gradient matches float32 to about
    1e-2 relative, not bit for bit."""
    seq_len: int = 0
    """Recurrent policies (``ssm``, ``gru``): length of the training sequences the rollout is
    cut into, each starting from the memory stored when it was collected (0: the whole
    rollout is one sequence)."""

    def validate(self) -> None:
        validate_precision(self.precision)
        validate_minibatches(self.num_minibatches, self.minibatch_size)
        if self.seq_len < 0:
            raise ValueError(f"seq_len must be >= 0, got {self.seq_len}")
        if self.name not in ("mappo", "ippo"):
            raise ValueError(f"name must be 'mappo' or 'ippo', got {self.name!r}")
        if self.critic_input not in ("agent_state", "state"):
            raise ValueError("critic_input must be 'agent_state' or 'state', "
                             f"got {self.critic_input!r}")
        if self.imitation_coef < 0:
            raise ValueError(f"imitation_coef must be >= 0, got {self.imitation_coef}")
        if self.chunk_size < 0:
            raise ValueError(f"chunk_size must be >= 0 (0: chosen by the device), got "
                             f"{self.chunk_size}")
        if self.epochs < 1 or self.num_minibatches < 1:
            raise ValueError("epochs and num_minibatches must be >= 1")
        if not (0 < self.gamma <= 1 and 0 <= self.gae_lambda <= 1):
            raise ValueError("gamma must be in (0, 1] and gae_lambda in [0, 1]")


class PPOLearner(ClippedPolicyLearner):
    """One team's actor and critic, their optimizers and the value normalizer."""

    def __init__(self, spec: TeamSpec, policy_cfg: PolicyConfig, cfg: PPOConfig,
                 device: torch.device) -> None:
        kind = "local" if cfg.name == "ippo" else (
            "attention" if policy_cfg.backbone == "attention" else
            "env_state" if cfg.critic_input == "state" else "state")
        super().__init__(spec, policy_cfg, cfg, device, uses_state=kind in ("state", "env_state"),
                         imitates=cfg.imitation_coef > 0)
        self.cfg: PPOConfig = cfg
        self.caps = replace(self.caps, bootstraps_truncation=cfg.bootstrap_truncation)
        self.critic = Critic(kind, spec.obs_dim, spec.state_dim, spec.layout, spec.num_agents,
                             policy_cfg).to(device)
        if policy_cfg.compile:  # in place: parameter names and checkpoints are unchanged
            self.critic.compile()
        self.value_norm = RunningNorm().to(device)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=cfg.critic_lr, eps=1e-5)
        self.optimizers.append((self.critic_opt, cfg.critic_lr))
        self.params += list(self.critic.parameters())

    # ----------------------------------------------------------------- acting
    def _denorm(self, v: torch.Tensor) -> torch.Tensor:
        return self.value_norm.denormalize(v) if self.cfg.value_norm else v

    @torch.no_grad()
    def value(self, obs: torch.Tensor, state: torch.Tensor | None) -> torch.Tensor:
        return self._denorm(self.critic(obs, state))

    # ----------------------------------------------------------------- update
    def update(self, ro: TeamRollout, progress: float) -> dict[str, float]:
        cfg = self.cfg
        if ro.boot is not None:  # agents act in turn: GAE over each slot's own decisions
            adv, returns = turn_gae(ro.rewards, ro.values, ro.dones, ro.active, ro.boot,
                                    cfg.gamma, cfg.gae_lambda)
        else:
            last_value = self.value(ro.last_obs, ro.last_state)
            adv, returns = gae(ro.rewards, ro.values, ro.dones, last_value, cfg.gamma,
                               cfg.gae_lambda)
        if cfg.value_norm:
            self.value_norm.update(returns, ro.active, distributed.all_reduce_sum)
        if cfg.adv_norm:
            adv = normalize_advantages(adv, ro.active, reduce=distributed.all_reduce_sum)
        targets = self.value_norm.normalize(returns) if cfg.value_norm else returns
        old_values = self.value_norm.normalize(ro.values) if cfg.value_norm else ro.values
        out = self._optimize(self._rows(ro, adv, targets, old_values), progress)
        out["explained_variance"] = _explained_variance(ro.values, returns, ro.active)
        return out

    def _losses(self, flat: RolloutRows, idx: Rows) -> dict[str, torch.Tensor]:
        """Masked means over the rows ``idx``: surrogate, value loss, entropy, KL, clipping."""
        cfg = self.cfg
        obs, mask = flat.obs[idx], flat.active[idx]
        dist = self._dist(flat, idx)
        head = self._actor.head
        logp = head.log_prob(dist, flat.actions[idx])
        pg_loss, clip_frac, approx_kl = policy_loss(logp, flat.logp[idx], flat.adv[idx],
                                                    cfg.clip, mask)
        state = flat.state[idx] if flat.state is not None else None
        v_loss = value_loss(self.critic(obs, state), flat.old_values[idx], flat.targets[idx],
                            cfg.value_clip, mask, cfg.huber_delta or None)
        entropy = masked_mean(head.entropy(dist), mask)
        loss = pg_loss - cfg.entropy_coef * entropy + cfg.value_coef * v_loss
        terms = {"policy_loss": pg_loss, "value_loss": v_loss, "entropy": entropy,
                 "approx_kl": approx_kl, "clip_fraction": clip_frac}
        if flat.teacher is not None:
            imitation = masked_mean(self._actor.imitation_terms(dist, flat.teacher[idx]), mask)
            loss = loss + cfg.imitation_coef * imitation
            terms["imitation_loss"] = imitation
        return {"loss": loss, **terms}

    # ------------------------------------------------------------- checkpoint
    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "critic": self.critic.state_dict(),
                "value_norm": self.value_norm.state_dict(),
                "critic_opt": self.critic_opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.critic.load_state_dict(state["critic"])
        self.value_norm.load_state_dict(state["value_norm"])
        self.critic_opt.load_state_dict(state["critic_opt"])


def _explained_variance(values: torch.Tensor, returns: torch.Tensor, mask: torch.Tensor
                        ) -> float:
    var = masked_mean((returns - masked_mean(returns, mask)) ** 2, mask)
    resid = returns - values
    var_res = masked_mean((resid - masked_mean(resid, mask)) ** 2, mask)
    return float(1.0 - var_res / var) if var > 0 else float("nan")


def make_ppo(spec: TeamSpec, policy_cfg: PolicyConfig, cfg: PPOConfig,
             device: torch.device) -> PPOLearner:
    """Factory registered for ``mappo`` and ``ippo``."""
    return PPOLearner(spec, policy_cfg, cfg, device)
