"""Backbones (MLP, entity attention; recurrent ones in ``agents.ssm``) and action heads
(categorical, Gaussian; the flow-matching head in ``agents.flow``).

Every module maps inputs with any leading batch shape ``(..., features)``; agents of a team are
just another batch axis, so parameters are shared within a team.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn
from torch.distributions import Categorical, Normal

from arena.interfaces.policy_config import PolicyConfig
from arena.interfaces.spec import Layout


def ortho_init(layer: nn.Linear, gain: float = math.sqrt(2)) -> nn.Linear:
    """Orthogonal weights, zero bias (the PPO/MAPPO default)."""
    nn.init.orthogonal_(layer.weight, gain)
    nn.init.zeros_(layer.bias)
    return layer


def _like(grad: torch.Tensor, *saved: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The saved tensors in the dtype of the incoming gradient. Under ``torch.autocast``
    (``algo.precision: bfloat16``) the forward's matmuls ran in bfloat16 on float32 weights and
    inputs; the backward's run in the same dtype (the float32 parameters receive the gradient
    cast back by autograd). Without autocast, nothing is converted."""
    return tuple(t.to(grad.dtype) for t in saved)


class _LinearTanh(torch.autograd.Function):
    """``tanh(x W^T + b)`` with one pass over the output after the matmul.

    ``tanh(z) = 2 sigmoid(2 z) - 1``: the factor 2 is folded into the matmul (``addmm``'s
    ``alpha`` and ``beta``), and the sigmoid and the affine map run in place. On CPU, torch's
    ``tanh`` kernel costs about six times its ``sigmoid``; this makes a tanh MLP's forward and
    backward about a fifth cheaper. The result equals ``torch.tanh`` to float rounding (a few
    1e-8 absolute), and the backward uses the saved output, as autograd's tanh does."""

    generate_vmap_rule = True  # stacked replicas (``torch.func.vmap``) batch it as it is

    @staticmethod
    def forward(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, x.shape[-1])
        y = torch.addmm(bias, flat, weight.t(), beta=2, alpha=2).sigmoid_().mul_(2).sub_(1)
        return y.reshape(*x.shape[:-1], weight.shape[0])

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        x, weight, _ = inputs
        ctx.save_for_backward(x, weight, output)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor
                 ) -> tuple[torch.Tensor | None, torch.Tensor, torch.Tensor]:
        x, weight, y = _like(grad, *ctx.saved_tensors)
        gz = torch.ops.aten.tanh_backward(grad, y).reshape(-1, weight.shape[0])
        gx = (gz @ weight).reshape(x.shape) if ctx.needs_input_grad[0] else None
        return gx, gz.t() @ x.reshape(-1, x.shape[-1]), gz.sum(0)


