"""# hidden_goal (``navigation/hidden_goal-v0``)

``navigation`` where each agent sees its goal only during the first ``goal_visible_steps``
steps of the episode: afterwards the goal part of its observation is zero. An agent that does
not remember where its goal was can only wander; the task needs memory (a recurrent policy).
Everything else (obstacles, rewards, success, metrics) is ``navigation``'s.

| | |
|---|---|
| teams | ``agent``: ``agent_0 .. agent_{N-1}`` |
| actions | ``Discrete(5)`` ``[no_op, -x, +x, -y, +y]``, or ``Box(-1, 1, (2,))`` (force) |
| observation | ``[self_vel(2), self_pos(2), goal_rel_pos(2), at_goal(1), goal_visible(1)]``
  (``goal_rel_pos`` is zero once ``goal_visible`` is 0), then the nearest obstacles
  ``[rel_pos(2), radius(1)]`` and agents ``[rel_pos(2), rel_vel(2)]`` as in ``navigation`` |
| state | ``navigation``'s (it holds the goals: a centralized critic sees them) |
| episode | ends (terminated) when all agents are within ``goal_radius`` of their goals, else
  truncated after ``max_steps`` |

**Reward**, **metrics** (``success``, ``at_goal_fraction``, ``collisions``): as ``navigation``.

**Arguments**: ``HiddenGoalConfig`` (``navigation``'s plus ``goal_visible_steps``; fewer
agents and obstacles by default).

**Heuristic**: ``navigation``'s potential field toward the remembered goal (the scripted policy
reads the true goal, i.e. it has perfect memory).

Version history: v0: initial version.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from arena.core.scenario import ByTeam
from arena.sim.world import World
from envs.navigation.navigation import Navigation, NavigationConfig


@dataclass
class HiddenGoalConfig(NavigationConfig):
    """Arguments of hidden_goal (``navigation``'s, with other defaults)."""

    num_agents: int = 2
    """Number of agents, each with its own goal."""
    num_obstacles: int = 2
    """Number of static circular obstacles."""
    max_steps: int = 50
    """Episode length limit."""
    goal_visible_steps: int = 2
    """Steps at the start of an episode during which agents see their goals (at least 1)."""

    def validate(self) -> None:
        super().validate()
        if self.goal_visible_steps < 1:
            raise ValueError(f"goal_visible_steps must be >= 1, got {self.goal_visible_steps}")


class HiddenGoal(Navigation):
    """Navigation with goals visible only at the start of each episode (needs memory)."""

    config_cls = HiddenGoalConfig
    config: HiddenGoalConfig

    def init_state(self, world: World) -> None:
        super().init_state(world)
        self.steps = torch.zeros(world.num_envs, dtype=torch.long, device=world.device)

    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        super().reset_world(world, mask, generator)
        self.steps = self.steps.masked_fill(mask, 0)

    def post_step(self, world: World) -> None:
        super().post_step(world)
        self.steps = self.steps + 1

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        return [("self", 1, 8), *super().obs_layout(team)[1:]]

    def observation(self, world: World) -> ByTeam:
        obs = super().observation(world)["agent"]
        visible = (self.steps < self.config.goal_visible_steps).to(obs.dtype)
        visible = visible.view(-1, 1, 1).expand(*obs.shape[:2], 1)
        goal = obs[..., 4:6] * visible
        return {"agent": torch.cat([obs[..., :4], goal, obs[..., 6:7], visible, obs[..., 7:]],
                                   dim=-1)}
