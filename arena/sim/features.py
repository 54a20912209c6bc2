"""Observation features that are linear in the world's positions and velocities (an agent's
own velocity and position, other entities' positions relative to it, zero padding), all agents'
at once.

Built as a concatenation of small per-agent pieces, such an observation costs one op per piece,
and on CPU each op over ``(B, n, 2)``-shaped pieces runs at a few ns per element (an innermost
axis of 2 does not vectorize). Here every output column is ``+x``, ``x - y`` or ``0`` of the
flattened state, so the whole observation is one product with a fixed matrix of ``0, +1, -1``
(on CPU: one GEMM over contiguous rows). The result is exact: each column has at most two
non-zero terms, and ``x * 1 + y * (-1)`` is ``x - y`` rounded once, in any summation order.
Where a float32 matmul may run at reduced precision (``torch.set_float32_matmul_precision``
other than ``"highest"``) or off the CPU, the same columns are gathered and subtracted instead;
under ``torch.compile`` they are written column by column, which fuses into the step's kernel.
Every path gives the same values."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Vel:
    """The velocity of entity ``entity`` (2 columns)."""

    entity: int


@dataclass(frozen=True)
class Pos:
    """The position of entity ``entity`` (2 columns)."""

    entity: int


@dataclass(frozen=True)
class Rel:
    """The position of ``target`` relative to ``origin`` (2 columns)."""

    target: int
    origin: int


@dataclass(frozen=True)
class Zeros:
    """``width`` columns of zeros."""

    width: int


Term = Vel | Pos | Rel | Zeros


class LinearFeatures:
    """Per-agent features ``(B, N, D)`` from ``rows[i]``, the terms of agent ``i``'s row (each
    agent's terms must add up to the same width ``D``)."""

    def __init__(self, rows: list[list[Term]], num_entities: int, device: torch.device,
                 dtype: torch.dtype) -> None:
        self.num_entities = num_entities
        columns = [_columns(row, num_entities) for row in rows]
        widths = {len(c) for c in columns}
        if len(widths) != 1:
            raise ValueError(f"every agent's features must have the same width, got {widths}")
        self.shape = (len(rows), widths.pop())
        flat = [c for row in columns for c in row]  # (plus, minus) indices into the state
        state = 4 * num_entities
        matrix = torch.zeros(state + 1, len(flat), dtype=torch.float64)
        for k, (plus, minus) in enumerate(flat):
            matrix[plus, k] += 1.0
            matrix[minus, k] -= 1.0
        self.matrix = matrix[:state].to(device=device, dtype=dtype)
        """``(4 E, N * D)``: rows are the positions, then the velocities, of every entity."""
        self.columns = flat
        self.plus = torch.tensor([p for p, _ in flat], device=device)
        self.minus = torch.tensor([m for _, m in flat], device=device)

    def __call__(self, pos: torch.Tensor, vel: torch.Tensor) -> torch.Tensor:
        """The features for the world state ``pos`` and ``vel`` ``(B, E, 2)``."""
        b = pos.shape[0]
        if torch.compiler.is_compiling():  # column by column, fused into one loop
            state = torch.cat([pos.flatten(1), vel.flatten(1), pos.new_zeros(b, 1)], dim=1)
            out = torch.stack([state[:, p] - state[:, m] for p, m in self.columns], dim=1)
        elif exact_matmul(pos):
            e2 = 2 * self.num_entities
            out = pos.flatten(1) @ self.matrix[:e2]
            out.addmm_(vel.flatten(1), self.matrix[e2:])
        else:  # the same columns, gathered: [positions, velocities, a zero]
            state = torch.cat([pos.flatten(1), vel.flatten(1), pos.new_zeros(b, 1)], dim=1)
            out = state.index_select(1, self.plus) - state.index_select(1, self.minus)
        return out.view(b, *self.shape)


def exact_matmul(x: torch.Tensor) -> bool:
    """Whether a matmul of ``x`` runs at full precision on the CPU."""
    if x.device.type != "cpu":
        return False
    return x.dtype == torch.float64 or torch.get_float32_matmul_precision() == "highest"


def _columns(row: list[Term], num_entities: int) -> list[tuple[int, int]]:
    """Each column of ``row`` as ``(plus, minus)`` indices into the flattened state
    ``[pos (2 E), vel (2 E), 0]`` (index ``4 E``: the zero)."""
    zero = 4 * num_entities
    out: list[tuple[int, int]] = []
    for term in row:
        if isinstance(term, Zeros):
            out += [(zero, zero)] * term.width
            continue
        for e in _entities(term):
            if not 0 <= e < num_entities:
                raise ValueError(f"{term}: entity {e} is not in 0..{num_entities - 1}")
        if isinstance(term, Vel):
            out += [(2 * (num_entities + term.entity) + c, zero) for c in range(2)]
        elif isinstance(term, Pos):
            out += [(2 * term.entity + c, zero) for c in range(2)]
        else:
            out += [(2 * term.target + c, 2 * term.origin + c) for c in range(2)]
    return out


def _entities(term: Vel | Pos | Rel) -> tuple[int, ...]:
    return (term.target, term.origin) if isinstance(term, Rel) else (term.entity,)