class _SplitLinearTanh(torch.autograd.Function):
    """``tanh([shared, own] W^T + b)`` for ``shared`` ``(M, S)``, the same for ``N`` rows, and
    ``own`` ``(M, N, O)``: the shared part of the product is computed once per row of ``M``
    (``W = [W_shared, W_own]``), not once per agent. MAPPO's agent-specific critic input is the
    global state (shared by the agents of an env) next to each agent's observation, so its
    first layer does ``N`` times less work on the state. The same function as
    :class:`_LinearTanh` on the concatenation, up to float rounding (the sum is taken in
    another order); the backward sums the shared part's gradient over the ``N`` agents."""

    @staticmethod
    def forward(shared: torch.Tensor, own: torch.Tensor, w_shared: torch.Tensor,
                w_own: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        m, n = own.shape[0], own.shape[1]
        z = torch.addmm(bias, own.reshape(m * n, -1), w_own.t(), beta=2, alpha=2)
        z = z.view(m, n, -1).add_((shared @ w_shared.t()).unsqueeze(1), alpha=2)
        return z.sigmoid_().mul_(2).sub_(1)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        shared, own, w_shared, w_own, _ = inputs
        ctx.save_for_backward(shared, own, w_shared, w_own, output)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        shared, own, w_shared, w_own, y = _like(grad, *ctx.saved_tensors)
        gz = torch.ops.aten.tanh_backward(grad, y)  # (M, N, H)
        flat = gz.reshape(-1, gz.shape[-1])
        gz_shared = gz.sum(1)
        g_shared = gz_shared @ w_shared if ctx.needs_input_grad[0] else None
        g_own = (flat @ w_own).view(own.shape) if ctx.needs_input_grad[1] else None
        return (g_shared, g_own, gz_shared.t() @ shared,
                flat.t() @ own.reshape(-1, own.shape[-1]), flat.sum(0))


class MLP(nn.Sequential):
    """Linear layers with ``activation`` after each (``tanh`` or ``relu``). The modules are
    ``[Linear, Tanh, Linear, Tanh, ...]`` as in ``nn.Sequential``, so parameter names are the
    usual ones; with ``tanh`` each pair runs as one fused :class:`_LinearTanh`."""

    def __init__(self, sizes: list[int], activation: str) -> None:
        act = nn.Tanh if activation == "tanh" else nn.ReLU
        layers: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [ortho_init(nn.Linear(a, b)), act()]
        super().__init__(*layers)
        self.fused = activation == "tanh"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.fused:
            return super().forward(x)
        return self._rest(x, 0)

    def _rest(self, x: torch.Tensor, start: int) -> torch.Tensor:
        """The layers from linear layer ``start`` on, applied to ``x``."""
        modules = list(self)
        if not self.fused:
            return nn.Sequential(*modules[2 * start:])(x)
        for layer in modules[2 * start::2]:
            assert isinstance(layer, nn.Linear)
            x = _LinearTanh.apply(x, layer.weight, layer.bias)
        return x

    def forward_split(self, shared: torch.Tensor, own: torch.Tensor) -> torch.Tensor:
        """``forward`` of ``[shared expanded to own's agents, own]``: ``shared`` ``(..., S)``,
        ``own`` ``(..., N, O)``, with the first layer's product on ``shared`` done once per
        row instead of once per agent (:class:`_SplitLinearTanh`)."""
        first = self[0]
        assert isinstance(first, nn.Linear)
        s, lead = shared.shape[-1], own.shape[:-2]
        w_shared, w_own = first.weight[:, :s], first.weight[:, s:]
        shared2, own3 = shared.reshape(-1, s), own.reshape(-1, *own.shape[-2:])
        if self.fused:
            h = _SplitLinearTanh.apply(shared2, own3, w_shared, w_own, first.bias)
        else:
            z = nn.functional.linear(own3, w_own, first.bias) + (
                shared2 @ w_shared.t()).unsqueeze(1)
            h = self[1](z)
        return self._rest(h, 1).reshape(*lead, *h.shape[-2:-1], -1)


def mlp(sizes: list[int], activation: str) -> MLP:
    """Linear layers with ``activation`` after each."""
    return MLP(sizes, activation)


class MLPBackbone(nn.Module):
    """Flat features -> hidden features."""

    recurrent = False
    memory_size = 0

    def __init__(self, in_dim: int, cfg: PolicyConfig) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(in_dim) if cfg.feature_norm else nn.Identity()
        self.net = mlp([in_dim, *cfg.hidden_sizes], cfg.activation)
        self.out_dim: int = cfg.hidden_sizes[-1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.norm(x))

    @property
    def splits(self) -> bool:
        """Whether :meth:`forward_split` applies: no input normalization, which would mix the
        shared and the own features."""
        return isinstance(self.norm, nn.Identity)

    def forward_split(self, shared: torch.Tensor, own: torch.Tensor) -> torch.Tensor:
        """``forward`` of ``[shared expanded to own's N agents, own]`` (``MLP.forward_split``)."""
        return self.net.forward_split(shared, own)


class AttentionBackbone(nn.Module):
    """Entity tokens -> transformer encoder -> a learned summary token -> MLP.

    The flat observation is cut into tokens by the layout ``[(kind, count, features), ...]``;
    each kind has its own embedding and a learned kind vector, there are no positions, so the
    output is invariant to permutations of same-kind tokens and works for any token counts.
    ``set_layout`` switches to another env's counts (same kinds and feature sizes).
    """

    recurrent = False
    memory_size = 0

    def __init__(self, layout: Layout, cfg: PolicyConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.kinds = sorted({(kind, feat) for kind, _, feat in layout})
        d = cfg.embed_dim
        self.embed = nn.ModuleDict({k: nn.Sequential(nn.LayerNorm(f), nn.Linear(f, d))
                                    if cfg.feature_norm else nn.Linear(f, d)
                                    for k, f in self.kinds})
        self.summary = nn.Parameter(torch.zeros(1, 1, d))
        layer = nn.TransformerEncoderLayer(d, cfg.num_heads, dim_feedforward=2 * d,
                                           dropout=0.0, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, cfg.num_layers, enable_nested_tensor=False)
        self.head = mlp([d, *cfg.hidden_sizes], cfg.activation)
        self.out_dim: int = cfg.hidden_sizes[-1]
        self.set_layout(layout)

    def set_layout(self, layout: Layout) -> None:
        """Parse observations with another layout of the same kinds (e.g. more agents)."""
        known = dict(self.kinds)
        for kind, _, feat in layout:
            if known.get(kind) != feat:
                raise ValueError(f"layout kind {kind!r} with {feat} features is not one this "
                                 f"network was built for: {self.kinds}")
        self.layout = [seg for seg in layout if seg[1] > 0]

    def tokens(self, x: torch.Tensor) -> torch.Tensor:
        """Embedded tokens ``(batch, 1 + num_tokens, embed_dim)`` for flat ``x`` ``(batch, D)``."""
        parts, start = [self.summary.expand(x.shape[0], -1, -1)], 0
        for kind, count, feat in self.layout:
            seg = x[:, start:start + count * feat].reshape(x.shape[0], count, feat)
            parts.append(self.embed[kind](seg))
            start += count * feat
        if start != x.shape[-1]:
            raise ValueError(f"observation has {x.shape[-1]} features, layout covers {start}")
        return torch.cat(parts, dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        lead = x.shape[:-1]
        h = self.encoder(self.tokens(x.reshape(-1, x.shape[-1])))[:, 0]
        return self.head(h).reshape(*lead, -1)


class CategoricalHead(nn.Module):
    """Logits over ``n`` discrete actions. With an action mask ``(..., n)`` (bool, True: legal)
    the illegal actions' logits are set to the lowest float: their probability is exactly 0,
    so they are never sampled nor the mode, and log-probabilities and entropy are those of the
    distribution renormalized over the legal actions."""

    stored_shape: tuple[int, ...] | None = None
    """Shape of what rollouts store per action, when it is not the action space's."""

    def __init__(self, in_dim: int, n: int) -> None:
        super().__init__()
        self.logits = ortho_init(nn.Linear(in_dim, n), gain=0.01)

    def forward(self, h: torch.Tensor, mask: torch.Tensor | None = None) -> Categorical:
        logits = self.logits(h)
        logits = logits.to(self.logits.weight.dtype)  # not bfloat16 under autocast
        if mask is not None:
            logits = logits.masked_fill(~mask, torch.finfo(logits.dtype).min)
        return Categorical(logits=logits, validate_args=False)

    @staticmethod
    def mode(dist: Categorical) -> torch.Tensor:
        return dist.probs.argmax(-1)

    @staticmethod
    def env_action(action: torch.Tensor) -> torch.Tensor:
        return action

    @staticmethod
    def log_prob(dist: Categorical, action: torch.Tensor) -> torch.Tensor:
        return dist.log_prob(action)

    @staticmethod
    def entropy(dist: Categorical) -> torch.Tensor:
        return dist.entropy()


class GaussianHead(nn.Module):
    """Diagonal Gaussian with a state-independent log-std; the env clips samples to its box."""

    stored_shape: tuple[int, ...] | None = None

    def __init__(self, in_dim: int, dim: int, log_std_init: float) -> None:
        super().__init__()
        self.mean = ortho_init(nn.Linear(in_dim, dim), gain=0.01)
        self.log_std = nn.Parameter(torch.full((dim,), log_std_init))

    def forward(self, h: torch.Tensor, mask: torch.Tensor | None = None) -> Normal:
        """``mask`` is ignored: continuous actions have no action masks."""
        mean = self.mean(h)
        mean = mean.to(self.mean.weight.dtype)  # not bfloat16 under autocast
        return Normal(mean, self.log_std.clamp(-5.0, 2.0).exp().expand_as(mean))

    @staticmethod
    def mode(dist: Normal) -> torch.Tensor:
        return dist.mean

    @staticmethod
    def env_action(action: torch.Tensor) -> torch.Tensor:
        return action

    @staticmethod
    def log_prob(dist: Normal, action: torch.Tensor) -> torch.Tensor:
        return dist.log_prob(action).sum(-1)

    @staticmethod
    def entropy(dist: Normal) -> torch.Tensor:
        return dist.entropy().sum(-1)
