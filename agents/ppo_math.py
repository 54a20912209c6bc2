"""The math of PPO-style updates as small pure functions (tested against hand-computed values)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

Reduce = Callable[[torch.Tensor], torch.Tensor]
"""Sums a tensor over data-parallel workers (in place); the identity for one process."""


def _identity(t: torch.Tensor) -> torch.Tensor:
    return t


def gae(
    rewards: torch.Tensor,
    values: torch.Tensor,
    dones: torch.Tensor,
    last_value: torch.Tensor,
    gamma: float,
    lam: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalized advantage estimation.

    ``rewards``, ``values`` and ``dones`` have shape ``(T, ...)``; ``dones[t]`` is 1 when the
    episode ended at step ``t`` (its value is not bootstrapped; add ``gamma * V(final)`` to the
    reward first for time-limit truncations). ``last_value`` ``(...)`` bootstraps the step after
    ``T - 1``. Returns ``(advantages, returns)``, each ``(T, ...)``.
    """
    adv = torch.zeros_like(rewards)
    running = torch.zeros_like(last_value)
    next_value = last_value
    for t in range(rewards.shape[0] - 1, -1, -1):
        nonterminal = 1.0 - dones[t]
        delta = rewards[t] + gamma * next_value * nonterminal - values[t]
        running = delta + gamma * lam * nonterminal * running
        adv[t] = running
        next_value = values[t]
    return adv, adv + values


def turn_gae(
    rewards: torch.Tensor,
    values: torch.Tensor,
    dones: torch.Tensor,
    active: torch.Tensor,
    boot: torch.Tensor,
    gamma: float,
    lam: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """GAE over each slot's own decisions, for agents that act in turn.

    Shapes ``(T, B, N)`` (``dones`` ``(T, B, 1)``). A slot's steps where it did not act
    (``active`` 0) pass through: they neither discount nor reset the recursion, so a decision's
    next value is the slot's next decision's, ``gamma`` and ``lam`` apply once per decision,
    and ``rewards`` must already be credited to the decision they belong to. ``dones[t]`` ends
    the episode after step ``t`` (next value 0). ``boot`` 1 marks a decision whose episode goes
    on past the rollout: it gets no advantage, and its value bootstraps the decision before it.
    Inactive steps get advantage 0. Returns ``(advantages, returns)``."""
    adv = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[0])
    next_value = torch.zeros_like(rewards[0])
    for t in range(rewards.shape[0] - 1, -1, -1):
        ended = dones[t].expand_as(running) > 0
        next_value = torch.where(ended, 0.0, next_value)
        running = torch.where(ended, 0.0, running)
        acted, bootstrap = active[t] > 0, boot[t] > 0
        step = rewards[t] + gamma * next_value - values[t] + gamma * lam * running
        adv[t] = torch.where(acted, step, 0.0)
        running = torch.where(acted, step, torch.where(bootstrap, 0.0, running))
        next_value = torch.where(acted | bootstrap, values[t], next_value)
    return adv, adv + values


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``x`` over entries where ``mask`` is 1."""
    return (x * mask).sum() / mask.sum().clamp_min(1.0)


def normalize_advantages(adv: torch.Tensor, mask: torch.Tensor, eps: float = 1e-8,
                         reduce: Reduce = _identity) -> torch.Tensor:
    """Zero mean, unit std over the active entries (of all workers, with ``reduce``)."""
    sums = reduce(torch.stack([(adv * mask).sum(), mask.sum()]))
    count = sums[1].clamp_min(1.0)
    mean = sums[0] / count
    var = reduce(((adv - mean) ** 2 * mask).sum()) / count
    return (adv - mean) / (var.sqrt() + eps)


def policy_loss(logp: torch.Tensor, old_logp: torch.Tensor, adv: torch.Tensor, clip: float,
                mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PPO's clipped surrogate. Returns ``(loss, clip_fraction, approx_kl)``; ``approx_kl`` is
    the ``(r - 1) - log r`` estimator."""
    log_ratio = logp - old_logp
    ratio = log_ratio.exp()
    surrogate = torch.min(ratio * adv, ratio.clamp(1.0 - clip, 1.0 + clip) * adv)
    loss = -masked_mean(surrogate, mask)
    with torch.no_grad():
        clip_frac = masked_mean(((ratio - 1.0).abs() > clip).float(), mask)
        approx_kl = masked_mean((ratio - 1.0) - log_ratio, mask)
    return loss, clip_frac, approx_kl


def huber(x: torch.Tensor, delta: float) -> torch.Tensor:
    """Huber loss of the error ``x`` (quadratic within ``delta``, linear beyond)."""
    a = x.abs()
    return torch.where(a <= delta, 0.5 * x**2, delta * (a - 0.5 * delta))


