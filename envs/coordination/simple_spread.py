"""# simple_spread (``coordination/simple_spread-v0``)

A faithful, batched port of MPE's ``simple_spread_v3``: N agents must cover N landmarks while
avoiding collisions with each other.

| | |
|---|---|
| teams | ``agent``: ``agent_0 .. agent_{N-1}`` |
| actions | ``Discrete(5)`` ``[no_op, -x, +x, -y, +y]``, or ``Box(0, 1, (5,))`` (MPE's format) |
| observation | ``[self_vel(2), self_pos(2), landmark_rel_pos(2N), other_agent_rel_pos(2(N-1)),
  comm(2(N-1)) = 0]``, 18 for N=3 |
| state | concatenation of all observations (MPE2's ``state()``), 54 for N=3 |
| episode | ``max_cycles`` steps (truncation), never terminated |

**Reward** (every agent): ``(1 - local_ratio) * global + local_ratio * local`` with
``global = -sum_l min_a |p_a - p_l|`` and ``local = -(number of other agents overlapping it)``.

**Metrics** at episode end: ``coverage`` (fraction of landmarks with an agent within 0.1, MPE's
``occupied_landmarks``), ``min_dist_sum`` and ``collisions`` (overlapping pairs, last step).

**Attacks** (takeover): the task outcome is that the honest agents cover their share, as many
landmarks within 0.1 of an honest agent as there are honest agents; ``honest_reward`` rewards
that share (the ``n`` nearest landmarks' distances to the honest agents, for ``n`` honest).

**Arguments**: ``N=3``, ``local_ratio=0.5``, ``max_cycles=25``, ``continuous_actions=False``
(MPE's defaults). Physics: MPE's (agents radius 0.15, accel 5, no speed limit), with MPE2's
integration order.

**Heuristic**: greedy agent-to-landmark assignment, then a PD controller to the landmark.

Version history: v0: initial port of MPE2 ``simple_spread_v3``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from arena.core.scenario import ByTeam, Scenario
from arena.sim.features import LinearFeatures, Pos, Rel, Term, Vel, Zeros
from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec
from envs.common import greedy_assignment, others_index, pd_direction, pick, relative

OCCUPY_RADIUS = 0.1


@dataclass
class SimpleSpreadConfig:
    """Arguments of simple_spread (MPE's names and defaults)."""

    N: int = 3
    """Number of agents and of landmarks."""
    local_ratio: float = 0.5
    """Weight of the local (collision) reward; the global reward gets ``1 - local_ratio``."""
    max_cycles: int = 25
    """Episode length in steps."""
    continuous_actions: bool = False
    """``Box(0, 1, (5,))`` actions instead of ``Discrete(5)``."""

    def validate(self) -> None:
        if self.N < 1:
            raise ValueError(f"N must be >= 1, got {self.N}")
        if not 0.0 <= self.local_ratio <= 1.0:
            raise ValueError(f"local_ratio must be in [0, 1], got {self.local_ratio}")
        if self.max_cycles < 1:
            raise ValueError(f"max_cycles must be >= 1, got {self.max_cycles}")


class SimpleSpread(Scenario):
    """MPE simple_spread on the batched simulator."""

    config_cls = SimpleSpreadConfig
    family = "coordination"
    continuous_format = "mpe"
    config: SimpleSpreadConfig

    def make_world(self) -> WorldSpec:
        n = self.config.N
        agents = [
            EntitySpec(f"agent_{i}", "agent", "agent", radius=0.15, movable=True,
                       color=(0.35, 0.35, 0.85))
            for i in range(n)
        ]
        landmarks = [
            EntitySpec(f"landmark_{i}", "landmark", radius=0.05, collide=False,
                       color=(0.25, 0.25, 0.25))
            for i in range(n)
        ]
        return WorldSpec(agents + landmarks, PhysicsConfig(integrator="mpe"))

    def init_state(self, world: World) -> None:
        n = self.config.N
        self.landmarks = slice(n, 2 * n)
        self.others = others_index(n, world.device)
        # [self_vel, self_pos, landmark_rel, other_rel, comm]; agents are silent, so MPE's
        # communication slots are always zero
        others = self.others.tolist()
        rows: list[list[Term]] = [
            [Vel(i), Pos(i), *[Rel(n + k, i) for k in range(n)],
             *[Rel(o, i) for o in others[i]], Zeros(2 * (n - 1))]
            for i in range(n)
        ]
        self.features = LinearFeatures(rows, world.num_entities, world.device, world.dtype)

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        shape = (world.num_envs, world.num_entities, 2)
        world.set_where(mask, world.uniform(-1.0, 1.0, shape, generator), slice(None))

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        n = self.config.N
        return [("self", 1, 4), ("landmark", n, 2), ("agent", n - 1, 2), ("comm", n - 1, 2)]

    def observation(self, world: World) -> ByTeam:
        return {"agent": self.features(world.pos, world.vel)}

    def _collisions(self, world: World) -> torch.Tensor:
        """Number of other agents overlapping each agent, shape ``(N, B)``."""
        agents = slice(0, self.config.N)
        overlap = world.distance_table(agents, agents) < 2 * 0.15  # (N, N, B)
        return (overlap.sum(1) - 1).to(world.dtype)  # an agent overlaps itself

    def _honest_min_dist(self, world: World, honest: torch.Tensor) -> torch.Tensor:
        """Distance from each landmark to its closest ``honest`` agent, shape ``(B, L)``."""
        dist = world.distances(self.landmarks, slice(0, self.config.N))  # (B, L, N)
        return dist.masked_fill(~honest.unsqueeze(1), float("inf")).amin(-1)

    def _landmark_min_dist(self, world: World) -> torch.Tensor:
        """Distance from each landmark to its closest agent, shape ``(L, B)``."""
        return world.distance_table(self.landmarks, slice(0, self.config.N)).amin(1)

    def reward(self, world: World) -> ByTeam:
        ratio = self.config.local_ratio
        global_rew = -self._landmark_min_dist(world).sum(0)
        local_rew = -self._collisions(world)
        return {"agent": (global_rew * (1.0 - ratio) + local_rew * ratio).t()}

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        min_dist = self._landmark_min_dist(world)
        return {
            "coverage": (min_dist < OCCUPY_RADIUS).float().mean(0),
            "min_dist_sum": min_dist.sum(0),
            "collisions": self._collisions(world).sum(0) / 2,
        }

    def task_outcome(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """The honest agents cover their share: at least as many landmarks occupied by an
        honest agent (within 0.1, MPE's ``occupied_landmarks``) as there are honest agents."""
        covered = (self._honest_min_dist(world, honest) < OCCUPY_RADIUS).sum(-1)
        return covered >= honest.sum(-1)

    def honest_reward(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """The reward without the taken-over agents (``robust.honest_reward``): the global term
        covers only the honest agents' share, minus the sum of the ``n`` smallest distances from
        a landmark to its closest honest agent, for ``n`` honest agents (all ``N`` landmarks
        when every agent is honest, as in :meth:`reward`); the local collision term is
        unchanged. The shared reward would instead ask two honest agents to cover three
        landmarks, which can pay an agent for parking between two of them."""
        nearest = self._honest_min_dist(world, honest).sort(-1).values  # (B, L)
        share = torch.arange(nearest.shape[1], device=nearest.device) < honest.sum(-1, keepdim=True)
        global_rew = -nearest.masked_fill(~share, 0.0).sum(-1)  # (B,)
        ratio = self.config.local_ratio
        local_rew = -self._collisions(world).t()  # (B, N)
        return global_rew.unsqueeze(-1) * (1.0 - ratio) + local_rew * ratio

    def scripted_direction(self, world: World) -> ByTeam:
        pos = world.agent_pos
        targets = world.pos[:, self.landmarks]
        assign = greedy_assignment(relative(targets, pos).norm(dim=-1))  # (B, N)
        goal = pick(targets, assign)
        return {"agent": pd_direction(goal - pos, world.agent_vel)}
