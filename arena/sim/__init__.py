"""The batched 2D simulator."""

from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec

__all__ = ["EntitySpec", "PhysicsConfig", "World", "WorldSpec"]
