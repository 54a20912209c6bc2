"""The scenario interface: one file per scenario implements this on top of ``arena.sim.World``.

A scenario declares its entities (``make_world``), samples initial states for the envs in a mask
(``reset_world``), and computes observations, rewards, terminations and episode metrics for all
envs and all agents of a team at once. The batched env (``arena.core.vec_env.VecEnv``) owns the
loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import gymnasium
import numpy as np
import torch

from arena.sim.world import World, WorldSpec

ByTeam = dict[str, torch.Tensor]
"""One tensor per team, batched over envs first: observations, rewards or actions."""

# Discrete moves, MPE's order: no-op, -x, +x, -y, +y.
MOVES = ((0.0, 0.0), (-1.0, 0.0), (1.0, 0.0), (0.0, -1.0), (0.0, 1.0))
NUM_MOVES = len(MOVES)


class Scenario(ABC):
    """Base class of all scenarios; ``config`` is the scenario's own config dataclass.

    Subclasses set ``config_cls`` and ``family``, and may set ``continuous_format``:
    ``"force"`` (``Box(-1, 1, (2,))``, a force direction) or ``"mpe"`` (MPE's
    ``Box(0, 1, (5,))``: ``[no_op, -x, +x, -y, +y]``).
    """

    config_cls: ClassVar[type]
    family: ClassVar[str] = "misc"
    continuous_format: ClassVar[str] = "force"
    binary_metrics: ClassVar[tuple[str, ...]] = ("success", "attack_success", "task_success")
    """Metrics that are 0/1 outcomes per episode: reported as rates with Wilson intervals."""
    physics: ClassVar[bool] = True
    """Actions are moves (forces) that the simulator applies. A scenario without physics (a
    board game) sets ``False``, declares its own ``action_space`` and implements
    ``apply_actions``."""
    turn_based: ClassVar[bool] = False
    """Agents act in turn: ``world.active`` marks the agent to move in each env (the others'
    actions are ignored), and rewards that reach an agent between its turns belong to its last
    decision."""

    def __init__(self, config: Any) -> None:
        self.config = config

    # ----------------------------------------------------------- structure
    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        """The flat observation of ``team`` as entity tokens, in order: ``(kind, count,
        features)`` segments (e.g. ``[("self", 1, 4), ("landmark", 3, 2)]``). Attention
        backbones embed each token by its kind, so a policy runs with other counts. The default
        is one token holding the whole observation."""
        return [("obs", 1, -1)]

    @property
    def continuous_actions(self) -> bool:
        """Whether agents take continuous (force) actions instead of the 5 discrete moves."""
        return bool(getattr(self.config, "continuous_actions", False))

    @property
    def max_steps(self) -> int:
        """Episode length after which envs are truncated."""
        cfg = self.config
        return int(getattr(cfg, "max_cycles", None) or cfg.max_steps)

    @abstractmethod
    def make_world(self) -> WorldSpec:
        """Entities (agents first, grouped by team) and physics constants."""

    def init_state(self, world: World) -> None:  # noqa: B027 - optional hook
        """Allocate per-env scenario tensors (goals, flags, counters) for ``world.num_envs``."""

    def action_space(self, team: str) -> gymnasium.Space:
        """Action space of one agent of ``team``."""
        if not self.continuous_actions:
            return gymnasium.spaces.Discrete(NUM_MOVES)
        if self.continuous_format == "mpe":
            return gymnasium.spaces.Box(0.0, 1.0, (NUM_MOVES,), np.float32)
        return gymnasium.spaces.Box(-1.0, 1.0, (2,), np.float32)

    # ------------------------------------------------------------- dynamics
    @abstractmethod
    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        """Sample initial states of the envs where ``mask`` (shape ``(num_envs,)``) is true."""

    def apply_actions(self, world: World, actions: ByTeam) -> None:
        """Scenarios without physics: change the state by the actions ``{team: (num_envs,
        N_team)}`` (called instead of the physics step)."""
        raise NotImplementedError(f"{type(self).__name__} sets physics = False but defines "
                                  "no apply_actions")

    def action_mask(self, world: World) -> ByTeam | None:
        """Legal discrete actions, ``{team: bool (num_envs, N_team, n_actions)}``, or ``None``
        (every action is legal: the default). Policies never pick a masked action."""
        return None

    def post_step(self, world: World) -> None:  # noqa: B027 - optional hook
        """Update scenario state after physics, once per step, before observations and rewards
        (tags, goals reached, collision counters): shared quantities live here."""

    @abstractmethod
    def observation(self, world: World) -> ByTeam:
        """Observations by team, each of shape ``(num_envs, num_team_agents, obs_dim)``."""

    @abstractmethod
    def reward(self, world: World) -> ByTeam:
        """Rewards by team, each of shape ``(num_envs, num_team_agents)``."""

    def terminated(self, world: World) -> torch.Tensor:
        """Episode ended by the task itself, shape ``(num_envs,)`` bool."""
        return torch.zeros(world.num_envs, dtype=torch.bool, device=world.device)

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        """Scenario metrics at the current step, each of shape ``(num_envs,)``; the env reports
        them in ``info["metrics"]`` for episodes that end on this step."""
        return {}

    def task_outcome(self, world: World, team: str, honest: torch.Tensor
                     ) -> torch.Tensor | None:
        """The task outcome of the honest agents of ``team`` at an episode's end: bool
        ``(num_envs,)``, whether the agents that ``honest`` ``(num_envs, N_team)`` marks (those
        not taken over by an attacker) achieved their task. ``None`` (the default): the scenario
        declares no outcome, and attack evaluations fall back to a return-drop threshold."""
        return None

    def honest_reward(self, world: World, team: str, honest: torch.Tensor
                      ) -> torch.Tensor | None:
        """The reward of ``team`` with the agents not ``honest`` ``(num_envs, N_team)`` left out
        of it, ``(num_envs, N_team)``, for scenarios whose reward counts every agent of the team
        (a shared reward over all agents' positions, say), so that an attacker inside the team
        would also shape its teammates' reward. Used only where a run asks for it
        (``robust.honest_reward``, ``attack.objective: honest_return``). ``None`` (the
        default): not declared."""
        return None

    def saboteur_direction(self, world: World, team: str, honest: torch.Tensor
                           ) -> torch.Tensor:
        """The scripted saboteur's move direction for every agent of ``team``, ``(num_envs,
        N_team, 2)`` (used for the agents it took over, those not ``honest``). The default
        rams the nearest honest teammate at full force (a unit direction): collisions push it
        off its course."""
        pos = world.agent_pos[:, world.team(team)]
        gap = pos.unsqueeze(1) - pos.unsqueeze(2)  # (B, i, j, 2): from agent i to agent j
        dist = gap.norm(dim=-1).masked_fill(~honest.unsqueeze(1), float("inf"))
        dist = dist.masked_fill(torch.eye(pos.shape[1], dtype=torch.bool,
                                          device=pos.device), float("inf"))
        nearest = dist.argmin(-1)  # (B, i)
        target = torch.gather(gap, 2, nearest[..., None, None].expand(-1, -1, 1, 2)).squeeze(2)
        # full force, whatever the action format: a continuous action's force follows the
        # direction's length, and a gap of 0.1 would push at a tenth of it (discrete moves
        # take only its sign); a near-zero gap stays as it is (idle)
        length = target.norm(dim=-1, keepdim=True)
        return torch.where(length < 1e-3, target, target / length.clamp_min(1e-3))

    def global_state(self, world: World, obs: ByTeam) -> torch.Tensor:
        """State for centralized critics, shape ``(num_envs, state_dim)``; by default, as in MPE,
        the concatenation of all agents' observations."""
        return torch.cat([o.flatten(1) for o in obs.values()], dim=1)

    # ------------------------------------------------------- scripted policy
    def scripted_direction(self, world: World) -> ByTeam:
        """The scripted policy's desired move direction per team, shape
        ``(num_envs, num_team_agents, 2)``; ``scripted`` turns it into actions. A scenario
        without a scripted policy leaves this out. (Scenarios written before this name was
        chosen define ``heuristic_direction``; it is called in the same way.)"""
        legacy = getattr(self, "heuristic_direction", None)
        if legacy is not None:
            return legacy(world)
        raise NotImplementedError(f"{type(self).__name__} has no scripted policy "
                                  "(it defines no scripted_direction)")

    @property
    def has_scripted_policy(self) -> bool:
        """Whether the scenario defines a scripted policy."""
        cls = type(self)
        return (cls.scripted_direction is not Scenario.scripted_direction
                or cls.scripted is not Scenario.scripted or hasattr(self, "heuristic_direction"))

    def scripted(self, world: World) -> ByTeam:
        """Scripted-policy actions by team, in each team's action space (from
        ``scripted_direction``; scenarios without physics override this instead)."""
        dirs = self.scripted_direction(world)
        return {team: self.direction_to_action(d) for team, d in dirs.items()}

    def direction_to_action(self, direction: torch.Tensor) -> torch.Tensor:
        """Map desired directions ``(..., 2)`` to actions of this scenario's action space."""
        if not self.continuous_actions:
            table = torch.tensor(MOVES[1:], dtype=direction.dtype, device=direction.device)
            best = (direction @ table.T).argmax(-1) + 1
            idle = direction.norm(dim=-1) < 1e-3
            return torch.where(idle, torch.zeros_like(best), best)
        unit = direction / direction.norm(dim=-1, keepdim=True).clamp_min(1.0)
        if self.continuous_format == "force":
            return unit.float()
        zeros = torch.zeros_like(unit[..., 0])
        x, y = unit[..., 0], unit[..., 1]
        return torch.stack([zeros, (-x).clamp_min(0), x.clamp_min(0), (-y).clamp_min(0),
                            y.clamp_min(0)], dim=-1).float()

    # ------------------------------------------------------------ rendering
    def render_extras(self, world: World, env_index: int) -> list[dict[str, Any]]:
        """Extra shapes to draw (zones, goal markers): dicts with ``pos``, ``radius``, ``color``
        and optional ``outline``."""
        return []

    def entity_colors(self, world: World, env_index: int) -> list[tuple[float, float, float]]:
        """Colors of the entities in one env (by default, their spec colors)."""
        return [e.color for e in world.entities]

