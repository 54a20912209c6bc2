"""# transport (``coordination/transport-v0``)

Agents must push heavy packages onto their goal spots. A package sits on the ground with static
friction: a net push below ``(agents_needed - 0.5)`` times one agent's force does not move it, so
no agent can deliver alone; agents must gather on the far side of a package and push together.
With ``num_packages`` > 1 the team must also split itself sensibly among the packages; scales to
32+ agents (e.g. ``num_agents=32, num_packages=8, arena_size=4``).

| | |
|---|---|
| teams | ``agent``: ``agent_0 .. agent_{N-1}`` |
| actions | ``Discrete(5)`` ``[no_op, -x, +x, -y, +y]``, or ``Box(-1, 1, (2,))`` (force) |
| observation | ``[self_vel(2), self_pos(2)]``, then the ``K_p`` nearest packages
  ``[rel_pos(2), vel(2), goal_rel_to_package(2), delivered(1)]`` and the ``K_a`` nearest agents
  ``[rel_pos(2)]`` (``K_p = min(package_obs, P)``, ``K_a = min(neighbor_obs, N - 1)``): 17 for
  the defaults |
| state | agent positions and velocities, package positions, velocities, goals, delivered flags |
| episode | terminated when every package is delivered, else truncated after ``max_steps`` |

**Reward**: shared by all agents, ``progress_scale * sum_p (d_prev - d)`` (package-to-goal
distances) plus ``delivery_bonus`` per package delivered on this step; plus a per-agent shaping
``approach_scale * (e_prev - e)`` where ``e`` is the agent's distance to the nearest undelivered
package.

**Metrics** at episode end: ``success`` (all delivered) and ``delivered_fraction``.

**Arguments**: see ``TransportConfig``. A delivered package (center within ``goal_radius`` of its
goal) is frozen and no longer collides.

**Heuristic**: agent ``i`` serves package ``i mod P``: it moves to the spot behind the package
(opposite the goal), going around it, then pushes toward the goal.

**Scripted saboteur** (takeover attacks): the heuristic with the goal reversed, a blocker that
takes the spot on the package's goal side and pushes it back.

Version history: v0: initial version.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from arena.core.scenario import ByTeam, Scenario
from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec
from envs.common import gather_pairs, nearest, relative, repulsion, sample_free, unit


@dataclass
class TransportConfig:
    """Arguments of transport."""

    num_agents: int = 4
    """Number of agents."""
    num_packages: int = 1
    """Number of packages, each with its own goal."""
    agents_needed: int = 2
    """Agents that must push together to move a package (sets its friction)."""
    package_radius: float = 0.15
    """Radius of every package."""
    package_mass: float = 3.0
    """Mass of every package."""
    agent_radius: float = 0.05
    """Radius of every agent."""
    accel: float = 3.0
    """Force per unit of action."""
    max_speed: float = 1.0
    """Agents' speed limit."""
    arena_size: float = 2.0
    """Side of the square arena (walls at +-arena_size/2)."""
    goal_radius: float = 0.15
    """A package is delivered when its center is this close to its goal."""
    min_goal_distance: float = 0.6
    """Smallest initial distance between a package and its goal."""
    max_steps: int = 150
    """Episode length limit."""
    package_obs: int = 2
    """Nearest packages each agent observes."""
    neighbor_obs: int = 3
    """Nearest other agents each agent observes."""
    progress_scale: float = 2.0
    """Shared reward per unit of package distance gained toward its goal."""
    delivery_bonus: float = 5.0
    """Shared reward per delivered package."""
    approach_scale: float = 0.5
    """Per-agent reward per unit of distance gained toward the nearest undelivered package."""
    continuous_actions: bool = False
    """``Box(-1, 1, (2,))`` force actions instead of ``Discrete(5)``."""

    def validate(self) -> None:
        if self.num_agents < 1 or self.num_packages < 1 or self.agents_needed < 1:
            raise ValueError("num_agents, num_packages and agents_needed must be >= 1")
        if self.max_steps < 1 or self.package_radius <= 0 or self.goal_radius <= 0:
            raise ValueError("max_steps, package_radius and goal_radius must be positive")
        if self.arena_size < 2 * (self.min_goal_distance + self.package_radius):
            raise ValueError("arena_size is too small for min_goal_distance")


