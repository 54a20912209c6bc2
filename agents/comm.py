"""Learned communication inside a team's policy: agents exchange messages within a step.

Between the backbone and the action head, every agent ``j`` of the team computes a message
from its features, and every agent ``i`` reads the messages of the others:

- ``tarmac`` (targeted messages, as in TarMAC): ``j`` sends a key ``k_j`` and a value ``v_j``,
  ``i`` attends with its query ``q_i``: ``c_i = sum_j softmax_j(q_i . k_j / sqrt(d)) v_j``
  over ``j != i``, ``rounds`` times, each round feeding ``h_i + W c_i`` forward.
- ``graph`` (a learned communication graph, as in CommFormer): the same attention, restricted
  to a learned directed graph. Each ordered pair ``(i, j)`` has a learned logit; receiver ``i``
  listens to the ``k`` senders of highest logit, ``k = ceil(edges * (N - 1))`` (the sparsity
  budget). The forward pass uses the hard top-``k`` mask; its gradient flows to the logits
  through ``sigmoid(logit)`` (straight-through), so the graph is trained jointly with the
  policy by the same loss.

Gradients: within one step, messages are differentiable end to end: agent ``i``'s loss reaches
the message, key and value weights through ``j``'s features (the weights are shared by the
team, so every agent learns to speak from every other agent's loss), and reaches the graph
logits. Nothing flows across steps except through a recurrent backbone's memory. The
messages do not go through the env's channel (``arena.sim.channel``): its range, drops, delay
and noise apply only to messages sent as actions.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from agents.nets import ortho_init
from arena.interfaces.policy_config import CommConfig


class TeamComm(nn.Module):
    """Message passing across the agent axis: ``(..., N, F) -> (..., N, F)``."""

    def __init__(self, width: int, num_agents: int, cfg: CommConfig) -> None:
        super().__init__()
        self.cfg, self.num_agents, d = cfg, num_agents, cfg.dim
        rounds = range(cfg.rounds)
        self.norm = nn.ModuleList(nn.LayerNorm(width) for _ in rounds)
        self.qkv = nn.ModuleList(ortho_init(nn.Linear(width, 3 * d), gain=1.0) for _ in rounds)
        self.out = nn.ModuleList(ortho_init(nn.Linear(d, width), gain=0.5) for _ in rounds)
        self.edge_logits = nn.Parameter(0.01 * torch.randn(num_agents, num_agents)) \
            if cfg.kind == "graph" else None
        self.last_attention: torch.Tensor | None = None
        """The attention weights of the last round of the last call, ``(..., N, N)``."""

    def adjacency(self, n: int | None = None) -> torch.Tensor:
        """``(N, N)`` float: 1 where receiver ``i`` listens to sender ``j`` (the learned graph,
        hard, with a straight-through gradient to the logits); all others for ``tarmac``
        (any ``n``: count-invariant)."""
        n = self.num_agents if n is None else n
        others = 1.0 - torch.eye(n, device=self._device())
        if self.edge_logits is None or n < 2:
            return others
        k = max(1, math.ceil(self.cfg.edges * (n - 1)))
        logits = self.edge_logits.masked_fill(others == 0, float("-inf"))
        keep = torch.zeros_like(others).scatter(1, logits.topk(k, dim=1).indices, 1.0)
        soft = torch.sigmoid(self.edge_logits) * others
        return keep + soft - soft.detach()

    def _device(self) -> torch.device:
        return next(self.parameters()).device

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        n = h.shape[-2]
        if self.edge_logits is not None and n != self.num_agents:
            raise ValueError(f"policy.comm kind graph learned a graph of {self.num_agents} "
                             f"agents; this team has {n}")
        if n < 2:
            return h
        adj = self.adjacency(n)
        d = self.cfg.dim
        for norm, qkv, out in zip(self.norm, self.qkv, self.out, strict=True):
            q, k, v = qkv(norm(h)).split(d, dim=-1)
            scores = q @ k.transpose(-1, -2) / math.sqrt(d)  # (..., i, j)
            scores = scores - scores.detach().amax(-1, keepdim=True)
            weight = scores.exp() * adj  # a masked softmax that passes gradients to adj
            attn = weight / weight.sum(-1, keepdim=True).clamp_min(1e-12)
            h = h + out(attn @ v)
            self.last_attention = attn.detach()
        return h
