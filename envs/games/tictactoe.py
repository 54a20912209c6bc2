"""tictactoe: two players take turns marking a 3x3 board; three in a row wins. A batched,
turn-based port of PettingZoo's ``tictactoe_v3`` (checked against it move for move in
tests/test_turn_based.py).

| | |
|---|---|
| teams | ``player`` x 2: ``player_0`` (X, moves first) and ``player_1`` (O): one team, so one
  policy plays both seats (self-play); ``teams.player.frozen`` or a league plays the other seat |
| actions | ``Discrete(9)``: the square, ``row * 3 + column``; masked to the empty squares for
  the player to move (all masked for the other) |
| observation | 18 = the board as PettingZoo's ``(3, 3, 2)`` planes, flattened: for each
  square, ``[own mark, opponent's mark]`` |
| reward | +1 to the winner and -1 to the loser when the game ends; 0 for a draw; an illegal
  move (a full square) ends the game with -1 to the mover and 0 to the other, as PettingZoo's
  ``TerminateIllegalWrapper`` does |
| turns | ``world.active`` marks the player to move; the other player's action is ignored |
| episode | ends with the game (at most 9 moves) |
| metrics | ``player_0_win``, ``player_1_win``, ``draw``, ``illegal_move`` (0/1 per game) |
| scripted policy | one-step lookahead: take a winning square, else block the opponent's,
  else the centre, else a corner, else any empty square (ties broken at random, drawn at
  reset) |

**Arguments**: none (``TicTacToeConfig``).

**Version history**: v0, first version.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium
import torch

from arena.core.scenario import ByTeam, Scenario
from arena.sim.world import EntitySpec, World, WorldSpec

LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
"""The eight winning lines (squares ``row * 3 + column``)."""
PREFERENCE = (1, 0, 1, 0, 2, 0, 1, 0, 1)
"""The scripted policy's fallback order: the centre, then corners, then edges."""
PLAYERS = 2


@dataclass
class TicTacToeConfig:
    """tictactoe takes no arguments; the game ends by itself within 9 moves."""

    max_steps: int = 9
    """Episode limit (a game never needs more)."""

    def validate(self) -> None:
        if self.max_steps < 9:
            raise ValueError(f"max_steps must be >= 9 (a full game), got {self.max_steps}")


