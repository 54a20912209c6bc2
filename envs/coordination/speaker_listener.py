"""# speaker_listener (``coordination/speaker_listener-v0``)

A faithful, batched port of MPE's ``simple_speaker_listener_v4``: a speaker that cannot move
sees which of three landmarks is the goal and must tell a listener, who cannot see it, where to
go. The only way the goal reaches the listener is the message channel.

| | |
|---|---|
| teams | ``speaker``: ``speaker_0`` (immobile, speaks); ``listener``: ``listener_0``
  (moves, silent) |
| actions | speaker ``Discrete(dim)`` (a token) or ``Box(0, 1, (dim,))``; listener
  ``Discrete(5)`` or ``Box(0, 1, (5,))`` (MPE's format) |
| observation | speaker ``[goal_color(3)]``; listener ``[self_vel(2), landmark_rel_pos(6),
  message(dim)]`` (3 and 11 with MPE's ``dim = 3``) |
| state | concatenation of both observations (MPE2's ``state()``), 14 |
| episode | ``max_cycles`` steps (truncation), never terminated |

**Reward** (both agents): ``-|p_listener - p_goal|^2``.

**Channel**: ``channel.dim = 0`` means MPE's 3 tokens; range, drop, delay, noise and cost as in
``arena.sim.channel`` (``channel: {drop_prob: 1.0}`` cuts it: the communication-free control).

**Metrics** at episode end: ``success`` (the listener within 0.1 of the goal), ``goal_dist``.

**Scripted policy**: the speaker says the goal's index; the listener goes to the landmark of the
loudest token with a PD controller.

Version history: v0: initial port of MPE2 ``simple_speaker_listener_v4``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from arena.core.scenario import ByTeam, Scenario
from arena.sim.channel import ChannelConfig
from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec
from envs.common import pd_direction, pick, relative

LANDMARK_COLORS = ((0.65, 0.15, 0.15), (0.15, 0.65, 0.15), (0.15, 0.15, 0.65))
SUCCESS_RADIUS = 0.1


@dataclass
class SpeakerListenerConfig:
    """Arguments of speaker_listener (MPE's names and defaults)."""

    max_cycles: int = 25
    """Episode length in steps."""
    continuous_actions: bool = False
    """``Box(0, 1)`` actions (moves and messages) instead of discrete ones."""
    channel: ChannelConfig = field(default_factory=ChannelConfig)
    """The message channel; ``dim = 0``: MPE's 3 tokens."""

    def validate(self) -> None:
        if self.max_cycles < 1:
            raise ValueError(f"max_cycles must be >= 1, got {self.max_cycles}")


class SpeakerListener(Scenario):
    """MPE simple_speaker_listener on the batched simulator, with its channel."""

    config_cls = SpeakerListenerConfig
    family = "coordination"
    continuous_format = "mpe"
    config: SpeakerListenerConfig

    def make_world(self) -> WorldSpec:
        channel = self.config.channel.sized(3)
        agents = [
            EntitySpec("speaker_0", "agent", "speaker", radius=0.075, collide=False,
                       movable=False, color=(0.25, 0.25, 0.25)),
            EntitySpec("listener_0", "agent", "listener", radius=0.075, collide=False,
                       movable=True, silent=True, color=(0.25, 0.25, 0.25)),
        ]
        landmarks = [EntitySpec(f"landmark_{i}", "landmark", radius=0.04, collide=False,
                                color=LANDMARK_COLORS[i]) for i in range(3)]
        return WorldSpec(agents + landmarks, PhysicsConfig(integrator="mpe"), channel)

    def init_state(self, world: World) -> None:
        self.goal = torch.zeros(world.num_envs, dtype=torch.long, device=world.device)
        self.colors = torch.tensor(LANDMARK_COLORS, dtype=world.dtype, device=world.device)

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        goal = torch.randint(0, 3, (world.num_envs,), generator=generator, device=world.device)
        self.goal = torch.where(mask, goal, self.goal)
        shape = (world.num_envs, world.num_entities, 2)
        world.set_where(mask, world.uniform(-1.0, 1.0, shape, generator), slice(None))

    def _goal_pos(self, world: World) -> torch.Tensor:
        """The goal landmark's position, ``(B, 2)``."""
        return pick(world.pos[:, 2:5], self.goal.view(-1, 1))[:, 0]

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        if team == "speaker":
            return [("goal", 1, 3)]
        return [("self", 1, 2), ("landmark", 3, 2), ("message", 1, self._dim())]

    def _dim(self) -> int:
        return self.config.channel.sized(3).dim

    def observation(self, world: World) -> ByTeam:
        assert world.channel is not None
        listener = world.agent_pos[:, 1:2]
        landmark_rel = relative(world.pos[:, 2:5], listener).flatten(2)  # (B, 1, 6)
        heard = world.channel.inbox[:, 1:2, 0]  # (B, 1, dim): the listener, from the speaker
        return {"speaker": self.colors[self.goal].unsqueeze(1),
                "listener": torch.cat([world.agent_vel[:, 1:2], landmark_rel, heard], -1)}

    def _goal_dist(self, world: World) -> torch.Tensor:
        return (world.agent_pos[:, 1] - self._goal_pos(world)).norm(dim=-1)

    def reward(self, world: World) -> ByTeam:
        dist2 = (world.agent_pos[:, 1] - self._goal_pos(world)).square().sum(-1, keepdim=True)
        return {"speaker": -dist2, "listener": -dist2}

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        dist = self._goal_dist(world)
        return {"success": (dist < SUCCESS_RADIUS).to(dist.dtype), "goal_dist": dist}

    def task_outcome(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """The listener ends within 0.1 of the goal."""
        return self._goal_dist(world) < SUCCESS_RADIUS

    def scripted(self, world: World) -> ByTeam:
        assert world.channel is not None
        dim = self._dim()
        heard = world.channel.inbox[:, 1, 0]  # (B, dim)
        said = heard[:, :3].argmax(-1)
        target = pick(world.pos[:, 2:5], said.view(-1, 1))
        move = self.direction_to_action(pd_direction(target - world.agent_pos[:, 1:2],
                                                     world.agent_vel[:, 1:2]))
        if self.continuous_actions:
            token = torch.nn.functional.one_hot(self.goal, dim).float().unsqueeze(1)
        else:
            token = (self.goal + int(self.config.channel.silence)).unsqueeze(1)
        return {"speaker": token, "listener": move}
