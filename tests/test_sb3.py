"""The stable-baselines3 adapter: one team's agents as SB3 sub-envs (parameter sharing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import arena

pytest.importorskip("stable_baselines3")

from stable_baselines3 import PPO  # noqa: E402
from stable_baselines3.common.vec_env import VecCheckNan, VecMonitor  # noqa: E402

from baselines.sb3 import SB3VecEnv  # noqa: E402

ENV = "coordination/simple_spread-v0"


def test_matches_the_batched_env_step_for_step() -> None:
    venv = SB3VecEnv(arena.make(ENV, num_envs=4), seed=3)
    ref = arena.make(ENV, num_envs=4)
    obs, _ = ref.reset(seed=3)
    assert venv.num_envs == 12 and venv.observation_space == ref.observation_space("agent")
    np.testing.assert_array_equal(venv.reset(), obs["agent"].reshape(12, -1).numpy())
    rng = np.random.default_rng(0)
    for t in range(25):
        acts = rng.integers(0, 5, 12)
        o, r, d, infos = venv.step(acts)
        obs, rew, term, trunc, info = ref.step({"agent": torch.as_tensor(acts).reshape(4, 3)})
        np.testing.assert_array_equal(r, rew["agent"].reshape(-1).numpy())
        np.testing.assert_array_equal(o, obs["agent"].reshape(12, -1).numpy())
        assert d.tolist() == [t == 24] * 12
    final = info["final_observation"]["agent"].reshape(12, -1).numpy()
    for k in range(12):  # the episode ended on the time limit: SB3 bootstraps from it
        np.testing.assert_array_equal(infos[k]["terminal_observation"], final[k])
        assert infos[k]["TimeLimit.truncated"] is True


def test_other_team_is_scripted_and_bad_input_is_named() -> None:
    env = arena.make("attack_defense/breach-v0", num_envs=2)
    venv = SB3VecEnv(env, team="defender")
    assert venv.num_envs == 2 * len(env.teams["defender"])
    venv.reset()
    venv.step(np.zeros(venv.num_envs, dtype=np.int64))
    with pytest.raises(ValueError, match="team 'defender'.*do not fit"):
        venv.step(np.zeros(venv.num_envs + 1, dtype=np.int64))
    with pytest.raises(KeyError, match="'goalie' is not a team"):
        SB3VecEnv(env, team="goalie")


@pytest.mark.parametrize("continuous", [False, True])
def test_sb3_ppo_trains_on_it(continuous: bool) -> None:
    venv = VecCheckNan(VecMonitor(SB3VecEnv(arena.make(ENV, num_envs=8,
                                                       continuous_actions=continuous))))
    model = PPO("MlpPolicy", venv, n_steps=32, batch_size=96, n_epochs=2, seed=0)
    model.learn(2 * 32 * 24)
    assert model.num_timesteps == 2 * 32 * 24
    assert len(model.ep_info_buffer) > 0  # VecMonitor saw episodes end (25-step episodes)


def test_arena_train_runs_the_sb3_baseline(tmp_path: Path) -> None:
    from arena.cli import main

    cfg = tmp_path / "sb3.yaml"
    cfg.write_text("name: sb3\nenv: {id: coordination/simple_spread-v0, num_envs: 8}\n"
                   "rollout_steps: 16\ntotal_steps: 512\neval: {episodes: 10}\n"
                   "baseline: {name: sb3_ppo, n_epochs: 1, batch_size: 128}\n")
    run = tmp_path / "run"
    assert main(["train", str(cfg), "--run-dir", str(run)]) == 0
    assert (run / "sb3_model.zip").exists() and (run / "config.yaml").exists()
    header = (run / "progress.csv").read_text().splitlines()[0]
    assert "episode/return_agent" in header and "time/elapsed_s" in header
    assert "eval/return/agent" in (run / "eval.csv").read_text()
    assert main(["eval", str(run), "--episodes", "5", "--json", str(tmp_path / "r.json")]) == 0
    assert "return/agent" in (tmp_path / "r.json").read_text()
    cfg.write_text(cfg.read_text().replace("n_epochs: 1", "n_epoch: 1"))
    assert main(["train", str(cfg), "--run-dir", str(tmp_path / "bad")]) == 2