def value_loss(value: torch.Tensor, old_value: torch.Tensor, target: torch.Tensor, clip: float,
               mask: torch.Tensor, huber_delta: float | None = None) -> torch.Tensor:
    """Clipped value loss: the larger of the errors of the new value and of the old value moved
    at most ``clip`` toward it (MAPPO's; ``clip <= 0`` turns clipping off)."""

    def err(x: torch.Tensor) -> torch.Tensor:
        return huber(x, huber_delta) if huber_delta else 0.5 * x**2

    loss = err(target - value)
    if clip > 0:
        clipped = old_value + (value - old_value).clamp(-clip, clip)
        loss = torch.max(loss, err(target - clipped))
    return masked_mean(loss, mask)


class RunningNorm(nn.Module):
    """Running mean and variance of a scalar stream (parallel Welford merge of batches), used to
    normalize value targets. Stored as buffers, so it is checkpointed with the module."""

    mean: torch.Tensor
    var: torch.Tensor
    count: torch.Tensor

    def __init__(self, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.register_buffer("mean", torch.zeros((), dtype=torch.float64))
        self.register_buffer("var", torch.ones((), dtype=torch.float64))
        self.register_buffer("count", torch.full((), 1e-4, dtype=torch.float64))

    @torch.no_grad()
    def update(self, x: torch.Tensor, mask: torch.Tensor | None = None,
               reduce: Reduce = _identity) -> None:
        """Merge the statistics of ``x`` (entries where ``mask`` is 1; of all workers, with
        ``reduce``, so every worker keeps the same statistics)."""
        x = x.double().flatten()
        if mask is not None:
            x = x[mask.flatten() > 0]
        sums = reduce(torch.stack([x.sum(), x.new_tensor(float(x.numel()))]))
        b_count = sums[1]
        if float(b_count) == 0:
            return
        b_mean = sums[0] / b_count
        b_var = reduce(((x - b_mean) ** 2).sum()) / b_count
        delta = b_mean - self.mean
        total = self.count + b_count
        self.mean += delta * b_count / total
        m2 = self.var * self.count + b_var * b_count + delta**2 * self.count * b_count / total
        self.var = m2 / total
        self.count = total

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        return ((x - self.mean) / (self.var + self.eps).sqrt()).to(x.dtype)

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        return (x * (self.var + self.eps).sqrt() + self.mean).to(x.dtype)


# ----------------------------------------------------------------- group-relative (GRPO)
def episode_returns(rewards: torch.Tensor, active: torch.Tensor) -> torch.Tensor:
    """Sum of the rewards of active steps, ``(T, ...) -> (...)``."""
    return (rewards * active).sum(0)


def rewards_to_go(rewards: torch.Tensor, active: torch.Tensor, gamma: float) -> torch.Tensor:
    """``G_t = sum_{s >= t} gamma^(s - t) r_s`` over active steps, shape ``(T, ...)``."""
    out = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in range(rewards.shape[0] - 1, -1, -1):
        running = rewards[t] * active[t] + gamma * running
        out[t] = running
    return out


def group_relative(x: torch.Tensor, mask: torch.Tensor, group_size: int,
                   pool_agents: bool = False, eps: float = 1e-8) -> torch.Tensor:
    """``(x - group mean) / (group std + eps)`` for ``x`` of shape ``(..., B, N)``: envs
    ``[k * group_size, (k + 1) * group_size)`` form group ``k``; statistics are over the
    group's envs where ``mask`` is 1, per agent index, or over the group's envs and all agents
    of the team with ``pool_agents`` (a team-level baseline). The std is the population std;
    masked entries come out 0."""
    *lead, b, n = x.shape
    if b % group_size:
        raise ValueError(f"{b} envs do not split into groups of {group_size}")
    shape = (*lead, b // group_size, group_size, n)
    g, m = x.reshape(shape), mask.to(x.dtype).reshape(shape)
    dims = (-2, -1) if pool_agents else (-2,)
    count = m.sum(dims, keepdim=True).clamp_min(1.0)
    mean = (g * m).sum(dims, keepdim=True) / count
    var = ((g - mean) ** 2 * m).sum(dims, keepdim=True) / count
    return ((g - mean) / (var.sqrt() + eps) * m).reshape(x.shape)


def kl_to_old(logp: torch.Tensor, old_logp: torch.Tensor) -> torch.Tensor:
    """Per-sample penalty for moving away from the policy that collected the samples:
    ``r - 1 - log r`` with ``r = pi_old / pi`` (Schulman's "k3" KL estimator, the form of
    GRPO's KL term; non-negative, zero when the policies agree)."""
    log_r = old_logp - logp
    return log_r.exp() - 1.0 - log_r