class TicTacToe(Scenario):
    """Two players alternate marks on a 3x3 board; three in a row wins."""

    config_cls = TicTacToeConfig
    family = "games"
    physics = False
    turn_based = True
    binary_metrics = ("player_0_win", "player_1_win", "draw", "illegal_move")
    config: TicTacToeConfig

    def make_world(self) -> WorldSpec:
        colors = ((0.85, 0.25, 0.25), (0.25, 0.35, 0.85))
        return WorldSpec([EntitySpec(f"player_{i}", team="player", radius=0.12,
                                     collide=False, color=colors[i]) for i in range(PLAYERS)])

    def init_state(self, world: World) -> None:
        b, dev = world.num_envs, world.device
        self.board = torch.zeros(b, 9, dtype=torch.long, device=dev)
        """0 empty, 1 player_0's mark, 2 player_1's."""
        self.to_move = torch.zeros(b, dtype=torch.long, device=dev)
        self.outcome = torch.zeros(b, dtype=torch.long, device=dev)
        """0 playing, 1 player_0 won, 2 player_1 won, 3 draw, 4 ended by an illegal move."""
        self.last_reward = torch.zeros(b, PLAYERS, dtype=world.dtype, device=dev)
        self.tiebreak = torch.zeros(b, 9, dtype=world.dtype, device=dev)
        self.lines = torch.tensor(LINES, device=dev)
        self.preference = torch.tensor(PREFERENCE, dtype=world.dtype, device=dev)
        world.pos[:] = torch.tensor([[-0.3, -1.15], [0.3, -1.15]], dtype=world.dtype, device=dev)

    # ------------------------------------------------------------- dynamics
    def reset_world(self, world: World, mask: torch.Tensor, generator: torch.Generator) -> None:
        keep = ~mask.unsqueeze(-1)
        self.board = torch.where(keep, self.board, 0)
        self.to_move = torch.where(mask, 0, self.to_move)
        self.outcome = torch.where(mask, 0, self.outcome)
        self.last_reward = torch.where(keep, self.last_reward, 0.0)
        fresh = torch.rand(self.tiebreak.shape, generator=generator, device=world.device,
                           dtype=world.dtype)
        self.tiebreak = torch.where(keep, self.tiebreak, fresh)
        self._set_turn(world)

    def _set_turn(self, world: World) -> None:
        playing = (self.outcome == 0).unsqueeze(-1)
        mover = torch.arange(PLAYERS, device=world.device) == self.to_move.unsqueeze(-1)
        world.active = mover & playing

    def apply_actions(self, world: World, actions: ByTeam) -> None:
        square = actions["player"].gather(1, self.to_move.unsqueeze(-1)).squeeze(-1)
        playing = self.outcome == 0
        legal = self.board.gather(1, square.unsqueeze(-1)).squeeze(-1) == 0
        place = playing & legal
        mark = self.to_move + 1
        at = torch.arange(9, device=world.device) == square.unsqueeze(-1)
        self.board = torch.where(place.unsqueeze(-1) & at, mark.unsqueeze(-1), self.board)
        won = place & self._wins(self.board, mark)
        full = place & (self.board != 0).all(-1)
        illegal = playing & ~legal
        self.outcome = torch.where(won, mark, torch.where(full & ~won, 3, torch.where(
            illegal, 4, self.outcome)))
        mover = torch.nn.functional.one_hot(self.to_move, PLAYERS).to(world.dtype)
        self.last_reward = (torch.where(won.unsqueeze(-1), 2 * mover - 1, 0.0)
                            - torch.where(illegal.unsqueeze(-1), mover, 0.0))
        self.to_move = torch.where(place & ~won & ~full, 1 - self.to_move, self.to_move)
        self._set_turn(world)

    def _wins(self, board: torch.Tensor, mark: torch.Tensor) -> torch.Tensor:
        """Whether ``mark`` ``(B,)`` holds a full line of ``board`` ``(B, ..., 9)``."""
        mine = board == mark.view(-1, *([1] * (board.dim() - 1)))
        return mine[..., self.lines].all(-1).any(-1)

    def terminated(self, world: World) -> torch.Tensor:
        return self.outcome != 0

    # ---------------------------------------------------------- observations
    def observation(self, world: World) -> ByTeam:
        seat = torch.arange(PLAYERS, device=world.device)
        own = self.board.unsqueeze(1) == (seat + 1).view(1, -1, 1)  # (B, 2, 9)
        opp = self.board.unsqueeze(1) == (2 - seat).view(1, -1, 1)
        return {"player": torch.stack([own, opp], -1).flatten(2).to(world.dtype)}

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        return [("square", 9, 2)]

    def action_space(self, team: str) -> gymnasium.Space:
        return gymnasium.spaces.Discrete(9)

    def action_mask(self, world: World) -> ByTeam:
        empty = (self.board == 0).unsqueeze(1)  # (B, 1, 9)
        return {"player": empty & world.active.unsqueeze(-1)}

    def reward(self, world: World) -> ByTeam:
        return {"player": self.last_reward}

    def metrics(self, world: World) -> dict[str, torch.Tensor]:
        return {"player_0_win": self.outcome == 1, "player_1_win": self.outcome == 2,
                "draw": self.outcome == 3, "illegal_move": self.outcome == 4}

    # -------------------------------------------------------- scripted policy
    def scripted(self, world: World) -> ByTeam:
        """One-step lookahead for the player to move (the other's action is ignored)."""
        mark = self.to_move + 1
        empty = self.board == 0
        candidates = self.board.unsqueeze(1).expand(-1, 9, -1).clone()  # (B, square, 9)
        squares = torch.arange(9, device=world.device)
        candidates[:, squares, squares] = mark.unsqueeze(-1)
        wins = self._wins(candidates, mark) & empty
        candidates[:, squares, squares] = (3 - mark).unsqueeze(-1)
        blocks = self._wins(candidates, 3 - mark) & empty
        score = 4.0 * wins + 2.0 * blocks + 0.5 * self.preference + 0.1 * self.tiebreak
        move = torch.where(empty, score, -1.0).argmax(-1)
        return {"player": move.unsqueeze(-1).expand(-1, PLAYERS)}

    # -------------------------------------------------------------- rendering
    def render_extras(self, world: World, env_index: int) -> list[dict[str, object]]:
        shapes: list[dict[str, object]] = []
        board = self.board[env_index].tolist()
        colors = ((0.85, 0.25, 0.25), (0.25, 0.35, 0.85))
        for square, mark in enumerate(board):
            row, col = divmod(square, 3)
            pos = (-0.6 + 0.6 * col, 0.7 - 0.6 * row)
            shapes.append({"pos": pos, "radius": 0.28, "color": (0.6, 0.6, 0.6),
                           "outline": True})
            if mark:
                shapes.append({"pos": pos, "radius": 0.2, "color": colors[mark - 1]})
        return shapes
