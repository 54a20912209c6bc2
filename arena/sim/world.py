"""Batched 2D point-mass world: every state tensor has the env batch first.

Entities are agents (first, grouped by team), then landmarks and obstacles. Physics follows MPE:
action forces, soft contact forces between colliding pairs (softplus penetration), damping,
integration and speed limits, all as tensor ops over ``(num_envs, num_entities, 2)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from arena.sim.channel import Channel, ChannelConfig
from arena.sim.pairs import distance_table, env_last, pairwise_distance

INF = float("inf")


@dataclass
class PhysicsConfig:
    """Constants of the integrator; the defaults are MPE's."""

    dt: float = 0.1
    """Time step in seconds."""
    damping: float = 0.25
    """Fraction of velocity lost per step."""
    contact_force: float = 1e2
    """Stiffness of the soft contact force."""
    contact_margin: float = 1e-3
    """Softness (softplus scale) of the contact penetration."""
    integrator: str = "semi_implicit"
    """``"semi_implicit"`` (velocity first, then position) or ``"mpe"`` (MPE2's order: position
    from the old velocity, then velocity)."""
    bound: float | None = None
    """Half-width of a square arena with hard walls; ``None`` for an unbounded plane."""


@dataclass
class EntitySpec:
    """Static properties of one entity (one per entity, shared by all envs)."""

    name: str
    kind: str = "agent"
    """``"agent"``, ``"landmark"`` (usually non-colliding) or ``"obstacle"``."""
    team: str | None = None
    radius: float = 0.05
    mass: float = 1.0
    max_speed: float | None = None
    accel: float = 5.0
    """Force per unit of action (MPE's ``sensitivity``)."""
    collide: bool = True
    movable: bool = False
    friction: float = 0.0
    """Static friction: net forces below this magnitude do not move the entity."""
    silent: bool = False
    """Agents: cannot send messages on the world's channel (MPE's ``silent``)."""
    color: tuple[float, float, float] = (0.5, 0.5, 0.5)


@dataclass
class WorldSpec:
    """Everything a scenario declares about its world."""

    entities: list[EntitySpec]
    physics: PhysicsConfig = field(default_factory=PhysicsConfig)
    channel: ChannelConfig | None = None
    """A message channel between the agents (``arena.sim.channel``); ``None``: agents cannot
    talk."""


