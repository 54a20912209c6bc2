"""# breach (``attack_defense/breach-v0``)

Attackers try to get one of their own into a protected circular zone at the arena's center before
the time limit; defenders try to intercept them. A defender that touches an attacker *tags* it:
the attacker is out for the rest of the episode (frozen, no collisions, drawn faded).

| | |
|---|---|
| teams | ``attacker``: ``attacker_0 ..``; ``defender``: ``defender_0 ..`` |
| actions | ``Discrete(5)`` ``[no_op, -x, +x, -y, +y]``, or ``Box(-1, 1, (2,))`` (force) |
| observation | ``[self_vel(2), self_pos(2), zone_rel_pos(2), self_active(1)]``, then for each
  teammate and each opponent ``[rel_pos(2), rel_vel(2), active(1)]`` (fixed order), then each
  obstacle's ``rel_pos(2)``: 7 + 5 (A + D - 1) + 2 K, 32 for 3 vs 3 |
| state | positions, velocities and active flags of all agents, and obstacle positions |
| episode | terminated on a breach (an active attacker inside the zone) or when every attacker
  is tagged; truncated after ``max_steps`` (the defenders held) |

**Rewards** (zero-sum): each attacker gets ``progress_scale * (d_prev - d)`` for its own
approach to the zone while active, ``-tag_penalty`` when it is tagged, and ``+breach_reward``
(all attackers) on a breach. Every defender gets minus the attackers' mean reward, so defenders
are paid for tags and for holding attackers off, and lose ``breach_reward`` on a breach.

**Metrics** at episode end: ``attack_success`` (1 if the zone was breached), ``tagged_fraction``
(attackers tagged) and ``breach_step`` (step of the breach, ``max_steps`` if none).

**Arguments**: see ``BreachConfig``: team sizes, zone radius, speeds and accelerations of each
team, tag distance, number and radius of obstacles, arena size, episode length, reward weights.

**Heuristics**: attackers head for the zone and swerve away from close defenders. Two scripted
defenses, picked by ``scripted_defense``:

- ``guard`` (default): each defender guards one attacker (the assignment that leaves the latest
  defender the most time to spare, over all one-to-one assignments): it holds the line from the
  zone to its attacker just inside the attacker, then closes in to tag it, with damped moves.
  It stops nearly every scripted attack.
- ``intercept``: defenders are matched greedily to the attackers nearest the zone, wait on the
  line to their attacker and chase it when close, with undamped moves. It stops about two thirds
  of the scripted attacks and is the weaker baseline to train attackers against.

Version history: v0: initial version. The dynamics and rewards are unchanged since; the default
scripted defense became ``guard`` on 2026-11-26 (before, it was ``intercept``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from arena.core.scenario import ByTeam, Scenario
from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec
from envs.common import (
    bottleneck_assignment,
    greedy_assignment,
    others_index,
    pd_direction,
    relative,
    repulsion,
    ring,
    sample_free,
    unit,
)

ATTACKER_COLOR, DEFENDER_COLOR = (0.85, 0.3, 0.3), (0.3, 0.4, 0.85)
SCRIPTED_DEFENSES = ("guard", "intercept")


@dataclass
class BreachConfig:
    """Arguments of breach."""

    num_attackers: int = 3
    """Attackers (team ``attacker``)."""
    num_defenders: int = 3
    """Defenders (team ``defender``)."""
    zone_radius: float = 0.25
    """Radius of the protected zone at the center."""
    arena_size: float = 3.0
    """Side of the square arena (walls at +-arena_size/2)."""
    agent_radius: float = 0.05
    """Radius of every agent."""
    attacker_speed: float = 1.0
    """Attackers' speed limit."""
    defender_speed: float = 1.2
    """Defenders' speed limit."""
    attacker_accel: float = 3.0
    """Attackers' force per unit of action."""
    defender_accel: float = 3.6
    """Defenders' force per unit of action."""
    tag_distance: float = 0.15
    """A defender within this distance of an active attacker tags it."""
    num_obstacles: int = 0
    """Static circular obstacles between the spawn ring and the zone."""
    obstacle_radius: float = 0.15
    """Radius of each obstacle."""
    max_steps: int = 100
    """Time limit: the defenders hold if no breach by then."""
    breach_reward: float = 10.0
    """Reward to the attackers (and penalty to the defenders) for a breach."""
    tag_penalty: float = 3.0
    """Penalty to a tagged attacker (and reward to the defenders)."""
    progress_scale: float = 1.0
    """Attacker reward per unit of distance gained toward the zone."""
    continuous_actions: bool = False
    """``Box(-1, 1, (2,))`` force actions instead of ``Discrete(5)``."""
    scripted_defense: str = "guard"
    """The defenders' scripted policy: ``guard`` or ``intercept`` (see Heuristics)."""

    def validate(self) -> None:
        if self.num_attackers < 1 or self.num_defenders < 1:
            raise ValueError("num_attackers and num_defenders must be >= 1")
        if not 0 < self.zone_radius < self.arena_size / 4:
            raise ValueError("zone_radius must be in (0, arena_size / 4)")
        if self.max_steps < 1 or self.num_obstacles < 0 or self.tag_distance <= 0:
            raise ValueError("need max_steps >= 1, num_obstacles >= 0, tag_distance > 0")
        if self.scripted_defense not in SCRIPTED_DEFENSES:
            raise ValueError(f"scripted_defense must be one of {SCRIPTED_DEFENSES}, "
                             f"got {self.scripted_defense!r}")


