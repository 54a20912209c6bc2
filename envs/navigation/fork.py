"""# fork (``navigation/fork-v0``)

A round hazard sits between each agent and its goal, exactly on the line joining them: the
agent must pass it on the left or on the right, two equally good ways through. Agents start
in a row below the hazard (``y = -start_y``, evenly spaced in x, jittered by up to
``start_jitter``) with their goals mirrored above it. Touching the hazard ends the episode as a
failure, so a policy that averages the two ways (the mean of "left" and "right" is "straight
ahead") fails.

| | |
|---|---|
| teams | ``agent``: ``agent_0 .. agent_{N-1}`` |
| actions | ``Box(-1, 1, (2,))`` (force), or ``Discrete(5)`` with ``continuous_actions=False`` |
| observation | ``navigation``'s: ``[self_vel(2), self_pos(2), goal_rel_pos(2), at_goal(1)]``, the
  obstacle ``[rel_pos(2), radius(1)]`` and the nearest agents ``[rel_pos(2), rel_vel(2)]`` |
| state | ``navigation``'s |
| episode | ends (terminated) when all agents are within ``goal_radius`` of their goals or when
  any agent touches the hazard, else truncated after ``max_steps`` |

**Reward**: ``navigation``'s, and ``-crash_penalty`` to every agent on the step an agent
touches the hazard. **Metrics**: ``navigation``'s (``success``, ``at_goal_fraction``,
``collisions``), ``crashed`` (the episode ended on the hazard) and ``passed_left`` (the
fraction of agents that went around the hazard on its left).

**Arguments**: ``ForkConfig``.

**Heuristic**: each agent draws a side (left or right, 50/50) at the start of every episode and
follows waypoints around the obstacle on that side: its demonstrations are bimodal, the
situation where a Gaussian fitted by behaviour cloning averages the modes and a flow-matching
head keeps both.

Version history: v0: initial version.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from arena.core.scenario import ByTeam
from arena.sim.world import World
from envs.common import pd_direction
from envs.navigation.navigation import Navigation, NavigationConfig


@dataclass
class ForkConfig(NavigationConfig):
    """Arguments of fork (``navigation``'s, with other defaults and a fixed layout)."""

    num_agents: int = 1
    """Agents, side by side, each with its own start and goal."""
    num_obstacles: int = 1
    """Always 1: the obstacle between starts and goals."""
    obstacle_radius: tuple[float, float] = (0.35, 0.35)
    """Radius of the obstacle (both values equal)."""
    start_y: float = 0.75
    """Starts at ``y = -start_y``, goals at ``y = +start_y``."""
    start_jitter: float = 0.02
    """Uniform jitter of each start and goal position (x and y)."""
    max_steps: int = 60
    """Episode length limit."""
    continuous_actions: bool = True
    """Force actions (the default here) or the 5 discrete moves."""
    crash_penalty: float = 1.0
    """Reward to every agent when one touches the hazard (which ends the episode)."""

    def validate(self) -> None:
        super().validate()
        if self.num_obstacles != 1 or self.obstacle_radius[0] != self.obstacle_radius[1]:
            raise ValueError("fork has exactly one obstacle of one radius")
        if not self.obstacle_radius[0] < self.start_y < self.arena_size / 2:
            raise ValueError("start_y must lie between the obstacle and the wall")


class Fork(Navigation):
    """Pass a central hazard on either side to reach a goal mirrored behind it."""

    config_cls = ForkConfig
    config: ForkConfig
    binary_metrics = ("success", "crashed")

    def init_state(self, world: World) -> None:
        super().init_state(world)
        self.side = torch.ones(world.num_envs, world.num_agents, dtype=world.dtype,
                               device=world.device)
        self.crashed = torch.zeros(world.num_envs, dtype=torch.bool, device=world.device)
        self.passed_left = torch.zeros(world.num_envs, world.num_agents, dtype=torch.bool,
                                       device=world.device)
        self.last_y = torch.zeros(world.num_envs, world.num_agents, dtype=world.dtype,
                                  device=world.device)

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        c, b, n = self.config, world.num_envs, world.num_agents
        spread = torch.linspace(-1, 1, n, dtype=world.dtype, device=world.device) * 0.15 * (n - 1)
        base = torch.stack([spread, torch.full_like(spread, -c.start_y)], dim=-1).expand(b, n, 2)
        jitter = c.start_jitter
        start = base + world.uniform(-jitter, jitter, (b, n, 2), generator)
        goal = base * torch.tensor([1.0, -1.0], dtype=world.dtype, device=world.device)
        goal = goal + world.uniform(-jitter, jitter, (b, n, 2), generator)
        side = torch.where(world.uniform(0.0, 1.0, (b, n), generator) < 0.5, -1.0, 1.0)
        world.set_where(mask, torch.zeros(b, 1, 2, dtype=world.dtype, device=world.device),
                        self.obstacles)
        world.set_where(mask, start, slice(0, n))
        self.goal = torch.where(mask.view(-1, 1, 1), goal, self.goal)
        self.side = torch.where(mask.view(-1, 1), side.to(world.dtype), self.side)
        self._update_distances(world, mask)
        self.collisions.masked_fill_(mask, 0.0)
        self.overlaps.masked_fill_(mask.unsqueeze(-1), 0.0)
        self.crashed = self.crashed & ~mask
        self.passed_left = self.passed_left & ~mask.unsqueeze(-1)
        self.last_y = torch.where(mask.unsqueeze(-1), world.agent_pos[..., 1], self.last_y)

    def post_step(self, world: World) -> None:
        super().post_step(world)
        hazard = world.pos[:, self.obstacles]  # (B, 1, 2)
        reach = world.radius[: world.num_agents] + world.radius[self.obstacles]
        self.crashed = ((world.agent_pos - hazard).norm(dim=-1) < reach).any(-1)
        pos = world.agent_pos
        crossing = (pos[..., 1] >= hazard[..., 1]) & (self.last_y < hazard[..., 1])
        self.passed_left = self.passed_left | (crossing & (pos[..., 0] < hazard[..., 0]))
        self.last_y = pos[..., 1]

    def _reward(self, success: torch.Tensor) -> torch.Tensor:
        """``navigation``'s reward (also its ``honest_reward``) minus the crash penalty."""
        reward = super()._reward(success)
        return reward - self.config.crash_penalty * self.crashed.to(reward.dtype).unsqueeze(-1)

    def terminated(self, world: World) -> torch.Tensor:
        return super().terminated(world) | self.crashed

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        out = super().metrics(world)
        out["success"] = out["success"] * (~self.crashed).float()
        return {**out, "crashed": self.crashed.float(),
                "passed_left": self.passed_left.float().mean(-1)}

    def task_outcome(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """Every honest agent is at its goal, and nobody drove into the hazard."""
        return super().task_outcome(world, team, honest) & ~self.crashed

    def scripted_direction(self, world: World) -> ByTeam:
        pos, vel = world.agent_pos, world.agent_vel
        reach = self.config.obstacle_radius[0] + 6 * self.config.agent_radius
        beside = torch.stack([self.side * reach, torch.zeros_like(self.side)], dim=-1)
        # below the obstacle: head for the point beside it; level with it or above: the goal
        target = torch.where(pos[..., 1:] < 0.0, beside, self.goal)
        error = target - pos
        return {"agent": pd_direction(error, vel) / error.norm(dim=-1, keepdim=True).clamp(0.05,
                                                                                           0.3)}
