"""Flow-matching action head: continuous actions generated from noise in ``K`` steps.

A velocity field ``v(a, t | h)``, conditioned on the backbone's features ``h``, moves a point
from ``a_0 ~ N(0, I)`` to the action ``a_K`` by Euler steps ``a_{k+1} = a_k + v(a_k, k/K) / K``.

**Likelihood for on-policy RL** (ReinFlow: Zhang et al., 2025, "ReinFlow: Fine-tuning Flow
Matching Policy with Online Reinforcement Learning"): when sampling, Gaussian noise of learned
std ``sigma`` is injected at every step, ``a_{k+1} = a_k + v(a_k, k/K) / K + sigma * eps_k``, so
the chain ``(a_0, ..., a_K)`` is a Markov chain of Gaussians and its log-likelihood is exact:
``sum_k log N(a_{k+1}; a_k + v(a_k, k/K) / K, sigma^2)`` (``a_0``'s density does not depend on
the parameters and is left out: ratios are unchanged). Rollouts store the whole chain, PPO and
GRPO take likelihood ratios of chains, and the env receives ``a_K``. We follow ReinFlow rather
than Flow Policy Optimization's flow-matching-loss ratio because the chain likelihood is exact
for any ``K`` (FPO's ratio is a Monte-Carlo surrogate of an ELBO), costs one batched pass of the
velocity field over the ``K`` stored points, and needs no extra sampling in the update.

**Behaviour cloning** uses the conditional flow-matching loss (Lipman et al., 2023): for a
target action ``a*``, ``tau ~ U(0, 1)`` and ``a_0 ~ N(0, I)``, regress
``v((1 - tau) a_0 + tau a*, tau)`` onto ``a* - a_0``. A flow fitted to two modes keeps both;
a Gaussian fitted to them averages them.

The greedy action (``mode``) integrates the same field without injected noise, from a drawn
``a_0``: for a multimodal policy there is no single most likely action to fall back on.

With ``coordinated`` the field's input for each agent is mixed across the team's agents by one
attention layer (joint action generation in one pass, as in CoFlow); the chain of each agent
stays Gaussian given the team's previous point, so the likelihood is still exact.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from agents.nets import mlp, ortho_init
from arena.interfaces.policy_config import PolicyConfig


class FlowDist:
    """The action distribution of a flow head for features ``h`` ``(..., N, F)``; samples and
    log-probabilities are of whole chains ``(..., N, K + 1, A)``."""

    def __init__(self, head: FlowHead, h: torch.Tensor) -> None:
        self.head, self.h = head, h

    def _chain(self, noise: bool) -> torch.Tensor:
        head, h = self.head, self.h
        a = torch.randn(*h.shape[:-1], head.act_dim, device=h.device, dtype=h.dtype)
        chain = [a]
        sigma = head.sigma()
        for k in range(head.steps):
            a = a + head.velocity(h, a, k / head.steps) / head.steps
            if noise:
                a = a + sigma * torch.randn_like(a)
            chain.append(a)
        return torch.stack(chain, dim=-2)

    def sample(self) -> torch.Tensor:
        """A chain with noise injected at every step."""
        return self._chain(noise=True)

    def ode(self) -> torch.Tensor:
        """A chain of the noise-free flow from a drawn ``a_0`` (the greedy action)."""
        return self._chain(noise=False)

    def log_prob(self, chain: torch.Tensor) -> torch.Tensor:
        """``log p(a_1..a_K | a_0)`` of chains ``(..., N, K + 1, A)``: shape ``(..., N)``."""
        head, k = self.head, self.head.steps
        prev, nxt = chain[..., :-1, :], chain[..., 1:, :]
        t = torch.arange(k, device=chain.device, dtype=chain.dtype) / k
        h = self.h.unsqueeze(-2).expand(*prev.shape[:-1], self.h.shape[-1])
        mean = prev + head.velocity_steps(h, prev, t) / k
        sigma = head.sigma()
        z = (nxt - mean) / sigma
        per_dim = -0.5 * z**2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)
        return per_dim.sum((-2, -1))

    def entropy(self) -> torch.Tensor:
        """Entropy of the injected noise (``K`` Gaussian steps per action dim), ``(..., N)``:
        the exploration the chain adds, as ReinFlow regularizes it."""
        per_step = (0.5 * math.log(2 * math.pi * math.e) + torch.log(self.head.sigma())).sum()
        return per_step.expand(self.h.shape[:-1]) * self.head.steps


class FlowHead(nn.Module):
    """Velocity field ``v(a, t | h)`` (an MLP on ``[h, a, t]``), learned noise std, ``K``
    Euler steps. Stored actions are chains ``(K + 1, A)``; the env gets the last point."""

    def __init__(self, in_dim: int, act_dim: int, cfg: PolicyConfig) -> None:
        super().__init__()
        self.act_dim, self.steps = act_dim, cfg.flow_steps
        self.stored_shape: tuple[int, ...] | None = (self.steps + 1, act_dim)
        width = cfg.flow_hidden
        self.inp = nn.Linear(in_dim + act_dim + 1, width)
        self.coordinated = cfg.flow_coordinated
        if self.coordinated:
            self.mix = nn.MultiheadAttention(width, 1, batch_first=True)
        self.body = mlp([width, width], "relu")
        self.out = ortho_init(nn.Linear(width, act_dim), gain=0.01)
        self.log_sigma = nn.Parameter(torch.full((act_dim,), math.log(cfg.flow_noise)))
        self.sigma_range = (cfg.flow_noise_min, cfg.flow_noise_max)

    def sigma(self) -> torch.Tensor:
        """Std of the injected noise per action dim, within ``[flow_noise_min, max]``."""
        low, high = self.sigma_range
        return self.log_sigma.exp().clamp(low, high)

    def velocity(self, h: torch.Tensor, a: torch.Tensor, t: float | torch.Tensor
                 ) -> torch.Tensor:
        """``v(a, t | h)`` for ``h`` ``(..., N, F)``, ``a`` ``(..., N, A)`` and a scalar or
        broadcastable ``t``."""
        t = torch.as_tensor(t, dtype=a.dtype, device=a.device).expand(*a.shape[:-1], 1)
        x = torch.relu(self.inp(torch.cat([h, a, t], dim=-1)))
        if self.coordinated:  # attention across the team's agents (dim -2)
            lead = x.shape[:-2]
            flat = x.reshape(-1, *x.shape[-2:])
            mixed, _ = self.mix(flat, flat, flat, need_weights=False)
            x = x + mixed.reshape(*lead, *x.shape[-2:])
        v = self.out(self.body(x))
        return v.to(self.out.weight.dtype)  # not bfloat16 under autocast (algo.precision)

    def velocity_steps(self, h: torch.Tensor, a: torch.Tensor, t: torch.Tensor
                       ) -> torch.Tensor:
        """``velocity`` at ``K`` points at once: ``h`` ``(..., N, K, F)``, ``a`` ``(..., N, K,
        A)``, ``t`` ``(K,)``; agents stay on dim -3 for the coordinated mixing."""
        tt = t.view(-1, 1).expand(*a.shape[:-1], 1)
        moved = [x.transpose(-2, -3) for x in (h, a, tt)]  # (..., K, N, .)
        v = self.velocity(moved[0], moved[1], moved[2])
        return v.transpose(-2, -3)

    def forward(self, h: torch.Tensor, mask: torch.Tensor | None = None) -> FlowDist:
        """``mask`` is ignored: continuous actions have no action masks."""
        return FlowDist(self, h)

    @staticmethod
    def mode(dist: FlowDist) -> torch.Tensor:
        return dist.ode()

    @staticmethod
    def log_prob(dist: FlowDist, chain: torch.Tensor) -> torch.Tensor:
        return dist.log_prob(chain)

    @staticmethod
    def entropy(dist: FlowDist) -> torch.Tensor:
        return dist.entropy()

    @staticmethod
    def env_action(chain: torch.Tensor) -> torch.Tensor:
        return chain[..., -1, :]

    def flow_matching_loss(self, h: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Conditional flow-matching loss per agent ``(..., N)`` for target actions
        ``(..., N, A)`` (behaviour cloning)."""
        a0 = torch.randn_like(target)
        tau = torch.rand(*target.shape[:-1], 1, device=target.device, dtype=target.dtype)
        point = (1 - tau) * a0 + tau * target
        return ((self.velocity(h, point, tau) - (target - a0)) ** 2).sum(-1)
