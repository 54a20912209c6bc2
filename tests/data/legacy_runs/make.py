"""Writes the run directories in this folder: tiny seeded runs, kept as Arena wrote them, so
that tests can check that run directories written by an earlier version still load, evaluate
and resume. Uses only the command line and the public API (``arena.make``,
``arena.load_policy``), so the same script runs on any version.

    python tests/data/legacy_runs/make.py   # from the repository root

For each run, ``expected.pt`` holds greedy actions of the saved policy on 3 steps of a seeded
env, as the writing version computed them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import torch

import arena

HERE = Path(__file__).resolve().parent
TINY = ["total_steps=320", "env.num_envs=8", "rollout_steps=10", "time_limit=0",
        "log.progress=false", "log.tensorboard=false", "eval.gif=false", "eval.episodes=4",
        "policy.hidden_sizes=[16,16]", "algo.epochs=1"]
RUNS = {
    "mappo_simple_spread": ["configs/coordination/simple_spread_mappo.yaml"],
    "ssm_hidden_goal": ["configs/navigation/hidden_goal_ssm.yaml", "policy.embed_dim=8",
                        "algo.seq_len=5"],
    "breach_population": ["configs/attack_defense/breach_coevolution.yaml",
                          "pretrain.steps=2", "pretrain.num_envs=8",
                          "coevolution.generation=1", "coevolution.population_size=2"],
}


def main() -> None:
    for name, args in RUNS.items():
        run = HERE / name
        shutil.rmtree(run, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "arena", "train", args[0], "--run-dir", str(run),
                        *TINY, *args[1:]], check=True)
        cfg = run / "config.yaml"
        env_id = next(line.split(":", 1)[1].strip() for line in cfg.read_text().splitlines()
                      if line.strip().startswith("id:"))
        env = arena.make(env_id, num_envs=4)
        obs, _ = env.reset(seed=0)
        policy = arena.load_policy(run, env=env)
        record = []
        for _ in range(3):
            actions = policy(obs, starts=env.episode_starts())
            record.append({"obs": obs, "actions": actions})
            obs, *_ = env.step(actions)
        torch.save({"env_id": env_id, "steps": record}, run / "expected.pt")


if __name__ == "__main__":
    main()
