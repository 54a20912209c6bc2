"""The batched 2D simulator: ``World`` (torch tensors, any device) and ``PymunkWorld`` (the same
interface on pymunk rigid-body physics, CPU)."""

from __future__ import annotations

import torch

from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec

BACKENDS = ("torch", "pymunk")
"""Physics backends: ``torch`` (soft contacts, batched tensors) and ``pymunk`` (rigid)."""


def make_world(backend: str, spec: WorldSpec, num_envs: int, device: torch.device | str = "cpu",
               dtype: torch.dtype = torch.float32) -> World:
    """A world of ``num_envs`` envs on the given physics backend."""
    if backend == "torch":
        return World(spec, num_envs, device, dtype)
    if backend == "pymunk":
        from arena.sim.pymunk_world import PymunkWorld

        return PymunkWorld(spec, num_envs, device, dtype)
    raise ValueError(f"backend must be one of {list(BACKENDS)}, got {backend!r}")


__all__ = ["BACKENDS", "EntitySpec", "PhysicsConfig", "World", "WorldSpec", "make_world"]
