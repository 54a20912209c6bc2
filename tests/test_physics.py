"""The simulator against hand-derived references."""

from __future__ import annotations

import math

import pytest
import torch

from arena.sim import EntitySpec, PhysicsConfig, World, WorldSpec


def two_bodies(physics: PhysicsConfig, **agent: float) -> World:
    ents = [EntitySpec("a_0", "agent", "a", movable=True, **agent),  # type: ignore[arg-type]
            EntitySpec("a_1", "agent", "a", movable=True, **agent)]  # type: ignore[arg-type]
    return World(WorldSpec(ents, physics), num_envs=3, dtype=torch.float64)


@pytest.mark.parametrize("integrator", ["semi_implicit", "mpe"])
def test_free_motion_matches_closed_form(integrator: str) -> None:
    """Constant force F, damping d: v_k = (1 - d) v_{k-1} + F dt / m, far apart (no contact)."""
    ph = PhysicsConfig(integrator=integrator)
    w = two_bodies(ph, mass=2.0)
    w.pos[:, 0] = torch.tensor([-5.0, 0.0])
    w.pos[:, 1] = torch.tensor([5.0, 0.0])
    force = torch.zeros(3, 2, 2, dtype=torch.float64)
    force[:, 0, 0] = 1.5
    v, x = 0.0, -5.0
    for _ in range(30):
        w.step(force)
        if integrator == "mpe":
            x += v * ph.dt
            v = v * (1 - ph.damping) + 1.5 / 2.0 * ph.dt
        else:
            v = v * (1 - ph.damping) + 1.5 / 2.0 * ph.dt
            x += v * ph.dt
    assert w.vel[0, 0, 0].item() == pytest.approx(v, abs=1e-12)
    assert w.pos[0, 0, 0].item() == pytest.approx(x, abs=1e-12)
    terminal = 1.5 / 2.0 * ph.dt / ph.damping  # fixed point of the velocity recursion
    assert v == pytest.approx(terminal, rel=1e-3)


def test_speed_limit() -> None:
    w = two_bodies(PhysicsConfig(), max_speed=0.5)
    w.pos[:, 1] = 10.0
    force = torch.zeros(3, 2, 2, dtype=torch.float64)
    force[..., 0] = 100.0
    w.step(force)
    assert w.vel[:, 0].norm(dim=-1).max().item() == pytest.approx(0.5)


def test_contact_force_is_mpe_softplus_and_conserves_momentum() -> None:
    ph = PhysicsConfig()
    w = two_bodies(ph, radius=0.1)
    w.pos[:, 0] = torch.tensor([0.0, 0.0])
    w.pos[:, 1] = torch.tensor([0.15, 0.0], dtype=torch.float64)  # overlap 0.05
    f = w.contact_forces()
    k = ph.contact_margin
    expected = ph.contact_force * math.log1p(math.exp(0.05 / k)) * k
    assert f[0, 1, 0].item() == pytest.approx(expected, rel=1e-9)
    assert torch.allclose(f[:, 0], -f[:, 1])
    w.step(torch.zeros(3, 2, 2, dtype=torch.float64))
    assert torch.allclose(w.vel.sum(1), torch.zeros(3, 2, dtype=torch.float64), atol=1e-12)


def test_immovable_obstacle_does_not_move_and_pushes_back() -> None:
    ents = [EntitySpec("a_0", "agent", "a", movable=True, radius=0.1),
            EntitySpec("o", "obstacle", radius=0.2)]
    w = World(WorldSpec(ents), num_envs=1, dtype=torch.float64)
    w.pos[0, 1] = torch.tensor([0.25, 0.0])
    w.step(torch.zeros(1, 1, 2, dtype=torch.float64))
    assert w.pos[0, 1].tolist() == [0.25, 0.0]
    assert w.vel[0, 0, 0].item() < 0


def test_walls_keep_bodies_inside() -> None:
    w = two_bodies(PhysicsConfig(bound=1.0), radius=0.1)
    w.pos[:, 1] = torch.tensor([-0.5, -0.5])
    force = torch.zeros(3, 2, 2, dtype=torch.float64)
    force[:, 0] = 5.0
    for _ in range(50):
        w.step(force)
    assert w.pos.abs().max().item() <= 0.9 + 1e-12


