"""# scouts (``navigation/scouts-v0``)

Navigation that needs communication, for any number of agents: ``num_agents`` agents must all
gather at one goal among ``num_landmarks`` landmarks, but only the first ``num_scouts`` agents
(the scouts) see which landmark it is. The others see the landmarks, not the goal, and not each
other: what they learn of the goal comes through the message channel. With a limited
``channel.range``, the news travels by relay.

| | |
|---|---|
| teams | ``agent``: ``agent_0 .. agent_{N-1}`` (scouts first); all move and speak |
| actions | ``Discrete(5 * tokens)`` (move ``a % 5``, token ``a // 5``) or
  ``Box(0, 1, (5 + dim,))`` (MPE's format) |
| observation | ``[self_vel(2), self_pos(2), landmark_rel_pos(2L), goal_rel_pos(2) (zeros for
  the others), is_scout(1), messages((N - 1) * dim)]`` (the others' messages in agent order) |
| state | agent positions and velocities, landmark positions, the goal (one-hot) |
| episode | ``max_cycles`` steps (truncation), never terminated |

**Reward**: ``-(1 - local_ratio) * mean_j |p_j - p_goal| - local_ratio * |p_i - p_goal|``.

**Channel**: ``channel.dim = 0`` means ``num_landmarks`` tokens; range, drop, delay, noise,
cost and silence as in ``arena.sim.channel``. ``channel: {drop_prob: 1.0}`` is the
communication-free control.

**Metrics** at episode end: ``success`` (every agent within ``goal_radius`` of the goal),
``reached_fraction``, ``goal_dist`` (mean).

**Scripted policy**: scouts say the goal's token; every other agent goes to the landmark it
hears most from the scouts (or, failing that, from the others) and repeats it, so that the
news is relayed; an agent that heard nothing waits at the centre.

Version history: v0: initial version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from arena.core.scenario import NUM_MOVES, ByTeam, Scenario
from arena.sim.channel import ChannelConfig, others
from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec
from envs.common import others_index, pd_direction, pick, relative


@dataclass
class ScoutsConfig:
    """Arguments of scouts."""

    num_agents: int = 6
    """Agents in all, scouts included."""
    num_scouts: int = 2
    """Agents that see the goal (the first ones)."""
    num_landmarks: int = 4
    """Candidate goals."""
    local_ratio: float = 0.5
    """Weight of an agent's own distance in its reward; the team mean gets ``1 - local_ratio``
    (MPE's convention). Messages pay off only through the team mean."""
    goal_radius: float = 0.15
    """An agent within this distance of the goal has reached it."""
    max_cycles: int = 25
    """Episode length in steps."""
    continuous_actions: bool = False
    """``Box(0, 1)`` actions (moves and messages) instead of discrete ones."""
    channel: ChannelConfig = field(default_factory=ChannelConfig)
    """The message channel; ``dim = 0``: one token per landmark."""
    talk: bool = True
    """``False``: no channel at all (moves only, the message part of the observation is
    zeros): the baseline of the channel's speed cost."""

    def validate(self) -> None:
        if not 1 <= self.num_scouts <= self.num_agents:
            raise ValueError("need 1 <= num_scouts <= num_agents, got "
                             f"{self.num_scouts} and {self.num_agents}")
        if self.num_agents < 2 or self.num_landmarks < 2:
            raise ValueError("need at least 2 agents and 2 landmarks")
        if not 0.0 <= self.local_ratio <= 1.0:
            raise ValueError(f"local_ratio must be in [0, 1], got {self.local_ratio}")
        if self.goal_radius <= 0 or self.max_cycles < 1:
            raise ValueError("goal_radius and max_cycles must be positive")


class Scouts(Scenario):
    """A few scouts see the goal; the rest must be told."""

    config_cls = ScoutsConfig
    family = "navigation"
    continuous_format = "mpe"
    config: ScoutsConfig

    def _dim(self) -> int:
        return self.config.channel.sized(self.config.num_landmarks).dim

    def make_world(self) -> WorldSpec:
        cfg = self.config
        channel = cfg.channel.sized(cfg.num_landmarks)
        agents = [EntitySpec(f"agent_{i}", "agent", "agent", radius=0.05, collide=False,
                             movable=True, color=(0.85, 0.55, 0.15) if i < cfg.num_scouts
                             else (0.35, 0.35, 0.85)) for i in range(cfg.num_agents)]
        landmarks = [EntitySpec(f"landmark_{i}", "landmark", radius=0.05, collide=False,
                                color=(0.25, 0.25, 0.25)) for i in range(cfg.num_landmarks)]
        return WorldSpec(agents + landmarks, PhysicsConfig(integrator="mpe"),
                         channel if cfg.talk else None)

    def init_state(self, world: World) -> None:
        cfg = self.config
        self.goal = torch.zeros(world.num_envs, dtype=torch.long, device=world.device)
        self.landmarks = slice(cfg.num_agents, cfg.num_agents + cfg.num_landmarks)
        self.others = others_index(cfg.num_agents, world.device)
        self.scout = (torch.arange(cfg.num_agents, device=world.device)
                      < cfg.num_scouts).to(world.dtype)

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        goal = torch.randint(0, self.config.num_landmarks, (world.num_envs,),
                             generator=generator, device=world.device)
        self.goal = torch.where(mask, goal, self.goal)
        shape = (world.num_envs, world.num_entities, 2)
        world.set_where(mask, world.uniform(-1.0, 1.0, shape, generator), slice(None))

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        cfg = self.config
        return [("self", 1, 4), ("landmark", cfg.num_landmarks, 2), ("goal", 1, 3),
                ("message", cfg.num_agents - 1, self._dim())]

    def _goal_hot(self, world: World) -> torch.Tensor:
        return torch.nn.functional.one_hot(self.goal, self.config.num_landmarks).to(world.dtype)

    def _inbox(self, world: World) -> torch.Tensor:
        """``(B, N, N, dim)`` messages heard (zeros without a channel)."""
        if world.channel is not None:
            return world.channel.inbox
        n = self.config.num_agents
        return world.pos.new_zeros(world.num_envs, n, n, self._dim())

    def observation(self, world: World) -> ByTeam:
        pos, n = world.agent_pos, self.config.num_agents
        landmark_rel = relative(world.pos[:, self.landmarks], pos).flatten(2)
        seen = (self._goal_pos(world) - pos) * self.scout.view(1, n, 1)
        flag = self.scout.view(1, n, 1).expand(world.num_envs, n, 1)
        heard = others(self._inbox(world), self.others)
        return {"agent": torch.cat([world.agent_vel, pos, landmark_rel, seen, flag, heard], -1)}

    def global_state(self, world: World, obs: ByTeam) -> torch.Tensor:
        agents = torch.cat([world.agent_pos, world.agent_vel], -1).flatten(1)
        return torch.cat([agents, world.pos[:, self.landmarks].flatten(1),
                          self._goal_hot(world)], -1)

    def _goal_pos(self, world: World) -> torch.Tensor:
        """The goal landmark's position, ``(B, 1, 2)``."""
        return pick(world.pos[:, self.landmarks], self.goal.view(-1, 1))

    def _goal_dist(self, world: World) -> torch.Tensor:
        """Each agent's distance to the goal, ``(B, N)``."""
        return (world.agent_pos - self._goal_pos(world)).norm(dim=-1)

    def reward(self, world: World) -> ByTeam:
        dist = self._goal_dist(world)
        ratio = self.config.local_ratio
        return {"agent": -(1.0 - ratio) * dist.mean(-1, keepdim=True) - ratio * dist}

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        dist = self._goal_dist(world)
        reached = (dist < self.config.goal_radius).to(dist.dtype)
        return {"success": reached.prod(-1), "reached_fraction": reached.mean(-1),
                "goal_dist": dist.mean(-1)}

    def task_outcome(self, world: World, team: str, honest: torch.Tensor) -> torch.Tensor:
        """Every honest agent ends within ``goal_radius`` of the goal."""
        reached = self._goal_dist(world) < self.config.goal_radius
        return (reached | ~honest).all(-1)

    def _belief(self, world: World) -> tuple[torch.Tensor, torch.Tensor]:
        """The scripted agents' goal guess ``(B, N)`` and whether they have one ``(B, N)``:
        scouts know it; the others take the landmark heard most from scouts, else from
        anyone (relays)."""
        inbox = self._inbox(world)[..., : self.config.num_landmarks]  # (B, i, j, L)
        from_scouts = (inbox * self.scout.view(1, 1, -1, 1)).sum(2)
        votes = torch.where(from_scouts.sum(-1, keepdim=True) > 0, from_scouts, inbox.sum(2))
        known = (votes.sum(-1) > 0) | (self.scout > 0)
        guess = torch.where(self.scout > 0, self.goal.unsqueeze(-1), votes.argmax(-1))
        return guess, known

    def scripted(self, world: World) -> ByTeam:
        guess, known = self._belief(world)
        target = pick(world.pos[:, self.landmarks], guess)
        target = target * known.unsqueeze(-1)  # no news: wait at the centre
        move = self.direction_to_action(pd_direction(target - world.agent_pos,
                                                     world.agent_vel))
        silence = int(self.config.channel.silence)
        if not self.config.talk:
            return {"agent": move}
        if not self.continuous_actions:
            token = torch.where(known | (silence == 0), guess + silence, 0)
            return {"agent": move + NUM_MOVES * token}
        said = torch.nn.functional.one_hot(guess, self._dim()).to(move.dtype)
        return {"agent": torch.cat([move, said * known.unsqueeze(-1)], -1)}
