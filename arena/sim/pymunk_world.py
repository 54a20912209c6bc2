"""The pymunk backend: the same ``World`` (same tensors, same scenario code) with exact
rigid-body contacts from pymunk (Chipmunk2D) instead of soft contact forces.

One ``pymunk.Space`` per env. Every entity is a body (dynamic when movable, kinematic when not,
both without rotation); colliding entities get a circle shape, and movable entities that do not
collide get one that only meets the walls; a bounded arena gets four static wall segments.
Everything that is not a contact stays in the shared tensor code: action forces, static
friction, damping, speed limits and the integrator order (``semi_implicit`` or ``mpe``). Each
step writes the positions and the velocity to move with into the bodies, lets pymunk move them
for ``dt`` (in ``substeps``) while it resolves contacts with inelastic, frictionless impulses,
and reads positions and velocities back. Without contacts the two backends therefore follow the
same trajectories (up to float32 vs float64 rounding); with contacts, bodies touch instead of
overlapping and pushing apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from arena.sim.world import World, WorldSpec

BODY_CATEGORY, GHOST_CATEGORY, WALL_CATEGORY = 1, 1 << 1, 1 << 2
"""Shape-filter categories: colliding bodies meet bodies and walls; movable entities that do
not collide ("ghosts") meet only walls."""

WALL_RADIUS = 1.0
"""Half-thickness of the walls of a bounded arena."""


@dataclass
class PymunkConfig:
    """Solver settings of the pymunk backend."""

    substeps: int = 10
    """pymunk steps per env step (each ``dt / substeps``): smaller steps, shallower contacts."""
    iterations: int = 20
    """Contact solver iterations per pymunk step."""
    collision_slop: float = 1e-3
    """Overlap pymunk tolerates between touching shapes (world units)."""
    correction: float = 0.8
    """Fraction of an overlap beyond the slop that pymunk pushes out per substep (sets
    ``Space.collision_bias``; pymunk's default corrects about 6% per substep of 0.01 s)."""


class PymunkWorld(World):
    """A batch of ``num_envs`` pymunk spaces behind the ``World`` interface (CPU only)."""

    backend = "pymunk"

    def __init__(self, spec: WorldSpec, num_envs: int, device: torch.device | str = "cpu",
                 dtype: torch.dtype = torch.float32, config: PymunkConfig | None = None
                 ) -> None:
        if torch.device(device).type != "cpu":
            raise ValueError(f"the pymunk backend runs on the CPU; got device {device!r}")
        super().__init__(spec, num_envs, device, dtype)
        self.config = config or PymunkConfig()
        if self.config.substeps < 1 or self.config.iterations < 1:
            raise ValueError("pymunk substeps and iterations must be >= 1")
        built = [self._build_space() for _ in range(num_envs)]
        self._spaces = [space for space, _, _ in built]
        self._bodies = [bodies for _, bodies, _ in built]
        self._shapes = [shapes for _, _, shapes in built]
        self._filters = [s.filter if s is not None else None for s in self._shapes[0]]

    # ------------------------------------------------------------------ setup
    def _build_space(self) -> tuple[Any, list[Any], list[Any]]:
        """One env's space, its bodies (one per entity) and their shapes (or ``None``)."""
        import pymunk

        cfg = self.config
        space = pymunk.Space()
        space.iterations = cfg.iterations
        space.collision_slop = cfg.collision_slop
        space.damping = 1.0  # damping is applied by the shared tensor code
        h = self.physics.dt / cfg.substeps
        space.collision_bias = (1.0 - cfg.correction) ** (1.0 / h)
        bodies, shapes = [], []
        for e in self.entities:
            if e.movable:
                body = pymunk.Body(mass=e.mass, moment=float("inf"))
            else:
                body = pymunk.Body(body_type=pymunk.Body.KINEMATIC)
            shape = None
            if e.collide or e.movable:
                shape = pymunk.Circle(body, e.radius)
                shape.elasticity, shape.friction = 0.0, 0.0
                shape.filter = (
                    pymunk.ShapeFilter(categories=BODY_CATEGORY,
                                       mask=BODY_CATEGORY | WALL_CATEGORY) if e.collide else
                    pymunk.ShapeFilter(categories=GHOST_CATEGORY, mask=WALL_CATEGORY))
            space.add(body, *([shape] if shape is not None else []))
            bodies.append(body)
            shapes.append(shape)
        if self.physics.bound is not None:
            # thick walls (radius WALL_RADIUS, inner faces on the bound): nothing tunnels through
            b = self.physics.bound + WALL_RADIUS
            corners = [(-b, -b), (b, -b), (b, b), (-b, b)]
            for p, q in zip(corners, corners[1:] + corners[:1], strict=True):
                wall = pymunk.Segment(space.static_body, p, q, WALL_RADIUS)
                wall.elasticity, wall.friction = 0.0, 0.0
                wall.filter = pymunk.ShapeFilter(categories=WALL_CATEGORY)
                space.add(wall)
        return space, bodies, shapes

    # ---------------------------------------------------------------- physics
    def _add_contact_forces(self, force: torch.Tensor) -> None:
        """No soft contact forces: pymunk resolves contacts while moving the bodies."""

    def _apply_walls(self, bound: float) -> None:
        """Walls are static segments in every space."""

    def _move(self) -> None:
        """Move every body with its current velocity for ``dt``, resolving contacts; positions
        and velocities (changed by contact impulses) are read back."""
        import pymunk

        pos = self.pos.detach().double().numpy()
        vel = self.vel.detach().double().numpy()
        active = self.active.numpy() if self.dynamic_activity else None
        filters = self._filters
        off = pymunk.ShapeFilter(categories=0, mask=0)  # an inactive entity meets nothing
        out_pos, out_vel = np.empty_like(pos), np.empty_like(vel)
        h = self.physics.dt / self.config.substeps
        for b, space in enumerate(self._spaces):
            bodies, shapes = self._bodies[b], self._shapes[b]
            for i, body in enumerate(bodies):
                body.position = (pos[b, i, 0], pos[b, i, 1])
                body.velocity = (vel[b, i, 0], vel[b, i, 1])
                if active is not None and shapes[i] is not None:
                    shapes[i].filter = (filters[i] if active[b, i] else off)
            for _ in range(self.config.substeps):
                space.step(h)
            for i, body in enumerate(bodies):
                out_pos[b, i] = body.position
                out_vel[b, i] = body.velocity
        self.pos = torch.from_numpy(out_pos).to(self.dtype)
        self.vel = torch.from_numpy(out_vel).to(self.dtype)
