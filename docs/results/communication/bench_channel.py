"""The message channel's speed cost: env-steps/s of scouts (6 agents, random actions,
auto-reset every 25 steps) without a channel (talk=False), with the default channel, and
with every channel feature on (range, drops, noise, a 2-step delay, a cost), side by side,
interleaved, best of 5 repeats each. Usage: python bench_channel.py [NUM_ENVS ...]."""

from __future__ import annotations

import sys
import time

import torch

import arena

VARIANTS = {
    "no channel": {"talk": False},
    "channel": {},
    "channel, all features": {"channel": {"range": 1.0, "drop_prob": 0.1, "noise_std": 0.1,
                                          "delay": 2, "cost": 0.01}},
}


def rate(env: arena.VecEnv, steps: int) -> float:
    env.reset(seed=0)
    for _ in range(5):
        env.step(env.sample_actions())
    start = time.perf_counter()
    for _ in range(steps):
        env.step(env.sample_actions())
    return env.num_envs * steps / (time.perf_counter() - start)


def main(sizes: list[int]) -> None:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for n in sizes:
        envs = {k: arena.make("navigation/scouts-v0", num_envs=n, check_actions=False, **kw)
                for k, kw in VARIANTS.items()}
        steps = max(20, 400_000 // n)
        best = {k: 0.0 for k in envs}
        for _ in range(5):
            for k, env in envs.items():
                best[k] = max(best[k], rate(env, steps))
        base = best["no channel"]
        for k, r in best.items():
            print(f"{n:>6} envs  {k:<24} {r:>12,.0f} env-steps/s  {r / base:.2f}x")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1024, 8192])
