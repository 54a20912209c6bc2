"""# navigation (``navigation/navigation-v0``)

Each agent has its own goal in a walled square arena strewn with random circular obstacles. Agents
must reach their goals without hitting obstacles or each other; the episode ends with success when
all agents are on their goals at once. Scales from 1 to 64+ agents.

| | |
|---|---|
| teams | ``agent``: ``agent_0 .. agent_{N-1}`` |
| actions | ``Discrete(5)`` ``[no_op, -x, +x, -y, +y]``, or ``Box(-1, 1, (2,))`` (force) |
| observation | ``[self_vel(2), self_pos(2), goal_rel_pos(2), at_goal(1)]``, then the ``K_o``
  nearest obstacles ``[rel_pos(2), radius(1)]`` and the ``K_a`` nearest agents
  ``[rel_pos(2), rel_vel(2)]``, closest first (``K_o = min(obstacle_obs, num_obstacles)``,
  ``K_a = min(neighbor_obs, N - 1)``): 31 for the defaults |
| state | ``[pos, vel, goal_rel_pos]`` of every agent and the obstacle positions |
| episode | ends (terminated) when all agents are within ``goal_radius`` of their goals, else
  truncated after ``max_steps`` |

**Reward** (per agent): ``progress_scale * (d_prev - d)`` (distance to own goal),
``- collision_penalty`` per obstacle or other agent it overlaps, and ``success_bonus`` to every
agent on the step all agents are at their goals.
``honest_reward`` (attacks from inside the team) gives the bonus on the steps all *honest*
agents are at their goals (``hold_bonus`` per step instead, if set, while a taken-over agent off
its goal keeps the episode running).

**Metrics** at episode end: ``success`` (all agents at goals), ``at_goal_fraction``,
``collisions`` (overlapping agent-agent and agent-obstacle pairs, summed over the episode).

**Arguments**: see ``NavigationConfig``. Obstacle radii are spread evenly over
``obstacle_radius`` (fixed per obstacle index); positions, starts and goals are random per episode
with rejection sampling so that nothing starts overlapping.

**Heuristic**: head for the goal with a damped controller, pushed away from nearby obstacles and
agents (a potential field; it can get stuck behind large obstacles).

Version history: v0: initial version.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from arena.core.scenario import ByTeam, Scenario
from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec
from envs.common import gather_pairs, nearest, pd_direction, relative, repulsion, sample_free

AGENT_COLORS = [(0.35, 0.35, 0.85), (0.85, 0.55, 0.2), (0.3, 0.7, 0.3), (0.7, 0.3, 0.7)]


@dataclass
class NavigationConfig:
    """Arguments of navigation."""

    num_agents: int = 4
    """Number of agents, each with its own goal."""
    num_obstacles: int = 6
    """Number of static circular obstacles."""
    obstacle_radius: tuple[float, float] = (0.08, 0.18)
    """Smallest and largest obstacle radius."""
    agent_radius: float = 0.05
    """Radius of every agent."""
    arena_size: float = 2.0
    """Side of the square arena (walls at +-arena_size/2)."""
    goal_radius: float = 0.1
    """An agent is at its goal within this distance."""
    max_speed: float = 1.0
    """Speed limit of the agents."""
    accel: float = 3.0
    """Force per unit of action."""
    max_steps: int = 100
    """Episode length limit."""
    obstacle_obs: int = 4
    """Nearest obstacles each agent observes."""
    neighbor_obs: int = 3
    """Nearest other agents each agent observes."""
    progress_scale: float = 1.0
    """Reward per unit of distance gained toward the goal."""
    collision_penalty: float = 0.25
    """Penalty per overlapping obstacle or agent, per step."""
    success_bonus: float = 2.0
    """Reward to every agent when all reach their goals."""
    hold_bonus: float | None = None
    """``honest_reward`` only: the bonus per step while every honest agent holds its goal but a
    taken-over agent is off its own, so the episode runs on (``None``: ``success_bonus``).
    A clean episode pays ``success_bonus`` once and ends, so with the default an attacked
    episode's return is many times a clean one's. Below ``collision_penalty`` stepping away
    from an agent pays more than holding the goal (docs/attacks.md measures 0.02 and 0.5)."""
    continuous_actions: bool = False
    """``Box(-1, 1, (2,))`` force actions instead of ``Discrete(5)``."""

    def validate(self) -> None:
        if self.num_agents < 1 or self.num_obstacles < 0 or self.max_steps < 1:
            raise ValueError("need num_agents >= 1, num_obstacles >= 0, max_steps >= 1")
        low, high = self.obstacle_radius
        if not 0 < low <= high:
            raise ValueError(f"obstacle_radius must satisfy 0 < low <= high, got {low, high}")
        if self.arena_size <= 4 * high or self.goal_radius <= 0 or self.agent_radius <= 0:
            raise ValueError("arena_size must exceed 4 obstacle radii; radii must be positive")
        if self.hold_bonus is not None and self.hold_bonus < 0:
            raise ValueError(f"hold_bonus must be >= 0 or None, got {self.hold_bonus}")


class Navigation(Scenario):
    """Multi-agent goal reaching among obstacles."""

    config_cls = NavigationConfig
    family = "navigation"
    config: NavigationConfig

    def make_world(self) -> WorldSpec:
        c = self.config
        agents = [
            EntitySpec(f"agent_{i}", "agent", "agent", radius=c.agent_radius, accel=c.accel,
                       max_speed=c.max_speed, movable=True,
                       color=AGENT_COLORS[i % len(AGENT_COLORS)])
            for i in range(c.num_agents)
        ]
        low, high = c.obstacle_radius
        radii = torch.linspace(low, high, c.num_obstacles).tolist() if c.num_obstacles else []
        obstacles = [EntitySpec(f"obstacle_{i}", "obstacle", radius=r, color=(0.3, 0.3, 0.3))
                     for i, r in enumerate(radii)]
        return WorldSpec(agents + obstacles, PhysicsConfig(bound=c.arena_size / 2))

    def init_state(self, world: World) -> None:
        c, b, n = self.config, world.num_envs, world.num_agents
        self.obstacles = slice(n, world.num_entities)
        self.k_obstacles = min(c.obstacle_obs, c.num_obstacles)
        self.k_agents = min(c.neighbor_obs, n - 1)
        zeros = torch.zeros(b, n, dtype=world.dtype, device=world.device)
        self.goal = torch.zeros(b, n, 2, dtype=world.dtype, device=world.device)
        self.prev_dist = zeros.clone()
        self.dist = zeros.clone()
        self.overlaps = zeros.clone()
        self.collisions = torch.zeros(b, dtype=world.dtype, device=world.device)

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        c, b, n = self.config, world.num_envs, world.num_agents
        half = c.arena_size / 2

        def uniform(low: float, high: float, shape: tuple[int, ...]) -> torch.Tensor:
            return world.uniform(low, high, shape, generator)

        obs_r = world.radius[self.obstacles]
        r_max = c.obstacle_radius[1]
        obs_pos = sample_free(uniform, (b, c.num_obstacles), half - r_max, clearance=0.0,
                              spacing=2 * r_max + 4 * c.agent_radius)
        margin = half - 2 * c.agent_radius
        clear = 2 * c.agent_radius
        start = sample_free(uniform, (b, n), margin, clear, obs_pos, obs_r, 4 * c.agent_radius)
        goal = sample_free(uniform, (b, n), margin, clear + c.goal_radius, obs_pos, obs_r,
                           2 * c.goal_radius)
        world.set_where(mask, obs_pos, self.obstacles)
        world.set_where(mask, start, slice(0, n))
        self.goal = torch.where(mask.view(-1, 1, 1), goal, self.goal)
        self._update_distances(world, mask)
        self.collisions.masked_fill_(mask, 0.0)
        self.overlaps.masked_fill_(mask.unsqueeze(-1), 0.0)

    def _update_distances(self, world: World, mask: torch.Tensor | None = None) -> None:
        dist = (world.agent_pos - self.goal).norm(dim=-1)
        if mask is None:
            self.prev_dist, self.dist = self.dist, dist
        else:
            m = mask.unsqueeze(-1)
            self.prev_dist = torch.where(m, dist, self.prev_dist)
            self.dist = torch.where(m, dist, self.dist)

    def post_step(self, world: World) -> None:
        self._update_distances(world)
        n = world.num_agents
        pos, r = world.agent_pos, world.radius
        d_agents = relative(pos, pos).norm(dim=-1)
        hit_agents = d_agents < (r[:n].unsqueeze(1) + r[:n].unsqueeze(0))
        hit_agents.diagonal(dim1=1, dim2=2).fill_(False)
        d_obs = relative(world.pos[:, self.obstacles], pos).norm(dim=-1)
        hit_obs = d_obs < (r[:n].unsqueeze(1) + r[self.obstacles].unsqueeze(0))
        self.overlaps = (hit_agents.sum(-1) + hit_obs.sum(-1)).to(world.dtype)
        self.collisions += hit_agents.sum((1, 2)) / 2 + hit_obs.sum((1, 2))

    def at_goal(self) -> torch.Tensor:
        """Whether each agent is within ``goal_radius`` of its goal, ``(B, N)``."""
        return self.dist < self.config.goal_radius

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        return [("self", 1, 7), ("obstacle", self.k_obstacles, 3), ("agent", self.k_agents, 4)]

    def observation(self, world: World) -> ByTeam:
        pos, vel = world.agent_pos, world.agent_vel
        parts = [vel, pos, self.goal - pos, self.at_goal().to(pos.dtype).unsqueeze(-1)]
        if self.k_obstacles:
            rel = relative(world.pos[:, self.obstacles], pos)  # (B, N, M, 2)
            _, idx = nearest(rel.norm(dim=-1), self.k_obstacles)
            radius = world.radius[self.obstacles][idx].unsqueeze(-1)
            parts.append(torch.cat([gather_pairs(rel, idx), radius], -1).flatten(2))
        if self.k_agents:
            rel = relative(pos, pos)
            dist = rel.norm(dim=-1)
            dist.diagonal(dim1=1, dim2=2).fill_(float("inf"))
            _, idx = nearest(dist, self.k_agents)
            rel_vel = relative(vel, vel)
            parts.append(torch.cat([gather_pairs(rel, idx), gather_pairs(rel_vel, idx)], -1)
                         .flatten(2))
        return {"agent": torch.cat(parts, dim=-1)}

    def reward(self, world: World) -> ByTeam:
        return {"agent": self._reward(self.at_goal().all(-1, keepdim=True))}

    def _reward(self, success: torch.Tensor) -> torch.Tensor:
        """Each agent's progress and collisions, plus the bonus where ``success`` ``(B, 1)``."""
        c = self.config
        progress = c.progress_scale * (self.prev_dist - self.dist)
        return (progress - c.collision_penalty * self.overlaps
                + c.success_bonus * success.to(progress.dtype))

    def honest_reward(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """The reward with the taken-over agents left out (``robust.honest_reward``,
        ``attack.objective: honest_return``): the success bonus goes to every agent on each
        step that all ``honest`` agents are at their goals, the task outcome, so an attacker
        cannot withhold it by staying off its own goal; progress and collisions are each
        agent's own, as in :meth:`reward`. An episode still ends only when every agent is at
        its goal, so with an attacker away from its goal a bonus comes on every step the
        honest agents hold theirs: ``hold_bonus`` (by default ``success_bonus``)."""
        c, at_goal = self.config, self.at_goal()
        home = (at_goal | ~honest).all(-1, keepdim=True)
        if c.hold_bonus is None:
            return self._reward(home)
        everyone = at_goal.all(-1, keepdim=True)  # the episode ends: the full bonus, once
        return self._reward(everyone) + c.hold_bonus * (home & ~everyone).to(world.dtype)

    def terminated(self, world: World) -> torch.Tensor:
        return self.at_goal().all(-1)

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        at_goal = self.at_goal()
        return {"success": at_goal.all(-1).float(), "at_goal_fraction": at_goal.float().mean(-1),
                "collisions": self.collisions.clone()}

    def task_outcome(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """Every honest agent is at its goal."""
        return (self.at_goal() | ~honest).all(-1)

    def global_state(self, world: World, obs: ByTeam) -> torch.Tensor:
        pos, vel = world.agent_pos, world.agent_vel
        return torch.cat([pos.flatten(1), vel.flatten(1), (self.goal - pos).flatten(1),
                          world.pos[:, self.obstacles].flatten(1)], dim=1)

    def scripted_direction(self, world: World) -> ByTeam:
        pos, vel = world.agent_pos, world.agent_vel
        to_goal = self.goal - pos
        seek = pd_direction(to_goal, vel) / to_goal.norm(dim=-1, keepdim=True).clamp(0.05, 0.3)
        obstacles = world.pos[:, self.obstacles]
        push = repulsion(pos, obstacles, reach=0.35) + repulsion(pos, pos, 0.2, exclude_self=True)
        return {"agent": seek + 1.5 * push}

    def render_extras(self, world: World, env_index: int) -> list[dict]:
        goals = self.goal[env_index].detach().cpu().tolist()
        return [{"pos": g, "radius": self.config.goal_radius, "outline": True,
                 "color": AGENT_COLORS[i % len(AGENT_COLORS)]} for i, g in enumerate(goals)]
