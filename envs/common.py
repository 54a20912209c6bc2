"""Tensor helpers shared by the built-in scenarios (no Python loops over envs or agents)."""

from __future__ import annotations

import torch


def relative(targets: torch.Tensor, origins: torch.Tensor) -> torch.Tensor:
    """``targets[b, j] - origins[b, i]`` for all pairs, shape ``(B, n_origins, n_targets, 2)``."""
    return targets.unsqueeze(1) - origins.unsqueeze(2)


def others_index(n: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """Row ``i`` lists every agent index but ``i`` in order, shape ``(n, n - 1)``."""
    idx = torch.arange(n, device=device).expand(n, n)
    keep = ~torch.eye(n, dtype=torch.bool, device=device)
    return idx[keep].view(n, max(n - 1, 0))


def gather_pairs(values: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``values[b, i, index[b, i, k]]`` for ``values`` of shape ``(B, n, m, d)`` and ``index`` of
    shape ``(B, n, k)``; returns ``(B, n, k, d)``."""
    d = values.shape[-1]
    return torch.gather(values, 2, index.unsqueeze(-1).expand(*index.shape, d))


def nearest(dist: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` smallest entries of ``dist`` ``(B, n, m)`` along the last axis, closest first:
    ``(values, indices)``, each ``(B, n, k)``."""
    res = torch.topk(dist, k, dim=-1, largest=False, sorted=True)
    return res.values, res.indices


def greedy_assignment(dist: torch.Tensor) -> torch.Tensor:
    """Greedy one-to-one assignment of agents to targets by increasing distance.

    ``dist`` has shape ``(B, n_agents, n_targets)`` with ``n_targets >= n_agents``; returns the
    target index of each agent, shape ``(B, n_agents)``.
    """
    b, n, m = dist.shape
    d = dist.clone()
    assign = torch.zeros(b, n, dtype=torch.long, device=dist.device)
    rows = torch.arange(b, device=dist.device)
    for _ in range(n):  # n rounds, each over the whole batch at once
        flat = d.flatten(1).argmin(dim=1)
        agent, target = flat // m, flat % m
        assign[rows, agent] = target
        d[rows, agent, :] = float("inf")
        d[rows, :, target] = float("inf")
    return assign


def pd_direction(error: torch.Tensor, vel: torch.Tensor, kd: float = 0.35) -> torch.Tensor:
    """A damped move direction toward ``error`` (target - position), for scripted policies."""
    return error - kd * vel


def point_in_circle(pos: torch.Tensor, center: torch.Tensor, radius: float | torch.Tensor
                    ) -> torch.Tensor:
    """Whether points ``(..., 2)`` lie strictly inside circles; broadcasts."""
    return (pos - center).norm(dim=-1) < radius
