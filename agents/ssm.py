"""Recurrent backbones: a selective diagonal state-space model (SSM) and a GRU baseline.

The SSM follows Mamba's selective S6 layer (Gu & Dao, 2023, "Mamba: Linear-Time Sequence
Modeling with Selective State Spaces"), without its causal convolution: per channel ``c`` and
state ``n``, with input-dependent step ``dt_t``, input matrix ``B_t`` and readout ``C_t``::

    h_t[c, n] = exp(dt_t[c] * A[c, n]) * h_{t-1}[c, n] + dt_t[c] * B_t[n] * u_t[c]
    y_t[c]    = sum_n C_t[n] * h_t[c, n] + D[c] * u_t[c]

``A < 0`` is diagonal, so the recurrence is a first-order linear one, ``h_t = a_t * h_{t-1} +
b_t``, whose coefficients depend on the input only: training evaluates it over a whole sequence
with a parallel (associative) scan, rollouts advance it one O(1) step at a time. Episode
boundaries inside a sequence reset the state as in Lu et al., 2023 ("Structured State Space
Models for In-Context Reinforcement Learning"): where an episode starts, ``a_t = 0``, so the
state restarts from the new input alone. A small ``dt`` leaves the state unchanged, so the
layer can hold a value (a goal seen once) for hundreds of steps.

Every backbone here maps ``(batch, L, features)`` plus a memory ``(batch, memory_size)`` and
episode-start flags ``(batch, L)`` to ``(batch, L, out_dim)`` and the memory after the last
step. The memory is one flat real tensor, so rollouts store and checkpoints save it as is.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from agents.nets import mlp
from arena.interfaces.policy_config import PolicyConfig


def linear_scan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """All states of ``h_t = a_t * h_{t-1} + b_t`` with ``h_{-1} = 0``, along dim 1.

    ``a`` and ``b`` have shape ``(batch, L, ...)``. A work-efficient parallel scan (odd-even
    reduction, as in Blelloch's scan): pairs of steps are composed into one,
    ``(a1 * a0, a1 * b0 + b1)``, the half-length problem is solved recursively, and the
    remaining states follow in one elementwise pass: O(L) work in O(log L) sequential depth.
    """
    length = a.shape[1]
    if length == 1:
        return b
    if length % 2:  # pad with the identity step (a=1, b=0), drop it at the end
        a = torch.cat([a, torch.ones_like(a[:, :1])], dim=1)
        b = torch.cat([b, torch.zeros_like(b[:, :1])], dim=1)
    a0, a1 = a[:, 0::2], a[:, 1::2]
    b0, b1 = b[:, 0::2], b[:, 1::2]
    h_odd = linear_scan(a1 * a0, a1 * b0 + b1)  # states at steps 1, 3, 5, ...
    prev = torch.cat([torch.zeros_like(h_odd[:, :1]), h_odd[:, :-1]], dim=1)
    h_even = a0 * prev + b0  # states at steps 0, 2, 4, ...
    h = torch.stack([h_even, h_odd], dim=2).flatten(1, 2)
    return h[:, :length]


def sequential_scan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``linear_scan`` step by step (the reference the tests compare against)."""
    h, out = torch.zeros_like(b[:, 0]), []
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        out.append(h)
    return torch.stack(out, dim=1)


class SelectiveSSM(nn.Module):
    """One selective diagonal SSM layer, ``(batch, L, width) -> (batch, L, width)``, with
    ``width x state`` real states per sequence (Mamba's S6 without the convolution)."""

    def __init__(self, width: int, state: int, dt_min: float = 1e-3, dt_max: float = 0.1
                 ) -> None:
        super().__init__()
        self.width, self.state = width, state
        self.in_proj = nn.Linear(width, 2 * width)  # u and the output gate z
        self.x_proj = nn.Linear(width, 2 * state)  # B_t and C_t
        self.dt_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)
        # S4D-real initialization: A[c, n] = -(n + 1); dt log-uniform in [dt_min, dt_max]
        a = torch.arange(1, state + 1, dtype=torch.float32).repeat(width, 1)
        self.A_log = nn.Parameter(a.log())
        dt = torch.exp(torch.rand(width) * (math.log(dt_max) - math.log(dt_min))
                       + math.log(dt_min))
        with torch.no_grad():
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))  # softplus^-1(dt)
        self.D = nn.Parameter(torch.ones(width))

    @property
    def memory_size(self) -> int:
        return self.width * self.state

    def forward(self, x: torch.Tensor, h0: torch.Tensor, starts: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """``x`` ``(batch, L, width)``, ``h0`` ``(batch, width * state)``, ``starts``
        ``(batch, L)`` (1 where an episode starts: the state before it is dropped). Returns
        the outputs and the last state."""
        bsz, length, _ = x.shape
        u, z = self.in_proj(x).chunk(2, dim=-1)
        u = F.silu(u)
        b_t, c_t = self.x_proj(u).chunk(2, dim=-1)  # (batch, L, state)
        dt = F.softplus(self.dt_proj(u))  # (batch, L, width)
        decay = torch.exp(dt.unsqueeze(-1) * -self.A_log.exp())  # (batch, L, width, state)
        keep = (1.0 - starts.to(x.dtype)).view(bsz, length, 1, 1)
        a = decay * keep
        b = (dt * u).unsqueeze(-1) * b_t.unsqueeze(-2)
        b = torch.cat([b[:, :1] + a[:, :1] * h0.view(bsz, 1, self.width, self.state),
                       b[:, 1:]], dim=1)  # fold the initial state into the first step
        h = linear_scan(a.flatten(2), b.flatten(2)).view(bsz, length, self.width, self.state)
        y = (h * c_t.unsqueeze(-2)).sum(-1) + self.D * u
        return self.out_proj(y * F.silu(z)), h[:, -1].flatten(1)


class SSMBackbone(nn.Module):
    """Input projection, ``num_layers`` residual pre-norm selective SSM layers, a final norm and
    the MLP of ``hidden_sizes``: ``(batch, L, in_dim) -> (batch, L, hidden_sizes[-1])``."""

    recurrent = True

    def __init__(self, in_dim: int, cfg: PolicyConfig) -> None:
        super().__init__()
        d = cfg.embed_dim
        self.norm_in = nn.LayerNorm(in_dim) if cfg.feature_norm else nn.Identity()
        self.embed = nn.Linear(in_dim, d)
        self.layers = nn.ModuleList(SelectiveSSM(d, cfg.ssm_state) for _ in range(cfg.num_layers))
        self.norms = nn.ModuleList(nn.LayerNorm(d) for _ in range(cfg.num_layers))
        self.norm_out = nn.LayerNorm(d)
        self.head = mlp([d, *cfg.hidden_sizes], cfg.activation)
        self.out_dim: int = cfg.hidden_sizes[-1]
        self.memory_size: int = cfg.num_layers * d * cfg.ssm_state

    def forward(self, x: torch.Tensor, memory: torch.Tensor, starts: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.embed(self.norm_in(x))
        states = memory.split(self.memory_size // len(self.layers), dim=-1)
        last = []
        for layer, norm, h0 in zip(self.layers, self.norms, states, strict=True):
            out, state = layer(norm(h), h0, starts)
            h = h + out
            last.append(state)
        return self.head(self.norm_out(h)), torch.cat(last, dim=-1)


class GRUBackbone(nn.Module):
    """The recurrent baseline: input MLP, a GRU cell stepped over time (its hidden state is
    zeroed where an episode starts), then the MLP of ``hidden_sizes``."""

    recurrent = True

    def __init__(self, in_dim: int, cfg: PolicyConfig) -> None:
        super().__init__()
        d = cfg.embed_dim
        self.norm_in = nn.LayerNorm(in_dim) if cfg.feature_norm else nn.Identity()
        self.embed = nn.Sequential(nn.Linear(in_dim, d), nn.Tanh())
        self.cell = nn.GRUCell(d, d)
        self.head = mlp([d, *cfg.hidden_sizes], cfg.activation)
        self.out_dim: int = cfg.hidden_sizes[-1]
        self.memory_size: int = d

    def forward(self, x: torch.Tensor, memory: torch.Tensor, starts: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        e = self.embed(self.norm_in(x))
        keep = 1.0 - starts.to(x.dtype).unsqueeze(-1)
        h, out = memory, []
        for t in range(x.shape[1]):  # a GRU's state feeds its gates: no parallel form
            h = self.cell(e[:, t], h * keep[:, t])
            out.append(h)
        return self.head(torch.stack(out, dim=1)), h
