"""Frames, GIFs and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

import arena
from arena.cli import main


@pytest.mark.parametrize("env_id", arena.list_envs())
def test_rgb_frames(env_id: str) -> None:
    turns = arena.make(env_id).turn_based  # agents in turn: the AEC form
    par = (arena.make_aec_env if turns else arena.make_parallel_env)(env_id,
                                                                     render_mode="rgb_array")
    par.reset(seed=0)
    frame = par.render()
    assert frame is not None and frame.shape[2] == 3 and frame.dtype == np.uint8
    assert (frame < 250).any(), "the frame should show something besides the background"


def test_demo_writes_gif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gif = tmp_path / "demo.gif"
    assert main(["demo", "coordination/simple_spread-v0", "--episodes", "2", "--gif", str(gif),
                 "N=4"]) == 0
    with Image.open(gif) as img:
        assert img.n_frames > 25  # two episodes (PIL merges identical consecutive frames)
    assert "coverage" in capsys.readouterr().out


def test_sampled_gif_is_seeded_and_leaves_the_global_stream(tmp_path: Path) -> None:
    """A GIF of actions drawn from the global random stream is the same on every call with one
    seed and another with another seed, and the caller's random stream is untouched."""
    import torch

    from arena.interfaces.episodes import write_episode_gif

    env = arena.make("coordination/simple_spread-v0", num_envs=1, auto_reset=False)

    def sampling(obs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {team: torch.randint(0, 5, o.shape[:2]) for team, o in obs.items()}

    def frames(name: str, seed: int) -> list[bytes]:
        gif = write_episode_gif(sampling, env, tmp_path / name, seed=seed)
        with Image.open(gif) as img:
            return [f.convert("RGB").tobytes() for f in ImageSequence.Iterator(img)]

    torch.manual_seed(7)
    state = torch.get_rng_state()
    first, second, other = frames("a.gif", 3), frames("b.gif", 3), frames("c.gif", 4)
    assert torch.equal(torch.get_rng_state(), state)
    assert first == second and first != other


def test_envs_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["envs", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    breach = next(r for r in rows if r["id"] == "attack_defense/breach-v0")
    assert set(breach["teams"]) == {"attacker", "defender"}
    assert breach["arguments"]["num_attackers"] == 3


def test_cli_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "navigation/navigation-v0", "num_agent=3"]) == 2
    assert "did you mean 'num_agents'" in capsys.readouterr().err
    for count in (["eval", "RUN", "--episodes", "0"], ["bench", "--num-envs", "64", "-2"]):
        with pytest.raises(SystemExit):
            main(count)
        assert "must be >= 1, got" in capsys.readouterr().err


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--num-envs", "1", "64", "--steps", "5"]) == 0
    assert "| arena | 64 |" in capsys.readouterr().out
    assert main(["bench", "--num-envs", "64", "--steps", "5", "--continuous"]) == 0
    out = capsys.readouterr().out
    assert "| arena | 64 |" in out and "ParallelEnv" not in out  # no discrete-only rows
    assert main(["bench", "--num-envs", "64", "--steps", "5", "--action-pool", "3"]) == 0
    assert "| arena | 64 |" in capsys.readouterr().out


def test_action_pool_cycles_through_batches_drawn_in_advance() -> None:
    from arena.tools.bench_env import _pooled

    drawn = iter(range(100))
    pooled = _pooled(lambda: next(drawn), 3)
    assert [pooled() for _ in range(7)] == [0, 1, 2, 0, 1, 2, 0]  # drawn once, in order
    assert next(drawn) == 3
    fresh = iter(range(100))
    assert [_pooled(lambda: next(fresh), 0)() for _ in range(3)] == [0, 1, 2]


def test_eval_scripted_policy_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    assert main(["eval", "scripted", "--env", "navigation/navigation-v0", "num_agents=2",
                 "--episodes", "50", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["env_kwargs"] == {"num_agents": 2} and report["episodes"] == 50
    assert report["rows"]["success"]["interval"] == "wilson"
    assert report["rows"]["success"]["mean"] > 0.8  # the potential field solves 2 agents
    assert "success" in capsys.readouterr().out
    assert main(["eval", "random"]) == 2
    assert "needs an env: --env ENV_ID" in capsys.readouterr().err