class World:
    """A batch of ``num_envs`` identical worlds stepped together.

    State: ``pos`` and ``vel`` of shape ``(num_envs, num_entities, 2)``; ``active`` of shape
    ``(num_envs, num_entities)`` (inactive entities neither move nor collide).
    """

    def __init__(
        self,
        spec: WorldSpec,
        num_envs: int,
        device: torch.device | str = "cpu",
        dtype: torch.dtype = torch.float32,
    ) -> None:
        ents = spec.entities
        agent_ids = [i for i, e in enumerate(ents) if e.kind == "agent"]
        if agent_ids != list(range(len(agent_ids))):
            raise ValueError("agents must come first in the entity list")
        self.spec = spec
        self.physics = spec.physics
        self.num_envs = num_envs
        self.device = torch.device(device)
        self.dtype = dtype
        self.entities = ents
        self.num_entities = len(ents)
        self.num_agents = len(agent_ids)
        self.team_slices = _team_slices(ents[: self.num_agents])

        def const(values: list[float]) -> torch.Tensor:
            return torch.tensor(values, dtype=dtype, device=self.device)

        self.radius = const([e.radius for e in ents])
        self.mass = const([e.mass for e in ents])
        self.max_speed = const([INF if e.max_speed is None else e.max_speed for e in ents])
        self.accel = const([e.accel for e in ents[: self.num_agents]])
        self.movable = const([float(e.movable) for e in ents])
        self.friction = const([e.friction for e in ents])
        self.has_friction = any(e.friction > 0 for e in ents)
        # velocity change per unit force in one step; zero for immovable entities. Stored as a
        # full (E, 2) table: a broadcast over the innermost axis of 2 is slow on CPU
        self.step_gain = (self.movable * spec.physics.dt / self.mass).unsqueeze(-1).expand(
            -1, 2).contiguous()
        self.has_speed_limit = any(e.max_speed is not None for e in ents)
        self.colliders, self.pair_mask, self.pair_dist_min = _contact_table(ents, self.device,
                                                                            dtype)
        # contact force = pair_gain * softplus((dist_min - dist) / margin) * delta / dist
        if self.pair_mask is not None:
            self._pair_list(spec.physics)
        self.dynamic_activity = False
        """Set by scenarios that deactivate entities (tagged agents); costs a few ops per step."""

        self.channel: Channel | None = None
        """The message channel, when the spec declares one with ``dim > 0``."""
        if spec.channel is not None and spec.channel.dim > 0:
            speaks = torch.tensor([not e.silent for e in ents[: self.num_agents]])
            self.channel = Channel(spec.channel, num_envs, self.num_agents, speaks,
                                   self.device, dtype)
        shape = (num_envs, self.num_entities, 2)
        self.pos = torch.zeros(shape, dtype=dtype, device=self.device)
        self.vel = torch.zeros(shape, dtype=dtype, device=self.device)
        self.active = torch.ones(shape[:2], dtype=torch.bool, device=self.device)

    def _pair_list(self, ph: PhysicsConfig) -> None:
        """The unordered pairs of colliders that exert forces, ``pair_first[k] <
        pair_second[k]`` (indices among the colliders), their gains and contact distances; and
        ``pair_table``, for each ordered pair ``(i, j)`` of colliders, where its force sits in
        ``[pair forces, their negatives, zero]``."""
        assert self.pair_mask is not None
        allowed = (self.pair_mask[..., 0] > 0).cpu()
        first, second = allowed.triu(1).nonzero(as_tuple=True)
        c, p = allowed.shape[0], len(first)
        table = torch.full((c, c), 2 * p, dtype=torch.long)
        table[first, second] = torch.arange(p)
        table[second, first] = torch.arange(p) + p
        self.pair_first, self.pair_second = first.to(self.device), second.to(self.device)
        self.pair_table = table.flatten().to(self.device)
        shape = (p, 1, 1)
        self.pair_gain = self.pair_mask[first, second].view(shape) * (
            ph.contact_force * ph.contact_margin)
        self.pair_dist_min = self.pair_dist_min[first, second].view(shape)
        self.softplus_floor = math.log(torch.finfo(self.dtype).tiny) + 10.0
        """Pairs farther apart than this (in contact margins, below contact) exert exactly no
        force: their softplus would be near or below the smallest normal float (about 1e-34 of
        a unit force in float32), and subnormal arithmetic runs some 10x slower on CPU, where
        most pairs are far apart."""

    # ------------------------------------------------------------------ views
    def team(self, name: str) -> slice:
        """Entity-index slice of a team's agents."""
        return self.team_slices[name]

    @property
    def agent_pos(self) -> torch.Tensor:
        """Agent positions, shape ``(num_envs, num_agents, 2)``."""
        return self.pos[:, : self.num_agents]

    @property
    def agent_vel(self) -> torch.Tensor:
        """Agent velocities, shape ``(num_envs, num_agents, 2)``."""
        return self.vel[:, : self.num_agents]

    # ---------------------------------------------------------------- physics
    def contact_forces(self) -> torch.Tensor:
        """Soft contact forces on every entity, shape ``(num_envs, num_entities, 2)``."""
        force = torch.zeros_like(self.pos)
        self._add_contact_forces(force)
        return force

    def _add_contact_forces(self, force: torch.Tensor) -> None:
        """Add the contact forces into ``force`` in place.

        Computed once per unordered pair that can touch (``pair_first`` < ``pair_second``), with
        the envs innermost (``arena.sim.pairs``); the force on ``j`` from ``i`` is exactly minus
        the force on ``i`` from ``j``. The ``(C, C)`` table of forces is then summed over
        partners as one reduction (no scatter, so the whole computation fuses under
        ``torch.compile``).
        """
        if self.pair_mask is None:
            return
        cols, first, second = self.colliders, self.pair_first, self.pair_second
        pos = env_last(self.pos[:, cols])  # (C, 2, B)
        delta = pos.index_select(0, first) - pos.index_select(0, second)  # (P, 2, B)
        dx, dy = delta[:, 0], delta[:, 1]
        dist = (dx * dx + dy * dy).sqrt().clamp_min(1e-12).unsqueeze(1)  # (P, 1, B)
        depth = (self.pair_dist_min - dist) / self.physics.contact_margin
        weight = self.pair_gain * torch.nn.functional.softplus(
            depth.clamp_min(self.softplus_floor)) / dist * (depth > self.softplus_floor)
        if self.dynamic_activity:
            act = self.active[:, cols].t()  # (C, B)
            weight = weight * (act.index_select(0, first) & act.index_select(0, second)
                               ).unsqueeze(1)
        pair_force = delta * weight  # on `first` from `second`
        table = torch.cat([pair_force, -pair_force, torch.zeros_like(pair_force[:1])]
                          ).index_select(0, self.pair_table)
        c = pos.shape[0]
        force[:, cols] += table.view(c, c, *pos.shape[1:]).sum(1).permute(2, 0, 1)

    def step(self, agent_force: torch.Tensor) -> None:
        """Advance one step given the agents' action forces, shape ``(num_envs, num_agents, 2)``."""
        force = torch.zeros_like(self.pos)
        force[:, : self.num_agents] = agent_force
        self._add_contact_forces(force)
        if self.has_friction:
            mag = force.norm(dim=-1, keepdim=True).clamp_min(1e-12)
            force = force * (1.0 - self.friction.unsqueeze(-1) / mag).clamp_min(0.0)
        if self.dynamic_activity:
            force = force * self.active.unsqueeze(-1)
        ph = self.physics
        if ph.integrator == "mpe":
            self._move()
            self.vel = self._limit_speed(self.vel * (1.0 - ph.damping) + force * self.step_gain)
        else:
            self.vel = self._limit_speed(self.vel * (1.0 - ph.damping) + force * self.step_gain)
            self._move()
        if self.dynamic_activity:
            self.vel = self.vel * self.active.unsqueeze(-1)
        if ph.bound is not None:
            self._apply_walls(ph.bound)

    def _move(self) -> None:
        """Positions advance by ``vel * dt`` (the pymunk backend also resolves contacts here)."""
        self.pos = self.pos + self.vel * self.physics.dt

    def _limit_speed(self, vel: torch.Tensor) -> torch.Tensor:
        if not self.has_speed_limit:
            return vel
        speed = vel.norm(dim=-1, keepdim=True)
        max_speed = self.max_speed.unsqueeze(-1)
        return torch.where(speed > max_speed, vel / speed.clamp_min(1e-12) * max_speed, vel)

    def _apply_walls(self, bound: float) -> None:
        """Hard walls: clamp positions inside the arena and stop the normal velocity."""
        limit = (bound - self.radius).unsqueeze(-1)
        clamped = self.pos.clamp(-limit, limit)
        hit = clamped != self.pos
        self.vel = torch.where(hit, torch.zeros_like(self.vel), self.vel)
        self.pos = clamped

    # ------------------------------------------------------------------ reset
    def uniform(
        self, low: float, high: float, shape: tuple[int, ...], generator: torch.Generator
    ) -> torch.Tensor:
        """Uniform samples on the world's device and dtype."""
        u = torch.rand(shape, generator=generator, device=self.device, dtype=self.dtype)
        return u * (high - low) + low

    def set_where(self, mask: torch.Tensor, pos: torch.Tensor, index: slice) -> None:
        """Set positions of entities ``index`` in envs ``mask`` (shape ``(num_envs,)``) and zero
        their velocities; other envs keep their state."""
        m = mask.view(-1, 1, 1)
        self.pos[:, index] = torch.where(m, pos, self.pos[:, index])
        self.vel[:, index] = torch.where(m, torch.zeros_like(pos), self.vel[:, index])

    def distances(self, a: slice | torch.Tensor, b: slice | torch.Tensor) -> torch.Tensor:
        """Pairwise distances between entity sets, shape ``(num_envs, |a|, |b|)``."""
        return pairwise_distance(self.pos[:, a], self.pos[:, b])

    def distance_table(self, a: slice | torch.Tensor, b: slice | torch.Tensor) -> torch.Tensor:
        """The same distances with the envs last, ``(|a|, |b|, num_envs)``: reductions over
        entities (nearest agent, overlap counts) then run over contiguous rows of envs, several
        times faster on CPU than over the small last axis of ``distances``."""
        return distance_table(self.pos[:, a], self.pos[:, b])