class Transport(Scenario):
    """Cooperative pushing of heavy packages to goals."""

    config_cls = TransportConfig
    family = "coordination"
    config: TransportConfig

    def make_world(self) -> WorldSpec:
        c = self.config
        agents = [EntitySpec(f"agent_{i}", "agent", "agent", radius=c.agent_radius,
                             accel=c.accel, max_speed=c.max_speed, movable=True,
                             color=(0.35, 0.35, 0.85)) for i in range(c.num_agents)]
        friction = (c.agents_needed - 0.5) * c.accel
        packages = [EntitySpec(f"package_{i}", "object", radius=c.package_radius,
                               mass=c.package_mass, movable=True, friction=friction,
                               color=(0.6, 0.45, 0.25)) for i in range(c.num_packages)]
        return WorldSpec(agents + packages, PhysicsConfig(bound=c.arena_size / 2))

    def init_state(self, world: World) -> None:
        c, b, dev, dt = self.config, world.num_envs, world.device, world.dtype
        world.dynamic_activity = True
        self.packages = slice(c.num_agents, c.num_agents + c.num_packages)
        self.k_packages = min(c.package_obs, c.num_packages)
        self.k_agents = min(c.neighbor_obs, c.num_agents - 1)
        self.goal = torch.zeros(b, c.num_packages, 2, dtype=dt, device=dev)
        self.dist = torch.zeros(b, c.num_packages, dtype=dt, device=dev)
        self.prev_dist = self.dist.clone()
        self.approach = torch.zeros(b, c.num_agents, dtype=dt, device=dev)
        self.prev_approach = self.approach.clone()
        self.delivered = torch.zeros(b, c.num_packages, dtype=torch.bool, device=dev)
        self.newly_delivered = self.delivered.clone()

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        c, b = self.config, world.num_envs
        half = c.arena_size / 2

        def uniform(low: float, high: float, shape: tuple[int, ...]) -> torch.Tensor:
            return world.uniform(low, high, shape, generator)

        inner = half - c.package_radius - 2 * c.agent_radius
        pkg = sample_free(uniform, (b, c.num_packages), inner - 0.1, 0.0,
                          spacing=2 * c.package_radius + 4 * c.agent_radius)
        goal = sample_free(uniform, (b, c.num_packages), inner, c.min_goal_distance,
                           blockers=pkg, blocker_radius=torch.zeros(1, device=world.device))
        pkg_r = torch.full((c.num_packages,), c.package_radius, device=world.device)
        agents = sample_free(uniform, (b, c.num_agents), half - c.agent_radius,
                             c.agent_radius + 0.02, pkg, pkg_r, spacing=3 * c.agent_radius)
        world.set_where(mask, agents, slice(0, c.num_agents))
        world.set_where(mask, pkg, self.packages)
        world.active = world.active | mask.unsqueeze(-1)
        m = mask.view(-1, 1, 1)
        self.goal = torch.where(m, goal, self.goal)
        self.delivered.masked_fill_(mask.unsqueeze(-1), False)
        self.newly_delivered.masked_fill_(mask.unsqueeze(-1), False)
        self._measure(world)
        m2 = mask.unsqueeze(-1)
        self.prev_dist = torch.where(m2, self.dist, self.prev_dist)
        self.prev_approach = torch.where(m2, self.approach, self.prev_approach)

    def _measure(self, world: World) -> None:
        """Package-to-goal and agent-to-nearest-undelivered-package distances."""
        pkg = world.pos[:, self.packages]
        self.dist = (pkg - self.goal).norm(dim=-1)
        d = relative(pkg, world.agent_pos).norm(dim=-1)  # (B, N, P)
        d = d + 1e3 * self.delivered.unsqueeze(1)
        self.approach = d.min(-1).values.clamp_max(10.0)

    def post_step(self, world: World) -> None:
        self.prev_dist, self.prev_approach = self.dist, self.approach
        self._measure(world)
        now = self.dist < self.config.goal_radius
        self.newly_delivered = now & ~self.delivered
        self.delivered = self.delivered | now
        active = torch.cat([world.active[:, : self.packages.start], ~self.delivered], dim=1)
        world.active = active
        # a just-delivered package stops counting for the approach shaping from the next step

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        return [("self", 1, 4), ("package", self.k_packages, 7), ("agent", self.k_agents, 2)]

    def observation(self, world: World) -> ByTeam:
        pos, vel = world.agent_pos, world.agent_vel
        parts = [vel, pos]
        pkg_rel = relative(world.pos[:, self.packages], pos)  # (B, N, P, 2)
        dist = pkg_rel.norm(dim=-1) + 1e3 * self.delivered.unsqueeze(1)
        _, idx = nearest(dist, self.k_packages)
        n = pos.shape[1]
        per_pkg = torch.cat([world.vel[:, self.packages], self.goal - world.pos[:, self.packages],
                             self.delivered.to(pos.dtype).unsqueeze(-1)], dim=-1)  # (B, P, 5)
        per_pkg = per_pkg.unsqueeze(1).expand(-1, n, -1, -1)
        parts.append(torch.cat([gather_pairs(pkg_rel, idx), gather_pairs(per_pkg, idx)], -1)
                     .flatten(2))
        if self.k_agents:
            rel = relative(pos, pos)
            d = rel.norm(dim=-1)
            d.diagonal(dim1=1, dim2=2).fill_(float("inf"))
            _, idx = nearest(d, self.k_agents)
            parts.append(gather_pairs(rel, idx).flatten(2))
        return {"agent": torch.cat(parts, dim=-1)}

    def reward(self, world: World) -> ByTeam:
        c = self.config
        moving = (~self.delivered | self.newly_delivered).to(world.dtype)
        progress = ((self.prev_dist - self.dist) * moving).sum(-1, keepdim=True)
        bonus = self.newly_delivered.to(world.dtype).sum(-1, keepdim=True)
        approach = (self.prev_approach - self.approach).clamp(-1.0, 1.0)
        return {"agent": c.progress_scale * progress + c.delivery_bonus * bonus
                + c.approach_scale * approach}

    def terminated(self, world: World) -> torch.Tensor:
        return self.delivered.all(-1)

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        return {"success": self.delivered.all(-1).float(),
                "delivered_fraction": self.delivered.float().mean(-1)}

    def task_outcome(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """Every package is delivered."""
        return self.delivered.all(-1)

    def global_state(self, world: World, obs: ByTeam) -> torch.Tensor:
        return torch.cat([world.agent_pos.flatten(1), world.agent_vel.flatten(1),
                          world.pos[:, self.packages].flatten(1),
                          world.vel[:, self.packages].flatten(1), self.goal.flatten(1),
                          self.delivered.to(world.dtype)], dim=1)

    def scripted_direction(self, world: World) -> ByTeam:
        return {"agent": self._pushers(world, toward_goal=True)}

    def saboteur_direction(self, world: World, team: str, honest: torch.Tensor
                           ) -> torch.Tensor:
        """The blocker: the scripted pusher with the goal reversed. Each agent goes around
        the package it serves to the spot on its goal side and pushes it away from the goal,
        against the honest pushers (one blocker takes away more than one pusher's force)."""
        return self._pushers(world, toward_goal=False)

    def _pushers(self, world: World, toward_goal: bool) -> torch.Tensor:
        """Agent ``i`` serves package ``i mod P``: it goes around the package to the spot
        behind it and pushes it toward its goal (``toward_goal``) or away from it."""
        c = self.config
        pos = world.agent_pos
        serve = torch.arange(c.num_agents, device=pos.device) % c.num_packages
        pkg = world.pos[:, self.packages][:, serve]  # (B, N, 2)
        goal = self.goal[:, serve]
        push_dir = unit(goal - pkg) if toward_goal else unit(pkg - goal)
        behind = pkg - push_dir * (c.package_radius + c.agent_radius)
        to_behind = behind - pos
        aligned = (unit(pkg - pos) * push_dir).sum(-1, keepdim=True) > 0.75
        ready = aligned & ((pkg - pos).norm(dim=-1, keepdim=True)
                           < c.package_radius + c.agent_radius + 0.1)
        # go around the package: steer to the spot behind it, pushed off the package's surface
        away = pos - pkg
        around = to_behind + 0.6 * unit(away) * (away.norm(dim=-1, keepdim=True)
                                                 < c.package_radius + 0.15)
        mates = repulsion(pos, pos, 2.5 * c.agent_radius, exclude_self=True)
        # push through a point ahead of the package so that off-center pushers steer it back
        push = unit(pkg + push_dir * 2 * c.package_radius - pos)
        move = torch.where(ready, push, unit(around) + 0.5 * mates)
        done = self.delivered[:, serve].unsqueeze(-1)
        return torch.where(done, torch.zeros_like(move), move)

    def render_extras(self, world: World, env_index: int) -> list[dict]:
        goals = self.goal[env_index].detach().cpu().tolist()
        return [{"pos": g, "radius": self.config.goal_radius, "outline": True,
                 "color": (0.2, 0.6, 0.2)} for g in goals]
