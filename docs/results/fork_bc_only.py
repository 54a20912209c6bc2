"""Behaviour cloning alone on fork (no RL): the flow and Gaussian heads of
configs/navigation/fork_{flow,gaussian}.yaml fitted to the bimodal scripted policy by their
`pretrain` sections, then 1000 greedy and 1000 sampled evaluation episodes each, for seeds 0-2.
Usage: python docs/results/fork_bc_only.py > docs/results/fork_bc_only.json"""

from __future__ import annotations

import json
import tempfile

from arena.core.registry import make
from arena.interfaces.episodes import run_episodes
from arena.training.run_config import load_config
from arena.training.trainer import Trainer

rows = []
for head in ("flow", "gaussian"):
    for seed in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            cfg = load_config(f"configs/navigation/fork_{head}.yaml", overrides={
                "seed": seed, "log.run_dir": tmp, "log.progress": False,
                "log.tensorboard": False})
            trainer = Trainer(cfg)
            trainer._pretrain(None)
            for greedy in (True, False):
                policy = trainer.policy()
                policy.deterministic = greedy
                env = make("navigation/fork-v0", num_envs=1000)
                stats = run_episodes(env, policy.as_fn(), seed=12345).means()
                rows.append({"head": head, "seed": seed, "greedy": greedy,
                             **{k: stats[k] for k in ("success", "crashed", "passed_left")}})
print(json.dumps(rows, indent=1))
