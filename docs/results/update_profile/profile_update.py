"""Where the MAPPO update's time goes, op by op (torch.profiler), at `arena bench --training`'s
matched hyperparameters (docs/benchmarks.md), and how fast this CPU runs the update's matmul
shapes on their own.

Usage: python docs/results/update_profile/profile_update.py [--critic agent_state|state]
       [--compile] [--num-envs 1024]"""

from __future__ import annotations

import argparse
import tempfile
import time

import torch
from torch.profiler import ProfilerActivity, profile

from arena.interfaces.episodes import EpisodeTracker
from arena.tools.bench_training import EPOCHS, LR, ROLLOUT
from arena.training.run_config import load_config
from arena.training.trainer import Trainer


def trainer(num_envs: int, critic: str, compiled: bool) -> Trainer:
    return Trainer(load_config(None, overrides={
        "env.id": "coordination/simple_spread-v0", "env.num_envs": num_envs,
        "env.kwargs": {"N": 3}, "rollout_steps": ROLLOUT, "policy.hidden_sizes": [64, 64],
        "policy.activation": "tanh", "policy.feature_norm": False, "algo.name": "mappo",
        "algo.lr": LR, "algo.critic_lr": LR, "algo.epochs": EPOCHS, "algo.num_minibatches": 1,
        "algo.critic_input": critic, "algo.compile": compiled, "log.run_dir": tempfile.mkdtemp(),
        "log.progress": False, "log.tensorboard": False}))


def matmul_rates(rows: int) -> None:
    """GFLOP/s of the hidden layer's three products (forward, input and weight gradients)."""
    x, w, g, b = (torch.randn(rows, 64), torch.randn(64, 64), torch.randn(rows, 64),
                  torch.zeros(64))
    for name, f in (("forward addmm", lambda: torch.addmm(b, x, w.t())),
                    ("input gradient g @ W", lambda: g @ w),
                    ("weight gradient g^T @ x", lambda: g.t() @ x)):
        for _ in range(5):
            f()
        start = time.perf_counter()
        for _ in range(100):
            f()
        seconds = (time.perf_counter() - start) / 100
        print(f"{name:24s} ({rows} x 64 x 64): {2 * rows * 64 * 64 / seconds / 1e9:6.1f} GFLOP/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--critic", default="agent_state", choices=["agent_state", "state"])
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--num-envs", type=int, default=1024)
    args = parser.parse_args()
    t = trainer(args.num_envs, args.critic, args.compile)
    for _ in range(2):  # warm-up (and compiling)
        t.collector.collect(EpisodeTracker())
        t.update()
    t.collector.collect(EpisodeTracker())
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        t.update()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))
    matmul_rates(3 * 8192)  # one 8192-row chunk of 3 agents


if __name__ == "__main__":
    main()