def test_static_friction_threshold() -> None:
    ents = [EntitySpec("a_0", "agent", "a", movable=True, friction=2.0),
            EntitySpec("a_1", "agent", "a", movable=True, friction=2.0)]
    w = World(WorldSpec(ents), num_envs=1, dtype=torch.float64)
    w.pos[0, 1] = torch.tensor([3.0, 0.0])
    w.step(torch.tensor([[[1.9, 0.0], [2.5, 0.0]]], dtype=torch.float64))
    assert w.vel[0, 0].abs().max().item() == 0.0  # below the threshold: stays put
    assert w.vel[0, 1, 0].item() == pytest.approx(0.5 * 0.1)  # (2.5 - 2.0) * dt / m


def test_env_last_pair_helpers_equal_the_broadcast_forms() -> None:
    """arena.sim.pairs computes with the env axis innermost; the values are those of the
    plain (B, n, m, d) broadcasts: differences exactly, distances to float rounding."""
    from arena.sim.pairs import ENV_LAST_MIN, pairwise_delta, pairwise_distance, picked_delta

    torch.manual_seed(0)
    index = torch.tensor([[1, 2], [0, 2], [0, 1]])
    for envs in (7, ENV_LAST_MIN + 1):  # the plain path and the env-last path
        a, b = torch.randn(envs, 3, 2), torch.randn(envs, 4, 2)
        assert torch.equal(pairwise_delta(b, a), b.unsqueeze(1) - a.unsqueeze(2))
        ref = (a.unsqueeze(2) - b.unsqueeze(1)).norm(dim=-1)
        assert pairwise_distance(a, b).shape == (envs, 3, 4)
        assert torch.allclose(pairwise_distance(a, b), ref, atol=1e-6)
        expected = a[:, index] - a.unsqueeze(2)  # (envs, 3, 2, 2)
        assert torch.equal(picked_delta(a, index), expected)
    # both paths give the same distances, bit for bit, for the same points
    big = torch.randn(ENV_LAST_MIN, 3, 2)
    assert torch.equal(pairwise_distance(big, big)[:5], pairwise_distance(big[:5], big[:5]))


def _dense_contact_forces(w: World) -> torch.Tensor:
    """Contact forces the plain way, every ordered pair, for comparison with the world's."""
    pos, radius = w.pos, w.radius
    delta = pos.unsqueeze(2) - pos.unsqueeze(1)  # (B, E, E, 2): p_i - p_j
    dist = delta.norm(dim=-1).clamp_min(1e-12)
    ph, n = w.physics, w.num_entities
    ents = w.entities
    allowed = torch.tensor([[i != j and a.collide and b.collide and (a.movable or b.movable)
                             for j, b in enumerate(ents)] for i, a in enumerate(ents)])
    pen = torch.nn.functional.softplus((radius.view(1, n, 1) + radius.view(1, 1, n) - dist)
                                       / ph.contact_margin) * ph.contact_margin
    weight = ph.contact_force * pen / dist * allowed * (w.active.unsqueeze(2)
                                                        & w.active.unsqueeze(1))
    return (delta * weight.unsqueeze(-1)).sum(2)


@pytest.mark.parametrize("envs", [5, 600])
def test_pairwise_contact_forces_equal_the_dense_sum_over_ordered_pairs(envs: int) -> None:
    """Each unordered pair is computed once and applied with opposite signs; the forces are
    those of the plain sum over every ordered pair (agents, an obstacle, a non-colliding
    landmark; with deactivated entities)."""
    ents = [EntitySpec(f"a_{i}", "agent", "a", movable=True, radius=0.1 + 0.02 * i)
            for i in range(4)]
    ents += [EntitySpec("o", "obstacle", radius=0.2),
             EntitySpec("l", "landmark", collide=False)]
    w = World(WorldSpec(ents), num_envs=envs, dtype=torch.float64)
    g = torch.Generator().manual_seed(0)
    w.pos = torch.rand(w.pos.shape, generator=g, dtype=torch.float64) * 0.6
    assert torch.allclose(w.contact_forces(), _dense_contact_forces(w), rtol=1e-12,
                          atol=1e-12)
    w.active = torch.rand(w.active.shape, generator=g) > 0.3
    w.dynamic_activity = True
    assert torch.allclose(w.contact_forces(), _dense_contact_forces(w), rtol=1e-12,
                          atol=1e-12)


