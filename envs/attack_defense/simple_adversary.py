"""# simple_adversary (``attack_defense/simple_adversary-v0``)

A faithful, batched port of MPE's ``simple_adversary_v3``: N good agents know which of N
landmarks is the goal; one adversary does not, and is rewarded for reaching it. The good agents
must cover the goal while spreading out to deceive the adversary.

| | |
|---|---|
| teams | ``adversary``: ``adversary_0``; ``agent``: ``agent_0 .. agent_{N-1}`` |
| actions | ``Discrete(5)`` ``[no_op, -x, +x, -y, +y]``, or ``Box(0, 1, (5,))`` (MPE's format) |
| observation | agent: ``[goal_rel_pos, landmark_rel_pos(2N), other_agent_rel_pos(2N)]`` (10 for
  N=2); adversary: ``[landmark_rel_pos(2N), other_agent_rel_pos(2N)]`` (8) |
| state | concatenation of all observations, 28 for N=2 |
| episode | ``max_cycles`` steps (truncation) |

**Rewards**: adversary: ``-|p_adv - p_goal|``; every good agent (shared):
``-min_i |p_i - p_goal| + |p_adv - p_goal|``.

**Metrics** at episode end: ``good_goal_dist`` (closest good agent to the goal),
``adversary_goal_dist``, and ``adversary_at_goal`` (within twice the landmark radius).

**Arguments**: ``N=2``, ``max_cycles=25``, ``continuous_actions=False`` (MPE's defaults).
Agents: radius 0.15, no collisions; landmarks: radius 0.08.

**Heuristic**: good agents cover the landmarks one each (the closest covers the goal); the
adversary heads for the landmark nearest to the good agents' centroid.

Version history: v0: initial port of MPE2 ``simple_adversary_v3``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from arena.core.scenario import ByTeam, Scenario
from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec
from envs.common import (
    greedy_assignment,
    others_index,
    others_relative,
    pd_direction,
    pick,
    relative,
)

LANDMARK_RADIUS = 0.08


@dataclass
class SimpleAdversaryConfig:
    """Arguments of simple_adversary (MPE's names and defaults)."""

    N: int = 2
    """Number of good agents and of landmarks."""
    max_cycles: int = 25
    """Episode length in steps."""
    continuous_actions: bool = False
    """``Box(0, 1, (5,))`` actions instead of ``Discrete(5)``."""

    def validate(self) -> None:
        if self.N < 1 or self.max_cycles < 1:
            raise ValueError("N and max_cycles must be >= 1")


class SimpleAdversary(Scenario):
    """MPE simple_adversary on the batched simulator."""

    config_cls = SimpleAdversaryConfig
    family = "attack_defense"
    continuous_format = "mpe"
    config: SimpleAdversaryConfig

    def make_world(self) -> WorldSpec:
        n = self.config.N
        agents = [EntitySpec("adversary_0", "agent", "adversary", radius=0.15, collide=False,
                             movable=True, color=(0.85, 0.35, 0.35))]
        agents += [EntitySpec(f"agent_{i}", "agent", "agent", radius=0.15, collide=False,
                              movable=True, color=(0.35, 0.35, 0.85)) for i in range(n)]
        landmarks = [EntitySpec(f"landmark_{i}", "landmark", radius=LANDMARK_RADIUS,
                                collide=False, color=(0.15, 0.15, 0.15)) for i in range(n)]
        return WorldSpec(agents + landmarks, PhysicsConfig(integrator="mpe"))

    def init_state(self, world: World) -> None:
        n = world.num_agents
        self.adv, self.good = world.team("adversary"), world.team("agent")
        self.landmarks = slice(n, world.num_entities)
        self.others = others_index(n, world.device)
        self.goal = torch.zeros(world.num_envs, dtype=torch.long, device=world.device)

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        goal = torch.randint(0, self.config.N, (world.num_envs,), generator=generator,
                             device=world.device)
        self.goal = torch.where(mask, goal, self.goal)
        shape = (world.num_envs, world.num_entities, 2)
        world.set_where(mask, world.uniform(-1.0, 1.0, shape, generator), slice(None))

    def goal_pos(self, world: World) -> torch.Tensor:
        """Position of each env's goal landmark, shape ``(B, 2)``."""
        landmarks = world.pos[:, self.landmarks]
        return pick(landmarks, self.goal.view(-1, 1))[:, 0]

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        n = self.config.N
        goal = [("goal", 1, 2)] if team == "agent" else []
        return goal + [("landmark", n, 2), ("agent", n, 2)]

    def observation(self, world: World) -> ByTeam:
        pos = world.agent_pos
        landmark_rel = relative(world.pos[:, self.landmarks], pos).flatten(2)
        other_rel = others_relative(pos, self.others).flatten(2)
        base = torch.cat([landmark_rel, other_rel], dim=-1)
        goal_rel = self.goal_pos(world).unsqueeze(1) - pos[:, self.good]
        return {"adversary": base[:, self.adv],
                "agent": torch.cat([goal_rel, base[:, self.good]], dim=-1)}

    def _goal_dists(self, world: World) -> tuple[torch.Tensor, torch.Tensor]:
        """Distances to the goal of the adversary ``(B, 1)`` and of each good agent ``(B, N)``."""
        d = (world.agent_pos - self.goal_pos(world).unsqueeze(1)).norm(dim=-1)
        return d[:, self.adv], d[:, self.good]

    def reward(self, world: World) -> ByTeam:
        adv_d, good_d = self._goal_dists(world)
        good = (-good_d.min(-1, keepdim=True).values + adv_d.sum(-1, keepdim=True))
        return {"adversary": -adv_d, "agent": good.expand(-1, self.config.N)}

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        adv_d, good_d = self._goal_dists(world)
        return {"good_goal_dist": good_d.min(-1).values, "adversary_goal_dist": adv_d[:, 0],
                "adversary_at_goal": (adv_d[:, 0] < 2 * LANDMARK_RADIUS).float()}

    def scripted_direction(self, world: World) -> ByTeam:
        pos, vel = world.agent_pos, world.agent_vel
        landmarks = world.pos[:, self.landmarks]
        good_pos = pos[:, self.good]
        dist = relative(landmarks, good_pos).norm(dim=-1)  # (B, N, L)
        # The good agent closest to the goal takes it: make the goal free for it alone.
        closest = (good_pos - self.goal_pos(world).unsqueeze(1)).norm(dim=-1).argmin(-1)
        goal_col = torch.nn.functional.one_hot(self.goal, self.config.N).bool().unsqueeze(1)
        is_closest = torch.nn.functional.one_hot(closest, self.config.N).bool().unsqueeze(-1)
        dist = torch.where(goal_col & ~is_closest, torch.full_like(dist, 1e6), dist)
        dist = torch.where(goal_col & is_closest, torch.full_like(dist, -1.0), dist)
        target = pick(landmarks, greedy_assignment(dist))
        centroid = good_pos.mean(1, keepdim=True)
        guess = (landmarks - centroid).norm(dim=-1).argmin(-1)
        adv_target = pick(landmarks, guess.view(-1, 1))
        return {"adversary": pd_direction(adv_target - pos[:, self.adv], vel[:, self.adv]),
                "agent": pd_direction(target - good_pos, vel[:, self.good])}