class Breach(Scenario):
    """Attackers vs defenders around a protected zone."""

    config_cls = BreachConfig
    family = "attack_defense"
    config: BreachConfig

    def make_world(self) -> WorldSpec:
        c = self.config
        attackers = [EntitySpec(f"attacker_{i}", "agent", "attacker", radius=c.agent_radius,
                                accel=c.attacker_accel, max_speed=c.attacker_speed,
                                movable=True, color=ATTACKER_COLOR)
                     for i in range(c.num_attackers)]
        defenders = [EntitySpec(f"defender_{i}", "agent", "defender", radius=c.agent_radius,
                                accel=c.defender_accel, max_speed=c.defender_speed,
                                movable=True, color=DEFENDER_COLOR)
                     for i in range(c.num_defenders)]
        obstacles = [EntitySpec(f"obstacle_{i}", "obstacle", radius=c.obstacle_radius,
                                color=(0.3, 0.3, 0.3)) for i in range(c.num_obstacles)]
        return WorldSpec(attackers + defenders + obstacles,
                         PhysicsConfig(bound=c.arena_size / 2))

    def init_state(self, world: World) -> None:
        b, dev, dt = world.num_envs, world.device, world.dtype
        world.dynamic_activity = True
        self.att, self.dfn = world.team("attacker"), world.team("defender")
        self.obstacles = slice(world.num_agents, world.num_entities)
        n_att = self.config.num_attackers
        self.mate_rows, self.mate_cols = {}, {}
        for team, sl in (("attacker", self.att), ("defender", self.dfn)):
            n = sl.stop - sl.start
            self.mate_rows[team] = torch.arange(n, device=dev).unsqueeze(1)
            self.mate_cols[team] = others_index(n, dev) + sl.start
        self.dist = torch.zeros(b, n_att, dtype=dt, device=dev)
        self.prev_dist = self.dist.clone()
        self.newly_tagged = torch.zeros(b, n_att, dtype=torch.bool, device=dev)
        self.breached = torch.zeros(b, dtype=torch.bool, device=dev)
        self.breach_step = torch.zeros(b, dtype=dt, device=dev)
        self.t = torch.zeros(b, dtype=dt, device=dev)

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        c, b = self.config, world.num_envs
        half = c.arena_size / 2

        def uniform(low: float, high: float, shape: tuple[int, ...]) -> torch.Tensor:
            return world.uniform(low, high, shape, generator)

        att = ring(uniform, b, c.num_attackers, 0.8 * half, 0.95 * half)
        dfn = ring(uniform, b, c.num_defenders, c.zone_radius + 0.15, c.zone_radius + 0.35)
        # obstacles: spread apart in the box, then pushed out of the zone's surroundings
        inner = c.zone_radius + 0.3 + c.obstacle_radius
        obstacles = sample_free(uniform, (b, c.num_obstacles), 0.7 * half, 0.0,
                                spacing=2.5 * c.obstacle_radius)
        too_close = obstacles.norm(dim=-1, keepdim=True) < inner
        obstacles = torch.where(too_close, unit(obstacles) * inner, obstacles)
        world.set_where(mask, att, self.att)
        world.set_where(mask, dfn, self.dfn)
        world.set_where(mask, obstacles, self.obstacles)
        world.active = world.active | mask.unsqueeze(-1)
        dist = world.pos[:, self.att].norm(dim=-1)
        m = mask.unsqueeze(-1)
        self.dist = torch.where(m, dist, self.dist)
        self.prev_dist = torch.where(m, dist, self.prev_dist)
        self.newly_tagged.masked_fill_(m, False)
        self.breached.masked_fill_(mask, False)
        self.t.masked_fill_(mask, 0.0)
        self.breach_step = torch.where(mask, torch.full_like(self.t, float(c.max_steps)),
                                       self.breach_step)

    def post_step(self, world: World) -> None:
        c = self.config
        att_active = world.active[:, self.att]
        self.t += 1
        self.prev_dist = self.dist
        self.dist = world.pos[:, self.att].norm(dim=-1)
        inside = (self.dist < c.zone_radius) & att_active
        near = world.distances(self.att, self.dfn) < c.tag_distance  # (B, A, D)
        self.newly_tagged = near.any(-1) & att_active & ~inside
        active = att_active & ~self.newly_tagged
        world.active = torch.cat([active, world.active[:, self.att.stop:]], dim=1)
        new_breach = inside.any(-1) & ~self.breached
        self.breached = self.breached | new_breach
        self.breach_step = torch.where(new_breach, self.t, self.breach_step)

    def _attacker_active(self, world: World) -> torch.Tensor:
        return world.active[:, self.att]

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        c = self.config
        mates, opponents = ((c.num_attackers, c.num_defenders) if team == "attacker"
                            else (c.num_defenders, c.num_attackers))
        return [("self", 1, 7), ("mate", mates - 1, 5), ("opponent", opponents, 5),
                ("obstacle", c.num_obstacles, 2)]

    def observation(self, world: World) -> ByTeam:
        pos, vel = world.agent_pos, world.agent_vel
        active = world.active[:, : world.num_agents].to(pos.dtype).unsqueeze(-1)
        own = torch.cat([vel, pos, -pos, active], dim=-1)  # zone at the origin
        rel_pos, rel_vel = relative(pos, pos), relative(vel, vel)
        act = active.squeeze(-1).unsqueeze(1).expand(-1, pos.shape[1], -1).unsqueeze(-1)
        table = torch.cat([rel_pos, rel_vel, act], dim=-1)  # (B, N, N, 5)
        parts = {}
        for team, mine, theirs in (("attacker", self.att, self.dfn),
                                   ("defender", self.dfn, self.att)):
            rows = table[:, mine]  # (B, n_team, N, 5)
            mates = rows[:, self.mate_rows[team], self.mate_cols[team]]  # (B, n, n - 1, 5)
            obstacles = relative(world.pos[:, self.obstacles], pos[:, mine]).flatten(2)
            parts[team] = torch.cat([own[:, mine], mates.flatten(2),
                                     rows[:, :, theirs].flatten(2), obstacles], dim=-1)
        return parts

    def reward(self, world: World) -> ByTeam:
        c = self.config
        was_active = world.active[:, self.att] | self.newly_tagged
        progress = c.progress_scale * (self.prev_dist - self.dist) * was_active
        breach = (self.breached & (self.breach_step == self.t)).to(world.dtype).unsqueeze(-1)
        att = progress - c.tag_penalty * self.newly_tagged + c.breach_reward * breach
        dfn = -att.mean(-1, keepdim=True).expand(-1, c.num_defenders)
        return {"attacker": att, "defender": dfn}

    def terminated(self, world: World) -> torch.Tensor:
        return self.breached | ~world.active[:, self.att].any(-1)

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        tagged = ~world.active[:, self.att]
        return {"attack_success": self.breached.float(),
                "tagged_fraction": tagged.float().mean(-1),
                "breach_step": self.breach_step.clone()}

    def global_state(self, world: World, obs: ByTeam) -> torch.Tensor:
        n = world.num_agents
        return torch.cat([world.agent_pos.flatten(1), world.agent_vel.flatten(1),
                          world.active[:, :n].to(world.dtype),
                          world.pos[:, self.obstacles].flatten(1)], dim=1)

    def scripted_direction(self, world: World) -> ByTeam:
        c = self.config
        att_pos, dfn_pos = world.pos[:, self.att], world.pos[:, self.dfn]
        obstacles = world.pos[:, self.obstacles]
        dodge = repulsion(att_pos, dfn_pos, reach=0.5)
        goal = unit(-att_pos)
        # swerve sideways around defenders in front rather than straight back
        side = torch.stack([-goal[..., 1], goal[..., 0]], dim=-1)
        side = side * torch.sign((dodge * side).sum(-1, keepdim=True) + 1e-6)
        attack = goal + 1.2 * dodge.norm(dim=-1, keepdim=True) * side + 1.5 * repulsion(
            att_pos, obstacles, c.obstacle_radius + 0.2)
        defense = (self._guard_direction if c.scripted_defense == "guard"
                   else self._intercept_direction)
        defend = defense(world) + 1.5 * repulsion(dfn_pos, obstacles, c.obstacle_radius + 0.15)
        return {"attacker": attack, "defender": defend}

    def _guard_direction(self, world: World) -> torch.Tensor:
        """Scripted defense: each defender guards one attacker, chosen so that the defender with
        the least time to spare reaches its guard point as early as possible (bottleneck
        assignment); it holds the zone->attacker line just inside the attacker, then closes in to
        tag it, with damped (PD) moves."""
        c = self.config
        att_pos, dfn_pos = world.pos[:, self.att], world.pos[:, self.dfn]
        reach = att_pos.norm(dim=-1)  # (B, A)
        guard = unit(att_pos) * (reach - 0.25).clamp(c.zone_radius + 0.1, 0.45).unsqueeze(-1)
        late = (relative(guard, dfn_pos).norm(dim=-1) / c.defender_speed  # (B, D, A)
                - ((reach - c.zone_radius) / c.attacker_speed).unsqueeze(1))
        late = late.masked_fill(~world.active[:, self.att].unsqueeze(1), -1e3)
        index = self._defender_targets(late, bottleneck_assignment)
        tgt_pos, tgt_guard = att_pos.gather(1, index), guard.gather(1, index)
        lead = tgt_pos + 0.2 * world.vel[:, self.att].gather(1, index)
        close = (tgt_pos - dfn_pos).norm(dim=-1, keepdim=True) < 0.4
        aim = torch.where(close, lead, tgt_guard)
        return 10.0 * pd_direction(aim - dfn_pos, world.vel[:, self.dfn], kd=0.15)

    def _intercept_direction(self, world: World) -> torch.Tensor:
        """Scripted ``intercept`` defense: defenders matched greedily to the active attackers
        nearest the zone wait on the zone->attacker line a little in front of their attacker and
        chase it when close."""
        c = self.config
        att_pos, dfn_pos = world.pos[:, self.att], world.pos[:, self.dfn]
        threat = att_pos.norm(dim=-1) + 100.0 * ~world.active[:, self.att]  # (B, A)
        dist = relative(att_pos, dfn_pos).norm(dim=-1) + threat.unsqueeze(1)  # (B, D, A)
        index = self._defender_targets(dist, greedy_assignment)
        tgt_pos, tgt_vel = att_pos.gather(1, index), world.vel[:, self.att].gather(1, index)
        guard_r = (tgt_pos.norm(dim=-1, keepdim=True) - 0.3).clamp_min(c.zone_radius + 0.1)
        close = (tgt_pos - dfn_pos).norm(dim=-1, keepdim=True) < 0.35
        return torch.where(close, tgt_pos + 0.3 * tgt_vel, unit(tgt_pos) * guard_r) - dfn_pos

    def _defender_targets(self, cost: torch.Tensor,
                          assign: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        """Each defender's attacker by ``assign`` over ``cost`` ``(B, D, A)``, with attackers
        repeated when defenders outnumber them (so they share), as a gather index ``(B, D, 2)``."""
        c = self.config
        reps = -(-c.num_defenders // c.num_attackers)
        target = assign(cost.repeat(1, 1, reps)) % c.num_attackers  # (B, D)
        return target.unsqueeze(-1).expand(-1, -1, 2)

    def render_extras(self, world: World, env_index: int) -> list[dict]:
        return [{"pos": (0.0, 0.0), "radius": self.config.zone_radius, "color": (0.9, 0.75, 0.2)}]
