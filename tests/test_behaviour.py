"""Each scenario's scripted policy does its team's job better than random play, and the
per-env auto-reset and metrics behave as documented."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import torch

import arena
from arena.interfaces.episodes import run_episodes
from arena.interfaces.policies import mixed_policy, random_policy, scripted_policy
from arena.training.attack import AttackPlay, Saboteur
from arena.training.frozen import FrozenPolicy
from envs.common import bottleneck_assignment, greedy_assignment

ENV_IDS = arena.list_envs()
TURN_BASED = [e for e in ENV_IDS if arena.make(e).turn_based]


@pytest.mark.parametrize("env_id", [e for e in ENV_IDS if e not in TURN_BASED])
def test_each_team_heuristic_beats_random(env_id: str) -> None:
    env = arena.make(env_id, num_envs=128)
    for team in env.teams:
        # a team that acts only through a partner (a speaker) is scored with the partner
        # scripted in both runs: its scripted messages must beat random ones
        partner = LISTENERS.get((env_id, team))
        base = mixed_policy({t: scripted_policy if t == partner else random_policy
                             for t in env.teams})
        baseline = run_episodes(env, base, seed=1).means()
        policy = mixed_policy({t: scripted_policy if t in (team, partner) else random_policy
                               for t in env.teams})
        scripted = run_episodes(env, policy, seed=1).means()
        assert scripted[f"return/{team}"] > baseline[f"return/{team}"] + 0.5, (team, scripted,
                                                                              baseline)


LISTENERS = {("coordination/speaker_listener-v0", "speaker"): "listener"}
"""Teams whose only action is a message, and the team that hears it."""


@pytest.mark.parametrize("env_id", TURN_BASED)
def test_scripted_player_beats_random_in_every_seat(env_id: str) -> None:
    """Games: one seat scripted, the others random; the scripted seat wins far more than it
    loses, whichever seat it takes."""
    from arena.evaluation.seats import play_seats

    report = play_seats(arena.make(env_id, num_envs=300), scripted_policy, random_policy, 5)
    assert report.seats, env_id
    for seat, r in report.seats.items():
        assert r["win"]["rate"] > r["loss"]["rate"] + 0.5, (seat, r)
        assert r["illegal_actions"] == 0 and r["moves"] > 300


@pytest.mark.parametrize("env_id,metric,low", [
    ("coordination/simple_spread-v0", "coverage", 0.8),
    ("navigation/navigation-v0", "success", 0.9),
    ("navigation/hidden_goal-v0", "success", 0.9),
    ("navigation/fork-v0", "success", 0.95),
    ("coordination/transport-v0", "success", 0.4),
    ("attack_defense/simple_adversary-v0", "good_goal_dist", -0.15),
    ("coordination/speaker_listener-v0", "success", 0.95),
    ("coordination/reference-v0", "success", 0.95),
])
def test_heuristic_solves_task(env_id: str, metric: str, low: float) -> None:
    stats = run_episodes(arena.make(env_id, num_envs=200), scripted_policy, seed=2).means()
    value = stats[metric] if low >= 0 else -stats[metric]
    assert value > low, stats


def test_breach_attack_success_rates() -> None:
    env = arena.make("attack_defense/breach-v0", num_envs=300)
    both = run_episodes(env, scripted_policy, seed=3).means()["attack_success"]
    vs_random = run_episodes(env, mixed_policy({"attacker": scripted_policy,
                                                "defender": random_policy}), seed=3).means()
    assert vs_random["attack_success"] > 0.95
    assert both < 0.03  # the guard defense stops nearly every scripted attack
    for sizes, low, high in (((2, 4), 0.0, 0.03), ((5, 3), 0.5, 1.0)):  # shared / outnumbered
        env = arena.make("attack_defense/breach-v0", num_envs=300, num_attackers=sizes[0],
                         num_defenders=sizes[1])
        asr = run_episodes(env, scripted_policy, seed=3).means()["attack_success"]
        assert low <= asr <= high, (sizes, asr)
    intercept = arena.make("attack_defense/breach-v0", num_envs=300, scripted_defense="intercept")
    weaker = run_episodes(intercept, scripted_policy, seed=3).means()["attack_success"]
    assert 0.2 < weaker < 0.5  # the older, weaker scripted defense stops about two thirds
    with pytest.raises(ValueError, match="scripted_defense"):
        arena.make("attack_defense/breach-v0", num_envs=2, scripted_defense="zone")


def test_bottleneck_assignment_minimizes_the_worst_cost() -> None:
    gen = torch.Generator().manual_seed(0)
    cost = torch.rand(200, 3, 4, generator=gen)
    assign = bottleneck_assignment(cost)
    assert (assign.sort(-1).values.diff(dim=-1) > 0).all()  # one agent per target
    picked = cost.gather(2, assign.unsqueeze(-1)).squeeze(-1).max(-1).values
    best = torch.stack([cost[:, torch.arange(3), torch.tensor(p)].max(-1).values
                        for p in itertools.permutations(range(4), 3)]).min(0).values
    torch.testing.assert_close(picked, best)
    greedy = bottleneck_assignment(cost, max_permutations=1)  # too many: greedy fallback
    torch.testing.assert_close(greedy, greedy_assignment(cost))


def test_fork_heuristic_takes_both_ways_and_the_middle_fails() -> None:
    """The scripted policy passes left and right about equally often; driving straight at the
    goal (the average of the two ways) does not get around the obstacle."""
    env = arena.make("navigation/fork-v0", num_envs=400, num_agents=2)
    env.reset(seed=0)
    sides = []
    for _ in range(25):
        env.step(env.scripted_actions())
        sides.append(env.world.agent_pos[..., 0].sign())
    left = (torch.stack(sides)[-1] < 0).float().mean().item()
    assert 0.4 < left < 0.6

    def straight(env: arena.VecEnv, obs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        goal = obs["agent"][..., 4:6]
        return {"agent": goal / goal.norm(dim=-1, keepdim=True).clamp_min(1.0)}

    assert run_episodes(env, straight, seed=1).means()["success"] < 0.05


def test_navigation_scales_to_64_agents() -> None:
    env = arena.make("navigation/navigation-v0", num_envs=4, num_agents=64, num_obstacles=8,
                     arena_size=4.0, max_steps=150)
    stats = run_episodes(env, scripted_policy, seed=0).means()
    assert stats["at_goal_fraction"] > 0.8


def test_transport_needs_teamwork() -> None:
    alone = run_episodes(arena.make("coordination/transport-v0", num_envs=64, agents_needed=5),
                         scripted_policy).means()
    assert alone["delivered_fraction"] == 0.0  # 4 agents can't move a package needing 5
    big = arena.make("coordination/transport-v0", num_envs=8, num_agents=32, num_packages=8,
                     arena_size=4.0, max_steps=200)
    assert run_episodes(big, scripted_policy).means()["delivered_fraction"] > 0.1


@pytest.mark.parametrize("continuous", [False, True])
def test_default_saboteur_rams_at_full_force(continuous: bool) -> None:
    """The default scripted saboteur heads for the nearest honest teammate at full force, in
    either action format (with continuous actions it pushed at a force proportional to the
    gap, a tenth of full force at 0.1 away)."""
    env = arena.make("navigation/navigation-v0", num_envs=1, num_agents=3, num_obstacles=0,
                     continuous_actions=continuous)
    env.reset(seed=0)
    env.world.pos[0, :3] = torch.tensor([[0.0, 0.0], [0.1, -0.05], [-0.8, 0.8]])
    honest = torch.tensor([[False, True, True]])
    action = env.saboteur_actions("agent", honest)[0, 0]
    if continuous:  # straight at agent 1, unit length
        assert torch.allclose(action, torch.tensor([2.0, -1.0]) / 5 ** 0.5, atol=1e-6)
    else:  # the axis move closest to that direction: +x (MOVES[1] is -x, MOVES[2] is +x)
        assert int(action) == 2


def test_transport_saboteur_blocks_from_the_goal_side() -> None:
    """The scripted saboteur of transport is a blocker: taking the spot on the package's goal
    side, it pushes the package away from the goal, and it stops scripted pushers more often
    than random actions do."""
    env = arena.make("coordination/transport-v0", num_envs=1)
    env.reset(seed=0)
    world, scenario = env.world, env.scenario
    world.pos[0, 4] = torch.tensor([0.0, 0.0])  # the package; its goal on the +x side
    scenario.goal[0, 0] = torch.tensor([0.8, 0.0])
    world.pos[0, 0] = torch.tensor([0.2, 0.0])  # touching it on the goal side (0.15 + 0.05)
    world.pos[0, 1:4] = torch.tensor([[-0.6, 0.6], [-0.6, -0.6], [0.6, -0.6]])
    honest = torch.tensor([[False, True, True, True]])
    direction = scenario.saboteur_direction(world, "agent", honest)[0, 0]
    assert torch.allclose(direction, torch.tensor([-1.0, 0.0]), atol=1e-6)  # back, off the goal

    env = arena.make("coordination/transport-v0", num_envs=256)
    attacked = torch.zeros(256, 4, dtype=torch.bool)
    attacked[:, 0] = True
    success = {}
    for name in ("clean", "random", "scripted"):
        victim = FrozenPolicy("agent", "scripted", env, env.device)
        attacker = (None if name == "clean" else Saboteur("agent", ~attacked)
                    if name == "scripted" else FrozenPolicy("agent", "random", env, env.device))
        play = AttackPlay(env, "agent", victim, attacker, attacked)
        success[name] = float(run_episodes(env, play, seed=3).metrics["task_success"].mean())
    assert success["scripted"] < success["random"] - 0.05 < success["clean"] - 0.1, success


def test_auto_reset_only_touches_finished_envs() -> None:
    env = arena.make("navigation/navigation-v0", num_envs=6)
    env.reset(seed=0)
    for _ in range(5):
        env.step(env.sample_actions())
    env.t[:3] = env.max_steps - 1  # envs 0-2 end on the next step
    before = env.world.pos.clone()
    actions = {"agent": torch.zeros(6, 4, dtype=torch.long)}
    obs, _, term, trunc, info = env.step(actions)
    assert trunc[:3].all() and not trunc[3:].any()
    assert torch.equal(env.t, torch.tensor([0, 0, 0, 6, 6, 6]))
    # envs 3-5 only moved by physics (no-op actions, small drift); envs 0-2 got new positions
    assert (env.world.pos[3:] - before[3:]).abs().max() < 0.2
    assert (env.world.pos[:3] - before[:3]).abs().max() > 0.2
    final = info["final_observation"]["agent"]
    assert not torch.equal(final[:3], obs["agent"][:3]) and torch.equal(final[3:], obs["agent"][3:])


def test_seeds_differ_and_repeat() -> None:
    a = arena.make("coordination/simple_spread-v0", num_envs=4)
    b = arena.make("coordination/simple_spread-v0", num_envs=4)
    assert torch.equal(a.reset(seed=5)[0]["agent"], b.reset(seed=5)[0]["agent"])
    assert not torch.equal(a.reset(seed=5)[0]["agent"], b.reset(seed=6)[0]["agent"])


def _assert_compiled_step_is_eager(env_id: str, num_envs: int, steps: int, atol: float,
                                   **kwargs: Any) -> None:
    """The compiled step gives the eager step's observations and rewards, from a fresh dynamo
    state (past its recompile limit dynamo would silently run the eager step)."""
    torch._dynamo.reset()
    graphs = torch._dynamo.utils.counters["stats"]["unique_graphs"]
    eager = arena.make(env_id, num_envs=num_envs, **kwargs)
    compiled = arena.make(env_id, num_envs=num_envs, compile=True, **kwargs)
    eager.reset(seed=1)
    compiled.reset(seed=1)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        actions = eager.sample_actions(generator=gen)
        o1, r1, *_ = eager.step(actions)
        o2, r2, *_ = compiled.step(actions)
        for team in o1:
            torch.testing.assert_close(o1[team], o2[team], atol=atol, rtol=1e-5)
            torch.testing.assert_close(r1[team], r2[team], atol=atol, rtol=1e-5)
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] > graphs  # it did compile


@pytest.mark.parametrize("env_id,kwargs", [
    ("coordination/simple_spread-v0", {}),
    ("coordination/simple_spread-v0", {"continuous_actions": True}),
    ("coordination/transport-v0", {}),
])
def test_compiled_step_matches_eager_at_many_envs(env_id: str, kwargs: dict) -> None:
    """Scalar C++ loops, and the envs-innermost pairwise work of 256 envs and more."""
    _assert_compiled_step_is_eager(env_id, 512, 40, 1e-4, **kwargs)


def test_compiled_step_matches_eager() -> None:
    _assert_compiled_step_is_eager("attack_defense/simple_tag-v0", 16, 30, 1e-5)


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_masked_reset_touches_only_masked_envs(env_id: str) -> None:
    """On accelerators the env never asks the host whether an env finished: it calls the
    scenario's reset with the done mask every step, so a reset must leave unmasked envs (state,
    scenario tensors, observations) exactly as they were."""
    env = arena.make(env_id, num_envs=6)
    env.reset(seed=0)
    steps = 3 if env.turn_based else 7  # no episode ends before (a game takes 5+ moves)
    for _ in range(steps):
        env.step(env.sample_actions())
    mask = torch.tensor([True, False, False, True, False, False])
    before = (env.world.pos.clone(), env.world.vel.clone(), env.world.active.clone(),
              torch.cat([o.flatten(1) for o in env.scenario.observation(env.world).values()], 1))
    env._reset_envs(mask)
    after = (env.world.pos, env.world.vel, env.world.active,
             torch.cat([o.flatten(1) for o in env.scenario.observation(env.world).values()], 1))
    for b, a in zip(before, after, strict=True):
        assert torch.equal(b[~mask], a[~mask])
    moved = 0 if env.scenario.physics else 3  # positions, or a board game's observations
    assert not torch.equal(before[moved][mask], after[moved][mask])
    assert bool((env.t[mask] == 0).all()) and bool((env.t[~mask] == steps).all())
