"""# simple_tag (``attack_defense/simple_tag-v0``)

A faithful, batched port of MPE's ``simple_tag_v3`` (predator-prey): slower adversaries chase
faster good agents among large obstacles.

| | |
|---|---|
| teams | ``adversary``: ``adversary_0 ..``; ``agent``: ``agent_0 ..`` (MPE's names and order) |
| actions | ``Discrete(5)`` ``[no_op, -x, +x, -y, +y]``, or ``Box(0, 1, (5,))`` (MPE's format) |
| observation | ``[self_vel, self_pos, obstacle_rel_pos, other_agent_rel_pos, good_agent_vel]``
  (velocities of the *other* good agents): 16 (adversary) and 14 (agent) by default |
| state | concatenation of all observations, 62 by default |
| episode | ``max_cycles`` steps (truncation) |

**Rewards**: each adversary gets ``+10`` for every (adversary, good agent) pair in contact
(shared by all adversaries); a good agent gets ``-10`` per adversary touching it, and a penalty
for leaving the area: ``sum_xy bound(|p|)`` with ``bound(x) = 0`` below 0.9, ``10 (x - 0.9)``
below 1, and ``min(exp(2x - 2), 10)`` beyond.

**Metrics** at episode end: ``tags`` (contact pairs summed over the episode) and
``caught_fraction`` (fraction of good agents touched at least once).

**Arguments**: ``num_good=1``, ``num_adversaries=3``, ``num_obstacles=2``, ``max_cycles=25``,
``continuous_actions=False`` (MPE's defaults). Adversaries: radius 0.075, accel 3, max speed 1;
good agents: radius 0.05, accel 4, max speed 1.3; obstacles: radius 0.2.

**Heuristic**: adversaries chase the nearest good agent (leading it by its velocity); good agents
flee the nearest adversary and stay inside the area.

Version history: v0: initial port of MPE2 ``simple_tag_v3``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from arena.core.scenario import ByTeam, Scenario
from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec
from envs.common import others_index, others_relative, relative, unit

ADV_RADIUS, GOOD_RADIUS = 0.075, 0.05


@dataclass
class SimpleTagConfig:
    """Arguments of simple_tag (MPE's names and defaults)."""

    num_good: int = 1
    """Number of good agents (prey)."""
    num_adversaries: int = 3
    """Number of adversaries (predators)."""
    num_obstacles: int = 2
    """Number of large static obstacles."""
    max_cycles: int = 25
    """Episode length in steps."""
    continuous_actions: bool = False
    """``Box(0, 1, (5,))`` actions instead of ``Discrete(5)``."""

    def validate(self) -> None:
        if self.num_good < 1 or self.num_adversaries < 1:
            raise ValueError("num_good and num_adversaries must be >= 1")
        if self.num_obstacles < 0 or self.max_cycles < 1:
            raise ValueError("num_obstacles must be >= 0 and max_cycles >= 1")


def boundary_penalty(pos: torch.Tensor) -> torch.Tensor:
    """MPE's penalty for leaving the area, summed over x and y; ``pos`` is ``(..., 2)``."""
    x = pos.abs()
    soft = (x - 0.9) * 10
    hard = torch.exp(2 * x - 2).clamp_max(10.0)
    return torch.where(x < 0.9, torch.zeros_like(x), torch.where(x < 1.0, soft, hard)).sum(-1)


class SimpleTag(Scenario):
    """MPE simple_tag on the batched simulator."""

    config_cls = SimpleTagConfig
    family = "attack_defense"
    continuous_format = "mpe"
    config: SimpleTagConfig

    def make_world(self) -> WorldSpec:
        c = self.config
        adversaries = [
            EntitySpec(f"adversary_{i}", "agent", "adversary", radius=ADV_RADIUS, accel=3.0,
                       max_speed=1.0, movable=True, color=(0.85, 0.35, 0.35))
            for i in range(c.num_adversaries)
        ]
        good = [
            EntitySpec(f"agent_{i}", "agent", "agent", radius=GOOD_RADIUS, accel=4.0,
                       max_speed=1.3, movable=True, color=(0.35, 0.85, 0.35))
            for i in range(c.num_good)
        ]
        obstacles = [
            EntitySpec(f"landmark_{i}", "obstacle", radius=0.2, color=(0.25, 0.25, 0.25))
            for i in range(c.num_obstacles)
        ]
        return WorldSpec(adversaries + good + obstacles, PhysicsConfig(integrator="mpe"))

    def init_state(self, world: World) -> None:
        n = world.num_agents
        self.adv, self.good = world.team("adversary"), world.team("agent")
        self.obstacles = slice(n, world.num_entities)
        self.others = others_index(n, world.device)
        self.other_good = others_index(self.config.num_good, world.device)
        self.contacts = torch.zeros(world.num_envs, self.config.num_adversaries,
                                    self.config.num_good, dtype=torch.bool, device=world.device)
        self.tags = torch.zeros(world.num_envs, device=world.device)
        self.caught = torch.zeros(world.num_envs, self.config.num_good, dtype=torch.bool,
                                  device=world.device)

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        b, n = world.num_envs, world.num_agents
        agents = world.uniform(-1.0, 1.0, (b, n, 2), generator)
        obstacles = world.uniform(-0.9, 0.9, (b, world.num_entities - n, 2), generator)
        world.set_where(mask, agents, slice(0, n))
        world.set_where(mask, obstacles, self.obstacles)
        self.tags.masked_fill_(mask, 0.0)
        self.caught.masked_fill_(mask.unsqueeze(-1), False)

    def _contacts(self, world: World) -> torch.Tensor:
        """Whether adversary ``i`` touches good agent ``j``, shape ``(B, n_adv, n_good)``."""
        return world.distances(self.adv, self.good) < ADV_RADIUS + GOOD_RADIUS

    def post_step(self, world: World) -> None:
        self.contacts = self._contacts(world)
        self.tags += self.contacts.sum((1, 2))
        self.caught |= self.contacts.any(1)

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        c = self.config
        good_vel = c.num_good - (team == "agent")
        return [("self", 1, 4), ("obstacle", c.num_obstacles, 2),
                ("agent", c.num_adversaries + c.num_good - 1, 2), ("good_vel", good_vel, 2)]

    def observation(self, world: World) -> ByTeam:
        pos, vel = world.agent_pos, world.agent_vel
        obstacle_rel = relative(world.pos[:, self.obstacles], pos).flatten(2)
        other_rel = others_relative(pos, self.others).flatten(2)
        base = torch.cat([vel, pos, obstacle_rel, other_rel], dim=-1)
        good_vel = world.vel[:, self.good]  # (B, G, 2)
        n_adv = self.config.num_adversaries
        adv_obs = torch.cat([base[:, self.adv], good_vel.flatten(1).unsqueeze(1)
                             .expand(-1, n_adv, -1)], dim=-1)
        other_good_vel = good_vel.index_select(1, self.other_good.flatten())
        other_good_vel = other_good_vel.view(world.num_envs, self.config.num_good, -1)
        good_obs = torch.cat([base[:, self.good], other_good_vel], dim=-1)
        return {"adversary": adv_obs, "agent": good_obs}

    def reward(self, world: World) -> ByTeam:
        contacts = self.contacts.to(world.dtype)
        n_adv = self.config.num_adversaries
        adv = (10.0 * contacts.sum((1, 2))).unsqueeze(1).expand(-1, n_adv)
        good = -10.0 * contacts.sum(1) - boundary_penalty(world.pos[:, self.good])
        return {"adversary": adv, "agent": good}

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        return {"tags": self.tags.clone(), "caught_fraction": self.caught.float().mean(-1)}

    def scripted_direction(self, world: World) -> ByTeam:
        adv_pos, good_pos = world.pos[:, self.adv], world.pos[:, self.good]
        to_good = relative(good_pos + 0.3 * world.vel[:, self.good], adv_pos)  # (B, A, G, 2)
        nearest = to_good.norm(dim=-1).argmin(-1, keepdim=True)
        chase = torch.gather(to_good, 2, nearest.unsqueeze(-1).expand(-1, -1, 1, 2))[:, :, 0]
        away = -relative(adv_pos, good_pos)  # (B, G, A, 2): good agent minus adversary
        d = away.norm(dim=-1, keepdim=True).clamp_min(1e-3)
        flee = unit((away / d**2).sum(2))
        home = -good_pos * 4.0 * (good_pos.norm(dim=-1, keepdim=True) - 0.5).clamp_min(0.0)
        return {"adversary": chase, "agent": flee + home}
