"""MAPPO training throughput on a GPU (docs/benchmarks.md, "The update on the GPU"): env-steps/s
including updates and peak device memory, at `arena bench --training`'s matched
hyperparameters (simple_spread, 3 agents, 25 steps x num_envs per iteration, 10 full-batch
epochs, 64x64 tanh MLPs), for each update variant:

- ``chunk8192``: 8192 rows per forward/backward, the old default ``algo.chunk_size`` (now the
  CPU's; 0 chooses 2**20 on a GPU since these measurements);
- ``chunk131072``, ``whole``: larger chunks (``whole``: one chunk per epoch); the gradient is
  the same sum (tests/test_training.py);
- ``whole+bf16``: ``algo.precision: bfloat16``;
- ``whole+tf32``: float32 matmuls on TF32 tensor cores (``torch.set_float32_matmul_precision``);
- ``whole+fused``: Adam with ``fused=True`` (one kernel for the whole step);
- ``whole+compile``: ``algo.compile: true``.

Rows are run in the order given, each in this process with a fresh trainer (and dynamo reset);
the JSON is rewritten after every row, so a run cut short keeps what it measured.

Usage: python docs/results/gpu_update.py --device cuda --json F [--rows SPEC ...]
  SPEC = num_envs:critic:variant[:iterations], critic agent_state (per-agent) or state (per-env)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from arena.tools.bench_training import bench_arena_training

WHOLE = 2**24

DEFAULT_ROWS = [
    *(f"{n}:{c}:{v}" for n in (16384, 65536) for c in ("agent_state", "state")
      for v in ("whole", "whole+bf16", "whole+fused")),
    "16384:agent_state:whole+tf32", "65536:agent_state:whole+tf32",
    "65536:agent_state:chunk131072",
    "16384:agent_state:chunk8192:2", "16384:state:chunk8192:2",
    "16384:agent_state:whole+compile", "65536:agent_state:whole+compile",
    "65536:agent_state:chunk8192:1",
]


@contextlib.contextmanager
def _variant_env(variant: str) -> Iterator[None]:
    """Process-wide switches a variant needs while its trainer is built and run."""
    adam, precision = torch.optim.Adam, torch.get_float32_matmul_precision()
    if "fused" in variant:
        torch.optim.Adam = functools.partial(adam, fused=True)  # type: ignore[misc]
    if "tf32" in variant:
        torch.set_float32_matmul_precision("high")
    try:
        yield
    finally:
        torch.optim.Adam = adam  # type: ignore[misc]
        torch.set_float32_matmul_precision(precision)


def measure(spec: str, device: str, default_iterations: int) -> dict[str, Any]:
    parts = spec.split(":")
    num_envs, critic, variant = int(parts[0]), parts[1], parts[2]
    iterations = int(parts[3]) if len(parts) > 3 else default_iterations
    chunk = WHOLE if variant.startswith("whole") else int(variant.split("+")[0][5:])
    cuda = device != "cpu"
    gc.collect()
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    with _variant_env(variant):
        result = bench_arena_training(
            num_envs, iterations, device, critic_input=critic, compiled="compile" in variant,
            precision="bfloat16" if "bf16" in variant else "float32",
            overrides={"algo.chunk_size": chunk})
    return {"num_envs": num_envs, "critic": critic, "variant": variant, "chunk_size": chunk,
            "iterations": iterations, "env_steps_per_s": result.steps_per_s,
            "peak_mib": torch.cuda.max_memory_allocated() / 2**20 if cuda else None,
            "row_seconds": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--rows", nargs="+", default=DEFAULT_ROWS)
    parser.add_argument("--iterations", type=int, default=2, help="timed, after one warm-up")
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    meta = {"torch": torch.__version__,
            "device": torch.cuda.get_device_name() if args.device != "cpu" else "cpu"}
    rows: list[dict[str, Any]] = []
    print("| num_envs | critic | variant | env-steps/s | peak MiB | row s |\n"
          "|---|---|---|---:|---:|---:|", flush=True)
    for spec in args.rows:
        try:
            row = measure(spec, args.device, args.iterations)
        except Exception as e:  # a failed variant is recorded, the sweep goes on
            row = {"spec": spec, "error": f"{type(e).__name__}: {e}"[:500]}
            print(f"| {spec} | failed: {row['error']} |", flush=True)
        else:
            peak = f"{row['peak_mib']:,.0f}" if row["peak_mib"] is not None else ""
            print(f"| {row['num_envs']} | {row['critic']} | {row['variant']} | "
                  f"{row['env_steps_per_s']:,.0f} | {peak} | {row['row_seconds']:.1f} |",
                  flush=True)
        rows.append(row)
        Path(args.json).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