def _team_slices(agents: list[EntitySpec]) -> dict[str, slice]:
    slices: dict[str, slice] = {}
    start = 0
    for i in range(1, len(agents) + 1):
        if i == len(agents) or agents[i].team != agents[start].team:
            team = agents[start].team
            if team is None or team in slices:
                raise ValueError(f"agents of team {team!r} must be contiguous and named")
            slices[team] = slice(start, i)
            start = i
    return slices


def _contact_table(
    ents: list[EntitySpec], device: torch.device, dtype: torch.dtype
) -> tuple[slice | torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """The entities that take part in contacts (a slice when contiguous), the ``(C, C, 1)`` mask
    of pairs that exert forces (both collide, not the same, one at least movable), and the
    pairs' contact distances (sum of radii)."""
    allowed = [
        [i != j and a.collide and b.collide and (a.movable or b.movable) for j, b in
         enumerate(ents)]
        for i, a in enumerate(ents)
    ]
    ids = [i for i in range(len(ents)) if any(allowed[i])]
    if not ids:
        return slice(0, 0), None, torch.zeros(0, device=device, dtype=dtype)
    mask = torch.tensor([[float(allowed[i][j]) for j in ids] for i in ids], dtype=dtype,
                        device=device).unsqueeze(-1)
    radius = torch.tensor([ents[i].radius for i in ids], dtype=dtype, device=device)
    dist_min = (radius.unsqueeze(1) + radius.unsqueeze(0)).unsqueeze(-1)
    contiguous = ids == list(range(ids[0], ids[-1] + 1))
    cols: slice | torch.Tensor = (slice(ids[0], ids[-1] + 1) if contiguous
                                  else torch.tensor(ids, dtype=torch.long, device=device))
    return cols, mask, dist_min
