"""The pymunk backend: the same scenarios on rigid-body physics. Without contacts it follows the
torch backend's trajectories; with contacts bodies touch instead of overlapping (within pymunk's
slop, plus at most one substep of travel at the moment of impact)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import arena
from arena.adapters.testing import check_batched, check_pettingzoo
from arena.sim import make_world
from arena.sim.pymunk_world import PymunkConfig, PymunkWorld
from arena.sim.world import EntitySpec, PhysicsConfig, World, WorldSpec

SLOP = PymunkConfig().collision_slop


def ghosts(integrator: str) -> WorldSpec:
    """Three movable agents that collide with nothing (one speed-limited, one with static
    friction) and an immovable landmark."""
    ents = [EntitySpec("a0", team="agent", movable=True, collide=False),
            EntitySpec("a1", team="agent", movable=True, collide=False, max_speed=0.4,
                       mass=2.0),
            EntitySpec("a2", team="agent", movable=True, collide=False, friction=1.5),
            EntitySpec("l", kind="landmark", collide=False)]
    return WorldSpec(ents, PhysicsConfig(integrator=integrator))


@pytest.mark.parametrize("integrator", ["semi_implicit", "mpe"])
def test_without_contacts_trajectories_match_torch_backend(integrator: str) -> None:
    g = torch.Generator().manual_seed(0)
    worlds = [make_world(b, ghosts(integrator), 4) for b in ("torch", "pymunk")]
    start = torch.randn(4, 4, 2, generator=g)
    for w in worlds:
        w.pos = start.clone()
        w.vel = torch.randn(4, 4, 2, generator=torch.Generator().manual_seed(1))
        w.vel[:, 3] = 0.0
    for _ in range(60):
        force = 3.0 * torch.randn(4, 3, 2, generator=g)
        for w in worlds:
            w.step(force)
    torch_w, pymunk_w = worlds
    assert isinstance(pymunk_w, PymunkWorld) and not isinstance(torch_w, PymunkWorld)
    assert (torch_w.pos - start).abs().max() > 1.0  # they did move
    torch.testing.assert_close(pymunk_w.pos, torch_w.pos, rtol=0, atol=1e-5)
    torch.testing.assert_close(pymunk_w.vel, torch_w.vel, rtol=0, atol=1e-5)


def pushers(bound: float | None = 1.0) -> WorldSpec:
    ents = [EntitySpec(f"a{i}", team="agent", radius=0.05, movable=True) for i in range(2)]
    ents.append(EntitySpec("o", kind="obstacle", radius=0.1))
    return WorldSpec(ents, PhysicsConfig(bound=bound))


def overlap(w: World, i: int, j: int) -> float:
    d = (w.pos[0, i] - w.pos[0, j]).norm()
    return float(w.radius[i] + w.radius[j] - d)


@pytest.mark.parametrize("accel", [2.0, 5.0, 10.0])
def test_rigid_contacts_do_not_overlap_beyond_slop(accel: float) -> None:
    w = PymunkWorld(pushers(), 1)
    h = w.physics.dt / w.config.substeps
    w.pos[0] = torch.tensor([[-0.6, 0.0], [0.6, 0.0], [0.0, 0.5]])
    head_on = torch.tensor([[[1.0, 0.0], [-1.0, 0.0]]]) * accel
    worst_impact, speed = 0.0, 0.0
    for t in range(40):  # head on, then pushing against each other
        speed = max(speed, float((w.vel[0, 0] - w.vel[0, 1]).norm()))
        w.step(head_on)
        if t < 30:
            worst_impact = max(worst_impact, overlap(w, 0, 1))
        else:
            assert overlap(w, 0, 1) <= SLOP + 1e-4
    assert overlap(w, 0, 1) > 0.0  # they are touching, not apart
    assert worst_impact <= SLOP + speed * h + 1e-4
    # into the obstacle and into a corner of the walls
    w.pos[0] = torch.tensor([[0.0, 0.2], [0.5, 0.0], [0.0, 0.5]])
    w.vel.zero_()
    for t in range(40):
        speed = float(w.vel[0].norm(dim=-1).max())
        w.step(torch.tensor([[[0.0, 1.0], [1.0, 1.0]]]) * accel)
        into_wall = float((w.pos[0, 1].abs() + 0.05 - 1.0).max())
        limit = SLOP + 1e-4 if t >= 30 else SLOP + speed * h + 1e-4  # resting / arriving
        assert overlap(w, 0, 2) <= limit and into_wall <= limit
    assert float(w.pos[0, 2].norm() - 0.5) == pytest.approx(0.0, abs=1e-6)  # immovable


def test_torch_backend_soft_contacts_overlap_where_pymunk_does_not() -> None:
    worst = {}
    for backend in ("torch", "pymunk"):
        w = make_world(backend, pushers(), 1)
        w.pos[0] = torch.tensor([[-0.6, 0.0], [0.6, 0.0], [0.0, 0.5]])
        worst[backend] = 0.0
        for _ in range(40):
            w.step(torch.tensor([[[1.0, 0.0], [-1.0, 0.0]]]))
            worst[backend] = max(worst[backend], overlap(w, 0, 1))
        if backend == "pymunk":  # resting against each other at the end
            assert abs(overlap(w, 0, 1) - SLOP) < 1e-4
    assert worst["torch"] > 0.05  # soft contacts: they interpenetrate by half a radius or more
    assert worst["pymunk"] < 0.01


@pytest.mark.parametrize("env_id", ["coordination/simple_spread-v0", "navigation/navigation-v0",
                                    "attack_defense/breach-v0", "attack_defense/simple_tag-v0"])
def test_scenarios_run_on_pymunk(env_id: str) -> None:
    check_batched(env_id, num_envs=4, steps=30, backend="pymunk")
    a, b = (arena.make(env_id, num_envs=3, backend=k) for k in ("torch", "pymunk"))
    for team, obs in a.reset(seed=5)[0].items():  # same scenario code, same start
        torch.testing.assert_close(b.reset(seed=5)[0][team], obs)


def test_pettingzoo_api_on_pymunk() -> None:
    check_pettingzoo("coordination/simple_spread-v0", num_cycles=30, backend="pymunk")


def test_backend_errors_are_named() -> None:
    with pytest.raises(ValueError, match="backend must be one of"):
        arena.make("coordination/simple_spread-v0", backend="box2d")
    with pytest.raises(ValueError, match="compile=True needs the torch backend"):
        arena.make("coordination/simple_spread-v0", backend="pymunk", compile=True)
    with pytest.raises(ValueError, match="pymunk backend runs on the CPU"):
        PymunkWorld(pushers(), 1, device="meta")


def test_train_on_pymunk_and_eval_on_both_backends(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from arena.cli import main
    from arena.training.run_config import load_config
    from arena.training.trainer import Trainer

    cfg = load_config(None, overrides={
        "env.backend": "pymunk", "env.id": "navigation/navigation-v0", "env.num_envs": 4,
        "rollout_steps": 10, "total_steps": 80, "log.progress": False, "log.tensorboard": False,
        "eval.episodes": 3, "eval.gif": False, "log.run_dir": str(tmp_path / "run"),
        "policy.hidden_sizes": [16, 16]})
    trainer = Trainer(cfg)
    assert trainer.env.backend == "pymunk"
    assert trainer.train()["env_steps"] == 80
    out = tmp_path / "s2s.json"
    assert main(["eval", str(tmp_path / "run"), "--episodes", "6", "--backend", "torch",
                 "pymunk", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "torch physics" in text and "pymunk physics" in text and "success" in text
    reports = json.loads(out.read_text())
    assert [r["backend"] for r in reports] == ["torch", "pymunk"]
    assert all(r["rows"]["success"]["n"] == 6 for r in reports)
    with pytest.raises(arena.ConfigError, match="backend"):
        load_config(None, overrides={"env.backend": "pymunk", "env.compile": True})
