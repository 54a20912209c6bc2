"""Run directories written by an earlier Arena (tests/data/legacy_runs, made by its make.py
before the package was reorganized into layers) still load, play the same actions, evaluate
and resume."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

import arena
from arena.cli import main
from arena.training import checkpoint

LEGACY = Path(__file__).resolve().parent / "data" / "legacy_runs"
RUNS = ["mappo_simple_spread", "ssm_hidden_goal", "breach_population"]


@pytest.mark.parametrize("name", RUNS)
def test_a_legacy_run_plays_the_actions_it_played_when_written(name: str) -> None:
    run = LEGACY / name
    expected = torch.load(run / "expected.pt", weights_only=True)
    env = arena.make(expected["env_id"], num_envs=4)
    obs, _ = env.reset(seed=0)
    policy = arena.load_policy(run, env=env)
    for step in expected["steps"]:
        for team, x in step["obs"].items():
            assert torch.equal(obs[team], x), team
        actions = policy(obs, starts=env.episode_starts())
        assert actions.keys() == step["actions"].keys()
        for team, a in step["actions"].items():
            assert torch.equal(actions[team], a), team
        obs, *_ = env.step(actions)


def test_a_legacy_population_member_loads() -> None:
    member = LEGACY / "breach_population" / "population" / "defender_1.pt"
    policy = arena.load_policy(member)
    saved = checkpoint.load(member)["learners"]["defender"]["actor"]
    for key, value in policy.actors["defender"].state_dict().items():
        assert torch.equal(value, saved[key]), key


@pytest.mark.parametrize("name", ["mappo_simple_spread", "breach_population"])
def test_a_legacy_run_evaluates_and_resumes(tmp_path: Path, name: str) -> None:
    run = tmp_path / name
    shutil.copytree(LEGACY / name, run)
    assert main(["eval", str(run), "--episodes", "4", "--json", str(tmp_path / "r.json")]) == 0
    before = checkpoint.load(run)
    assert main(["train", "--resume", str(run), "total_steps=480"]) == 0
    after = checkpoint.load(run)
    assert before["env_steps"] == 320 and after["env_steps"] == 480
    assert after["iteration"] == before["iteration"] + 2
