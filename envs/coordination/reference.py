"""# reference (``coordination/reference-v0``)

A faithful, batched port of MPE's ``simple_reference_v3``: two agents, three landmarks. Each
agent knows the landmark the *other* agent must reach, and only the other agent's message can
tell it where it must go itself: both speak and listen at once.

| | |
|---|---|
| teams | ``agent``: ``agent_0``, ``agent_1`` (both move and speak) |
| actions | ``Discrete(5 * dim)`` (move ``a % 5``, token ``a // 5``: MPE's 50 with
  ``dim = 10``) or ``Box(0, 1, (5 + dim,))`` |
| observation | ``[self_vel(2), landmark_rel_pos(6), seen_goal_color(3), message(dim)]``,
  21 |
| state | concatenation of both observations (MPE2's ``state()``), 42 |
| episode | ``max_cycles`` steps (truncation), never terminated |

**Reward**: agent ``i``'s own term is ``-|p_other - p_goal_i|`` (the distance of the other
agent to the landmark that ``i`` sees); the reward is ``(1 - local_ratio) * mean + local_ratio
* own``.

**Channel**: ``channel.dim = 0`` means MPE's 10 tokens; range, drop, delay, noise and cost as in
``arena.sim.channel``.

**Metrics** at episode end: ``success`` (both agents within 0.1 of their goals),
``goal_dist`` (their mean distance).

**Scripted policy**: each agent says the index of the landmark it sees, and goes to the
landmark of the token it hears.

Version history: v0: initial port of MPE2 ``simple_reference_v3``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from arena.core.scenario import NUM_MOVES, ByTeam, Scenario
from arena.sim.channel import ChannelConfig
from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec
from envs.common import pd_direction, pick, relative

LANDMARK_COLORS = ((0.75, 0.25, 0.25), (0.25, 0.75, 0.25), (0.25, 0.25, 0.75))
SUCCESS_RADIUS = 0.1


@dataclass
class ReferenceConfig:
    """Arguments of reference (MPE's names and defaults)."""

    local_ratio: float = 0.5
    """Weight of an agent's own term; the team mean gets ``1 - local_ratio``."""
    max_cycles: int = 25
    """Episode length in steps."""
    continuous_actions: bool = False
    """``Box(0, 1)`` actions (moves and messages) instead of discrete ones."""
    channel: ChannelConfig = field(default_factory=ChannelConfig)
    """The message channel; ``dim = 0``: MPE's 10 tokens."""

    def validate(self) -> None:
        if not 0.0 <= self.local_ratio <= 1.0:
            raise ValueError(f"local_ratio must be in [0, 1], got {self.local_ratio}")
        if self.max_cycles < 1:
            raise ValueError(f"max_cycles must be >= 1, got {self.max_cycles}")


class Reference(Scenario):
    """MPE simple_reference on the batched simulator, with its channel."""

    config_cls = ReferenceConfig
    family = "coordination"
    continuous_format = "mpe"
    config: ReferenceConfig

    def _dim(self) -> int:
        return self.config.channel.sized(10).dim

    def make_world(self) -> WorldSpec:
        channel = self.config.channel.sized(10)
        agents = [EntitySpec(f"agent_{i}", "agent", "agent", radius=0.05, collide=False,
                             movable=True, color=(0.25, 0.25, 0.25)) for i in range(2)]
        landmarks = [EntitySpec(f"landmark_{i}", "landmark", radius=0.05, collide=False,
                                color=LANDMARK_COLORS[i]) for i in range(3)]
        return WorldSpec(agents + landmarks, PhysicsConfig(integrator="mpe"), channel)

    def init_state(self, world: World) -> None:
        self.goal = torch.zeros(world.num_envs, 2, dtype=torch.long, device=world.device)
        """``goal[:, i]``: the landmark that agent ``i`` sees (the other agent's goal)."""
        self.colors = torch.tensor(LANDMARK_COLORS, dtype=world.dtype, device=world.device)

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        goal = torch.randint(0, 3, (world.num_envs, 2), generator=generator,
                             device=world.device)
        self.goal = torch.where(mask.unsqueeze(-1), goal, self.goal)
        shape = (world.num_envs, world.num_entities, 2)
        world.set_where(mask, world.uniform(-1.0, 1.0, shape, generator), slice(None))

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        return [("self", 1, 2), ("landmark", 3, 2), ("goal", 1, 3), ("message", 1, self._dim())]

    def observation(self, world: World) -> ByTeam:
        assert world.channel is not None
        pos = world.agent_pos
        landmark_rel = relative(world.pos[:, 2:5], pos).flatten(2)  # (B, 2, 6)
        heard = world.channel.inbox[:, [0, 1], [1, 0]]  # (B, 2, dim): from the other agent
        return {"agent": torch.cat([world.agent_vel, landmark_rel, self.colors[self.goal],
                                    heard], -1)}

    def _own_terms(self, world: World) -> torch.Tensor:
        """``|p_other - p_goal_i|`` for each agent ``i``, ``(B, 2)``."""
        seen = pick(world.pos[:, 2:5], self.goal)
        return (world.agent_pos.flip(1) - seen).norm(dim=-1)

    def reward(self, world: World) -> ByTeam:
        own = -self._own_terms(world)
        ratio = self.config.local_ratio
        return {"agent": own.mean(-1, keepdim=True) * (1.0 - ratio) + own * ratio}

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        dist = self._own_terms(world)
        return {"success": (dist < SUCCESS_RADIUS).all(-1).to(dist.dtype),
                "goal_dist": dist.mean(-1)}

    def task_outcome(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """Every honest agent ends within 0.1 of its goal (the landmark the other sees)."""
        reached = self._own_terms(world).flip(1) < SUCCESS_RADIUS  # (B, 2): agent i's own goal
        return (reached | ~honest).all(-1)

    def scripted(self, world: World) -> ByTeam:
        assert world.channel is not None
        heard = world.channel.inbox[:, [0, 1], [1, 0], :3].argmax(-1)  # (B, 2)
        target = pick(world.pos[:, 2:5], heard)
        direction = pd_direction(target - world.agent_pos, world.agent_vel)
        move = self.direction_to_action(direction)
        token = self.goal + int(self.config.channel.silence)
        if not self.continuous_actions:
            return {"agent": move + NUM_MOVES * token}
        said = torch.nn.functional.one_hot(self.goal, self._dim()).to(move.dtype)
        return {"agent": torch.cat([move, said], -1)}
