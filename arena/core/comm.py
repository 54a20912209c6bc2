"""Actions of teams that talk: a move and a message in one action, as MPE lays them out.

In a world with a message channel (``WorldSpec.channel``), a team's action space follows from
whether its agents move and whether they speak (not ``silent``):

| | discrete | continuous |
|---|---|---|
| moves and speaks | ``Discrete(5 * tokens)``: move ``a % 5``, token ``a // 5`` |
  ``Box(move_dim + dim)``: move first |
| speaks only | ``Discrete(tokens)`` | ``Box(0, 1, (dim,))`` |
| moves only | ``Discrete(5)`` | ``Box(move_dim)`` |

``move_dim`` is 5 in MPE's continuous format and 2 in the force format. A token becomes the
one-hot vector of its index (silence, token 0 when enabled, becomes zeros).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium
import numpy as np
import torch

from arena.core.scenario import NUM_MOVES
from arena.sim.channel import ChannelConfig
from arena.sim.world import World


@dataclass(frozen=True)
class TeamActions:
    """How one team's actions split into moves and messages."""

    moves: bool
    speaks: bool
    continuous: bool
    move_dim: int
    channel: ChannelConfig

    def space(self) -> gymnasium.Space:
        """The team's action space (one agent)."""
        dim = self.channel.dim
        if not self.continuous:
            return gymnasium.spaces.Discrete((NUM_MOVES if self.moves else 1)
                                             * (self.channel.tokens if self.speaks else 1))
        size = (self.move_dim if self.moves else 0) + (dim if self.speaks else 0)
        low = 0.0 if self.move_dim == NUM_MOVES or not self.moves else -1.0
        box_low = np.full(size, low, np.float32)
        box_low[size - dim if self.speaks else size:] = 0.0  # messages in [0, 1], as MPE's
        return gymnasium.spaces.Box(box_low, np.ones(size, np.float32), (size,), np.float32)

    def message_space(self) -> gymnasium.Space:
        """The space of the message part alone (what a message injector chooses)."""
        if not self.continuous:
            return gymnasium.spaces.Discrete(self.channel.tokens)
        return gymnasium.spaces.Box(0.0, 1.0, (self.channel.dim,), np.float32)

    def with_message(self, actions: torch.Tensor, message: torch.Tensor) -> torch.Tensor:
        """``actions`` of this team with their message part replaced by ``message`` (an
        action of ``message_space``); the move part is kept."""
        if self.continuous:
            keep = actions[..., : self.move_dim] if self.moves else actions[..., :0]
            return torch.cat([keep, message.to(actions.dtype)], dim=-1)
        return actions % NUM_MOVES + NUM_MOVES * message if self.moves else message

    def split(self, actions: torch.Tensor, dtype: torch.dtype
              ) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """``(moves, messages)`` of ``actions`` ``(B, n)`` or ``(B, n, k)``: moves in the
        simulator's move format (or ``None``), messages ``(B, n, dim)`` (or ``None``)."""
        if self.continuous:
            m = self.move_dim if self.moves else 0
            moves = actions[..., :m] if self.moves else None
            return moves, actions[..., m:].to(dtype) if self.speaks else None
        token = actions // NUM_MOVES if self.moves else actions
        moves = actions % NUM_MOVES if self.moves else None
        if not self.speaks:
            return moves, None
        hot = torch.nn.functional.one_hot(token, self.channel.tokens).to(dtype)
        return moves, hot[..., int(self.channel.silence):]


def team_actions(world: World, team: str, continuous: bool, move_dim: int) -> TeamActions:
    """The action layout of ``team`` in a world with a channel; its agents must agree on
    ``movable`` and ``silent``."""
    assert world.spec.channel is not None
    ents = world.entities[world.team(team)]
    moves = {e.movable for e in ents}
    speaks = {not e.silent for e in ents}
    if len(moves) > 1 or len(speaks) > 1:
        raise ValueError(f"team {team!r}: its agents must all move or all stay, and all speak "
                         "or all be silent (one action space per team)")
    return TeamActions(moves.pop(), speaks.pop(), continuous, move_dim, world.spec.channel)
