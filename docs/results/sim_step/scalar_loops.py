"""The compiled step with inductor's vectorized CPU loops (torch's default) against scalar
loops (``cpp.simdlen: 1``, what ``VecEnv(compile=True)`` uses), with VMAS side by side,
alternated in one process, discrete and continuous actions drawn in advance (the step alone).

    python docs/results/sim_step/scalar_loops.py --num-envs 8192 --rounds 3 \\
        --json docs/results/sim_step/scalar_loops.json
"""

from __future__ import annotations

import argparse
import json

import arena.core.vec_env as vec_env
from arena.tools.bench_env import bench_arena, bench_vmas

SCALAR = dict(vec_env._STEP_OPTIONS)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--num-envs", type=int, nargs="+", default=[8192])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--json", default=None)
    args = p.parse_args()
    rows = []
    for n in args.num_envs:
        for rnd in range(args.rounds):
            for continuous in (False, True):
                rates = {}
                for loops, options in (("vectorized", {}), ("scalar", SCALAR)):
                    vec_env._STEP_OPTIONS = options
                    rates[loops] = bench_arena(n, args.steps, compile=True,
                                               continuous=continuous,
                                               action_pool=16).steps_per_s
                rates["vmas"] = bench_vmas(n, args.steps, continuous, 16).steps_per_s
                row = {"num_envs": n, "round": rnd, "continuous": continuous, **rates}
                rows.append(row)
                print(f"| {n} | {'continuous' if continuous else 'discrete'} | {rnd} | "
                      f"{rates['vectorized']:,.0f} ({rates['vectorized'] / rates['vmas']:.2f}x) | "
                      f"{rates['scalar']:,.0f} ({rates['scalar'] / rates['vmas']:.2f}x) | "
                      f"{rates['vmas']:,.0f} |", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
