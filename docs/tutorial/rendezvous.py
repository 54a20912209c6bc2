"""rendezvous: N agents start scattered and must all meet (coordination, shared reward).

Observation per agent: own velocity and position, then every other agent's relative position.
Reward (shared): minus the mean distance of the agents to their centroid. Metric ``success``:
all agents within ``meet_radius`` of the centroid at the end of the episode.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

import arena
from arena import ByTeam, EntitySpec, PhysicsConfig, Scenario, World, WorldSpec


@dataclass
class RendezvousConfig:
    num_agents: int = 4
    meet_radius: float = 0.2
    max_steps: int = 50
    continuous_actions: bool = False


class Rendezvous(Scenario):
    """Agents must gather at one spot."""

    config_cls = RendezvousConfig
    family = "coordination"
    config: RendezvousConfig

    def make_world(self) -> WorldSpec:
        agents = [EntitySpec(f"agent_{i}", "agent", "agent", radius=0.05, movable=True)
                  for i in range(self.config.num_agents)]
        return WorldSpec(agents, PhysicsConfig())

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        shape = (world.num_envs, world.num_entities, 2)
        world.set_where(mask, world.uniform(-1.0, 1.0, shape, generator), slice(None))

    def _spread(self, world: World) -> torch.Tensor:
        pos = world.agent_pos                                   # (B, N, 2)
        return (pos - pos.mean(1, keepdim=True)).norm(dim=-1)   # (B, N)

    def observation(self, world: World) -> ByTeam:
        pos, vel = world.agent_pos, world.agent_vel
        rel = (pos.unsqueeze(1) - pos.unsqueeze(2))             # (B, N, N, 2): j relative to i
        n = pos.shape[1]
        others = ~torch.eye(n, dtype=torch.bool, device=pos.device)
        rel = rel[:, others].reshape(pos.shape[0], n, (n - 1) * 2)
        return {"agent": torch.cat([vel, pos, rel], dim=-1)}

    def reward(self, world: World) -> ByTeam:
        spread = self._spread(world).mean(-1, keepdim=True)
        return {"agent": (-spread).expand(-1, world.agent_pos.shape[1])}

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        return {"success": (self._spread(world) < self.config.meet_radius).all(-1).float()}

    def _from_honest_centroid(self, world: World, honest: torch.Tensor) -> torch.Tensor:
        """Each agent's distance to the centroid of the ``honest`` agents, ``(B, N)``."""
        pos, w = world.agent_pos, honest.unsqueeze(-1).to(world.agent_pos.dtype)
        centroid = (pos * w).sum(1, keepdim=True) / w.sum(1, keepdim=True).clamp_min(1)
        return (pos - centroid).norm(dim=-1)

    def task_outcome(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """The honest agents meet: all within ``meet_radius`` of their own centroid."""
        near = self._from_honest_centroid(world, honest) < self.config.meet_radius
        return (near | ~honest).all(-1)

    def honest_reward(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """The reward without the taken-over agents (``robust.honest_reward``): minus the
        honest agents' mean distance to their own centroid."""
        w = honest.to(world.agent_pos.dtype)
        spread = (self._from_honest_centroid(world, honest) * w).sum(-1, keepdim=True) / w.sum(
            -1, keepdim=True).clamp_min(1)
        return (-spread).expand(-1, honest.shape[1])

    def scripted_direction(self, world: World) -> ByTeam:
        pos = world.agent_pos
        to_centroid = pos.mean(1, keepdim=True) - pos
        return {"agent": to_centroid - 0.5 * world.agent_vel}


def register() -> None:
    arena.register("coordination/rendezvous-v0", Rendezvous)
