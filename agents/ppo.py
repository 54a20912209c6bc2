"""MAPPO and IPPO (Yu et al., "The Surprising Effectiveness of PPO in Cooperative Multi-Agent
Games"): parameter sharing inside a team, GAE, value normalization, clipped surrogate and
clipped value loss, advantage normalization, active masks. MAPPO's critic is centralized (global
state, or attention over the team's agents); IPPO's sees each agent's own observation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from agents.policy import ActionDist, Actor, Critic
from agents.ppo_math import (
    RunningNorm,
    gae,
    masked_mean,
    normalize_advantages,
    policy_loss,
    value_loss,
)
from arena import distributed
from arena.learning import ActResult, PolicyConfig, TeamRollout, TeamSpec


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
    """Decay both learning rates linearly to zero over the run."""
    gamma: float = 0.99
    """Discount."""
    gae_lambda: float = 0.95
    """GAE lambda."""
    clip: float = 0.2
    """PPO ratio clip."""
    value_clip: float = 0.2
    """Value clip (normalized units); 0 turns it off."""
    epochs: int = 10
    """Passes over each rollout."""
    num_minibatches: int = 1
    """Minibatches per pass (split over env-steps; agents of a step stay together)."""
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
    chunk_size: int = 8192
    """Rows (env steps) per forward/backward chunk inside a minibatch: gradients are summed
    over chunks, so this changes speed and memory, not the update."""
    critic_input: str = "agent_state"
    """MAPPO with an MLP: ``agent_state`` (global state + the agent's own observation, one
    critic pass per agent) or ``state`` (global state only, one pass per env with one output
    per agent: about 3x cheaper for 3 agents)."""

    imitation_coef: float = 0.0
    """Weight of an imitation loss toward the scenario's scripted actions on the rollout's own
    states, added to the PPO loss (DAgger-style: the scripted policy labels the states the
    learner visits, as in DAPG / AlphaStar's supervised regularizer); 0 turns it off."""

    seq_len: int = 0
    """Recurrent policies (``ssm``, ``gru``): length of the training sequences the rollout is
    cut into, each starting from the memory stored when it was collected (0: the whole
    rollout is one sequence)."""

    def validate(self) -> None:
        if self.seq_len < 0:
            raise ValueError(f"seq_len must be >= 0, got {self.seq_len}")
        if self.name not in ("mappo", "ippo"):
            raise ValueError(f"name must be 'mappo' or 'ippo', got {self.name!r}")
        if self.critic_input not in ("agent_state", "state"):
            raise ValueError("critic_input must be 'agent_state' or 'state', "
                             f"got {self.critic_input!r}")
        if self.imitation_coef < 0:
            raise ValueError(f"imitation_coef must be >= 0, got {self.imitation_coef}")
        if self.chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {self.chunk_size}")
        if self.epochs < 1 or self.num_minibatches < 1:
            raise ValueError("epochs and num_minibatches must be >= 1")
        if not (0 < self.gamma <= 1 and 0 <= self.gae_lambda <= 1):
            raise ValueError("gamma must be in (0, 1] and gae_lambda in [0, 1]")


class PPOLearner:
    """One team's actor, critic, optimizers and value normalizer."""

    def __init__(self, spec: TeamSpec, policy_cfg: PolicyConfig, cfg: PPOConfig,
                 device: torch.device) -> None:
        self.spec, self.cfg, self.device = spec, cfg, device
        kind = "local" if cfg.name == "ippo" else (
            "attention" if policy_cfg.backbone == "attention" else
            "env_state" if cfg.critic_input == "state" else "state")
        self.uses_state = kind in ("state", "env_state")
        self.gamma = cfg.gamma
        self.imitates = cfg.imitation_coef > 0
        """Whether the rollout must carry the scripted policy's actions (``imitation_coef``)."""
        self._build_actor(policy_cfg, cfg.seq_len)
        self.critic = Critic(kind, spec.obs_dim, spec.state_dim, spec.layout, spec.num_agents,
                             policy_cfg).to(device)
        if policy_cfg.compile:  # in place: parameter names and checkpoints are unchanged
            self.critic.compile()
        self.value_norm = RunningNorm().to(device)
        self.actor_opt = torch.optim.Adam(self._actor.parameters(), lr=cfg.lr, eps=1e-5)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=cfg.critic_lr, eps=1e-5)
        self.optimizers = [(self.actor_opt, cfg.lr), (self.critic_opt, cfg.critic_lr)]
        """Each optimizer with its initial learning rate (annealed together)."""
        self.params = list(self._actor.parameters()) + list(self.critic.parameters())
        self.progress = 0.0
        """Fraction of the run done, set by the runner (for learning-rate annealing)."""

    def _build_actor(self, policy_cfg: PolicyConfig, seq_len: int) -> None:
        """The team's actor on the device, with what the trainer reads of it: its memory
        size (recurrent backbones), training sequence length and stored action shape."""
        spec = self.spec
        self._actor = Actor(spec.obs_dim, spec.layout, spec.action_space, spec.num_agents,
                            policy_cfg).to(self.device)
        if policy_cfg.compile:  # in place: parameter names and checkpoints are unchanged
            self._actor.backbone.compile()
        self.memory_size = self._actor.memory_size
        self.seq_len = seq_len
        self.action_shape = self._actor.head.stored_shape

    def actor(self) -> nn.Module:
        return self._actor

    # ----------------------------------------------------------------- acting
    def _denorm(self, v: torch.Tensor) -> torch.Tensor:
        return self.value_norm.denormalize(v) if self.cfg.value_norm else v

    @torch.no_grad()
    def act(self, obs: torch.Tensor, state: torch.Tensor | None, deterministic: bool = False,
            memory: torch.Tensor | None = None,
            starts: torch.Tensor | None = None) -> ActResult:
        d = self._actor.decide(obs, deterministic, memory, starts)
        return ActResult(d.actions, d.logp, self.value(obs, state), d.memory, d.env_actions)

    @torch.no_grad()
    def value(self, obs: torch.Tensor, state: torch.Tensor | None) -> torch.Tensor:
        return self._denorm(self.critic(obs, state))

    # ----------------------------------------------------------------- update
    def update(self, ro: TeamRollout) -> dict[str, float]:
        cfg = self.cfg
        last_value = self.value(ro.last_obs, ro.last_state)
        adv, returns = gae(ro.rewards, ro.values, ro.dones, last_value, cfg.gamma,
                           cfg.gae_lambda)
        if cfg.value_norm:
            self.value_norm.update(returns, ro.active, distributed.all_reduce_sum)
        if cfg.adv_norm:
            adv = normalize_advantages(adv, ro.active, reduce=distributed.all_reduce_sum)
        targets = self.value_norm.normalize(returns) if cfg.value_norm else returns
        old_values = self.value_norm.normalize(ro.values) if cfg.value_norm else ro.values
        out = self._optimize(_Flat(ro, adv, targets, old_values, self._actor.recurrent))
        out["explained_variance"] = _explained_variance(ro.values, returns, ro.active)
        return out

    def _optimize(self, flat: _Flat) -> dict[str, float]:
        """``epochs`` passes of ``num_minibatches`` gradient steps over the rollout rows."""
        cfg = self.cfg
        self._anneal()
        stats: dict[str, list[float]] = {}
        for _ in range(cfg.epochs):
            for idx in torch.randperm(flat.size, device=self.device).chunk(cfg.num_minibatches):
                step = self._minibatch_step(flat, idx)
                for k, v in step.items():
                    stats.setdefault(k, []).append(v)
            if cfg.target_kl and stats["approx_kl"][-1] > cfg.target_kl:
                break
        out = {k: sum(v) / len(v) for k, v in stats.items()}
        out["lr"] = self.actor_opt.param_groups[0]["lr"]
        return out

    def _minibatch_step(self, flat: _Flat, idx: torch.Tensor) -> dict[str, float]:
        """One gradient step on the minibatch ``idx``. The minibatch is processed in chunks of
        ``chunk_size`` rows whose gradients add up to the full minibatch's (each chunk's masked
        means weighted by its share of active entries), so activations stay in cache. Under
        data parallelism the shares are of all workers' active entries and the gradients and
        loss terms are summed over workers: every worker takes the step of the union batch."""
        cfg = self.cfg
        total = distributed.all_reduce_sum(flat.active[idx].sum()).clamp_min(1.0)
        for opt, _ in self.optimizers:
            opt.zero_grad(set_to_none=True)
        sums: dict[str, torch.Tensor] = {}
        for part in idx.split(max(1, cfg.chunk_size // flat.steps_per_row)):
            weight = flat.active[part].sum() / total
            terms = self._losses(flat, part)
            (terms.pop("loss") * weight).backward()
            for k, v in terms.items():
                sums[k] = sums.get(k, 0.0) + v.detach() * weight
        if distributed.active():
            distributed.all_reduce_grads(self.params)
            reduced = distributed.all_reduce_sum(torch.stack(list(sums.values())))
            sums = dict(zip(sums, reduced, strict=True))
        if not all(torch.isfinite(v) for v in sums.values()):
            values = ", ".join(f"{k} {v.item():.4g}" for k, v in sums.items())
            raise FloatingPointError(f"team {self.spec.team!r}: non-finite loss ({values}); "
                                     "parameters left unchanged")
        grad_norm = nn.utils.clip_grad_norm_(self.params, cfg.max_grad_norm)
        for opt, _ in self.optimizers:
            opt.step()
        return {**{k: v.item() for k, v in sums.items()}, "grad_norm": grad_norm.item()}

    def _dist(self, flat: _Flat, idx: torch.Tensor) -> ActionDist:
        """The current policy's distribution over the rows ``idx``."""
        if flat.memory is not None and flat.starts is not None:
            return self._actor.sequence(flat.obs[idx], flat.memory[idx], flat.starts[idx])
        return self._actor(flat.obs[idx])

    def _losses(self, flat: _Flat, idx: torch.Tensor) -> dict[str, torch.Tensor]:
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

    def _anneal(self) -> None:
        if not self.cfg.lr_anneal:
            return
        frac = max(0.0, 1.0 - self.progress)
        for opt, lr in self.optimizers:
            for group in opt.param_groups:
                group["lr"] = lr * frac

    # ------------------------------------------------------------- checkpoint
    def state_dict(self) -> dict[str, Any]:
        return {"actor": self._actor.state_dict(), "critic": self.critic.state_dict(),
                "value_norm": self.value_norm.state_dict(),
                "actor_opt": self.actor_opt.state_dict(),
                "critic_opt": self.critic_opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._actor.load_state_dict(state["actor"])
        self.critic.load_state_dict(state["critic"])
        self.value_norm.load_state_dict(state["value_norm"])
        self.actor_opt.load_state_dict(state["actor_opt"])
        self.critic_opt.load_state_dict(state["critic_opt"])


class _Flat:
    """A rollout as rows that minibatches pick from, agents kept together: ``(T * B)``
    env-steps, or, for recurrent policies, ``(T / seq_len * B)`` sequences of ``seq_len``
    steps (each row ``(seq_len, ...)``, with its stored initial memory and start flags)."""

    def __init__(self, ro: TeamRollout, adv: torch.Tensor, targets: torch.Tensor,
                 old_values: torch.Tensor, sequences: bool = False) -> None:
        length = ro.seq_len if sequences else 1

        def f(x: torch.Tensor) -> torch.Tensor:
            if not sequences:
                return x.reshape(-1, *x.shape[2:])
            t, b = x.shape[:2]  # (T, B, ...) -> (T/L * B, L, ...), rows = chunk-major
            return x.reshape(t // length, length, b, *x.shape[2:]).transpose(1, 2).reshape(
                t // length * b, length, *x.shape[2:])

        self.obs, self.actions, self.logp = f(ro.obs), f(ro.actions), f(ro.logp)
        self.active, self.adv, self.targets = f(ro.active), f(adv), f(targets)
        self.old_values = f(old_values)
        self.state = f(ro.state) if ro.state is not None else None
        self.teacher = f(ro.teacher) if ro.teacher is not None else None
        self.starts = f(ro.starts) if sequences else None
        self.memory = (ro.memory.reshape(-1, *ro.memory.shape[2:])
                       if sequences and ro.memory is not None else None)
        self.steps_per_row = length
        self.size = self.obs.shape[0]


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
