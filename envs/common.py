"""Tensor helpers shared by the built-in scenarios (no Python loops over envs or agents)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import torch

from arena.sim.pairs import pairwise_delta, picked_delta

UniformFn = Callable[[float, float, tuple[int, ...]], torch.Tensor]
"""``uniform(low, high, shape)`` on the world's device, dtype and generator."""


def relative(targets: torch.Tensor, origins: torch.Tensor) -> torch.Tensor:
    """``targets[b, j] - origins[b, i]`` for all pairs, shape ``(B, n_origins, n_targets, 2)``."""
    return pairwise_delta(targets, origins)


def others_index(n: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """Row ``i`` lists every agent index but ``i`` in order, shape ``(n, n - 1)``."""
    idx = torch.arange(n, device=device).expand(n, n)
    keep = ~torch.eye(n, dtype=torch.bool, device=device)
    return idx[keep].view(n, max(n - 1, 0))


def others_relative(values: torch.Tensor, others: torch.Tensor) -> torch.Tensor:
    """``values[b, j] - values[b, i]`` for each ``j`` in row ``i`` of ``others`` (an
    ``others_index`` table): shape ``(B, n, n - 1, d)``."""
    return picked_delta(values, others)


def gather_pairs(values: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``values[b, i, index[b, i, k]]`` for ``values`` of shape ``(B, n, m, d)`` and ``index`` of
    shape ``(B, n, k)``; returns ``(B, n, k, d)``."""
    d = values.shape[-1]
    return torch.gather(values, 2, index.unsqueeze(-1).expand(*index.shape, d))


def pick(points: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``points[b, index[b, k]]``: the chosen points ``(B, k, d)`` of ``points`` ``(B, m, d)``
    for ``index`` ``(B, k)`` (e.g. each agent's goal landmark)."""
    d = points.shape[-1]
    return torch.gather(points, 1, index.unsqueeze(-1).expand(*index.shape, d))


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


_PERMUTATIONS: dict[tuple[int, int, str], torch.Tensor] = {}


def bottleneck_assignment(cost: torch.Tensor, max_permutations: int = 720) -> torch.Tensor:
    """One-to-one assignment of agents to targets that minimizes the worst (largest) cost, ties
    broken by the total: exhaustive over the assignments, greedy when there are more than
    ``max_permutations`` of them.

    ``cost`` has shape ``(B, n_agents, n_targets)`` with ``n_targets >= n_agents``; returns the
    target index of each agent, shape ``(B, n_agents)``.
    """
    _, n, m = cost.shape
    if math.perm(m, n) > max_permutations:
        return greedy_assignment(cost)
    key = (n, m, str(cost.device))
    if key not in _PERMUTATIONS:  # built once per shape and device, not in the step loop
        _PERMUTATIONS[key] = torch.tensor(list(itertools.permutations(range(m), n)),
                                          dtype=torch.long, device=cost.device)
    perms = _PERMUTATIONS[key]  # (P, n)
    picked = cost[:, torch.arange(n, device=cost.device), perms]  # (B, P, n)
    score = picked.max(-1).values + 1e-3 * picked.sum(-1)
    return perms[score.argmin(-1)]


def pd_direction(error: torch.Tensor, vel: torch.Tensor, kd: float = 0.35) -> torch.Tensor:
    """A damped move direction toward ``error`` (target - position), for scripted policies."""
    return error - kd * vel


def point_in_circle(pos: torch.Tensor, center: torch.Tensor, radius: float | torch.Tensor
                    ) -> torch.Tensor:
    """Whether points ``(..., 2)`` lie strictly inside circles; broadcasts."""
    return (pos - center).norm(dim=-1) < radius


def sample_free(
    world_uniform: UniformFn,
    shape: tuple[int, int],
    half_width: float,
    clearance: float | torch.Tensor,
    blockers: torch.Tensor | None = None,
    blocker_radius: torch.Tensor | None = None,
    spacing: float = 0.0,
    rounds: int = 12,
) -> torch.Tensor:
    """Positions ``(B, n, 2)`` in the square ``[-half_width, half_width]^2`` that keep
    ``clearance`` from ``blockers`` ``(B, m, 2)`` (plus their radii ``(B, m)`` or ``(m,)``) and
    ``spacing`` from each other, by a fixed number of vectorized rejection rounds (no host
    sync). Points still in conflict after ``rounds`` are kept as they are; the soft contacts
    push such rare overlaps apart.
    """
    b, n = shape
    pos = world_uniform(-half_width, half_width, (b, n, 2))
    for _ in range(rounds):
        bad = torch.zeros(b, n, dtype=torch.bool, device=pos.device)
        if blockers is not None and blockers.shape[1] > 0:
            assert blocker_radius is not None
            d = relative(blockers, pos).norm(dim=-1)  # (B, n, m)
            bad |= (d < blocker_radius.unsqueeze(-2) + clearance).any(-1)
        if spacing > 0 and n > 1:
            d = relative(pos, pos).norm(dim=-1)
            later = torch.ones(n, n, dtype=torch.bool, device=pos.device).tril(-1)
            bad |= ((d < spacing) & later).any(-1)  # the later point of a close pair moves
        fresh = world_uniform(-half_width, half_width, (b, n, 2))
        pos = torch.where(bad.unsqueeze(-1), fresh, pos)
    return pos


def ring(world_uniform: UniformFn, b: int, n: int, radius_low: float, radius_high: float
         ) -> torch.Tensor:
    """``(B, n, 2)`` points at random angles with radii uniform in ``[radius_low, radius_high]``."""
    angle = world_uniform(0.0, 2 * torch.pi, (b, n))
    radius = world_uniform(radius_low, radius_high, (b, n))
    return torch.stack([angle.cos(), angle.sin()], dim=-1) * radius.unsqueeze(-1)


def unit(v: torch.Tensor) -> torch.Tensor:
    """``v / |v|`` along the last axis (zero stays zero)."""
    return v / v.norm(dim=-1, keepdim=True).clamp_min(1e-9)


def repulsion(pos: torch.Tensor, others: torch.Tensor, reach: float,
              exclude_self: bool = False) -> torch.Tensor:
    """Sum of unit pushes away from ``others`` ``(B, m, 2)`` within ``reach``, growing as they
    come closer; ``(B, n, 2)`` for ``pos`` ``(B, n, 2)``. Used by scripted policies."""
    away = -relative(others, pos)  # (B, n, m, 2): pos - other
    d = away.norm(dim=-1, keepdim=True).clamp_min(1e-6)
    weight = ((reach - d) / reach).clamp_min(0.0)
    if exclude_self:
        weight = weight * (d > 1e-5)
    return (away / d * weight).sum(2)