def test_far_pairs_exert_exactly_no_force() -> None:
    """Pairs whose softplus would be subnormal (far apart) exert an exact zero, not a
    subnormal force (subnormal arithmetic is many times slower on CPU)."""
    w = two_bodies(PhysicsConfig(), radius=0.1)
    w = World(w.spec, num_envs=3, dtype=torch.float32)
    w.pos[:, 1] = torch.tensor([[0.27, 0.0], [0.29, 0.0], [3.0, 0.0]])
    f = w.contact_forces()
    assert f[1:].abs().max().item() == 0.0  # 90 contact margins apart and more
    assert torch.finfo(torch.float32).tiny < f[0, 1, 0].item() < 1e-30  # 70 apart


def test_linear_features_are_exact_on_every_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Observation features as a product with a 0/+1/-1 matrix equal the plain
    gather-and-subtract, bit for bit; so do the gathered path (reduced matmul precision) and
    the column path used under torch.compile."""
    from arena.sim.features import LinearFeatures, Pos, Rel, Vel, Zeros

    g = torch.Generator().manual_seed(1)
    pos = torch.randn(300, 5, 2, generator=g) * 3
    vel = torch.randn(300, 5, 2, generator=g)
    rows = [[Vel(i), Pos(i), Rel(4, i), Rel((i + 1) % 3, i), Zeros(3)] for i in range(3)]
    feats = LinearFeatures(rows, 5, torch.device("cpu"), torch.float32)
    ref = torch.stack([torch.cat([vel[:, i], pos[:, i], pos[:, 4] - pos[:, i],
                                  pos[:, (i + 1) % 3] - pos[:, i], torch.zeros(300, 3)], -1)
                       for i in range(3)], dim=1)
    assert torch.equal(feats(pos, vel), ref)
    torch.set_float32_matmul_precision("medium")
    try:
        assert torch.equal(feats(pos, vel), ref)  # gathered, not a reduced-precision matmul
    finally:
        torch.set_float32_matmul_precision("highest")
    monkeypatch.setattr(torch.compiler, "is_compiling", lambda: True)
    assert torch.equal(feats(pos, vel), ref)
    with pytest.raises(ValueError, match="same width"):
        LinearFeatures([[Pos(0)], [Pos(1), Zeros(1)]], 5, torch.device("cpu"), torch.float32)
    with pytest.raises(ValueError, match="entity 7"):
        LinearFeatures([[Rel(7, 0)]], 5, torch.device("cpu"), torch.float32)


@pytest.mark.parametrize("compiled", [False, True])
def test_action_forces_equal_the_moves_table(compiled: bool) -> None:
    """Discrete moves (a pre-scaled table, or arithmetic when compiled) and MPE-format
    continuous actions give MOVES x accel and (+x - -x, +y - -y) x accel exactly."""
    from arena.core.forces import ActionForces
    from arena.core.scenario import MOVES

    accel = torch.tensor([5.0, 3.0, 4.0])
    g = torch.Generator().manual_seed(2)
    moves = torch.randint(0, 5, (257, 3), generator=g)
    expected = torch.tensor(MOVES)[moves] * accel.view(3, 1)
    assert torch.equal(ActionForces(accel, False, True)(moves, compiled), expected)
    a = torch.rand(257, 3, 5, generator=g)
    mpe = torch.stack([a[..., 2] - a[..., 1], a[..., 4] - a[..., 3]], -1) * accel.view(3, 1)
    assert torch.equal(ActionForces(accel, True, True)(a, compiled), mpe)
    xy = torch.rand(257, 3, 2, generator=g)
    assert torch.equal(ActionForces(accel, True, False)(xy, compiled), xy * accel.view(3, 1))
