"""Training throughput (env-steps per second including updates) of MAPPO on ``simple_spread``,
with BenchMARL's MAPPO on VMAS's ``simple_spread`` side by side at matched hyperparameters.
Run through ``arena bench --training``.

Matched: 3 agents, 25-step episodes, ``num_envs`` envs x 25 steps per iteration, 10 epochs over
the whole batch as one minibatch, MLP 64x64 tanh for actor and critic with no input
normalization (BenchMARL's MLP has none), discrete actions, no evaluation or logging inside the
timed iterations. Arena runs eager and with its compiled update (``algo.compile``). The first
iteration (allocation, warm-up, compiling) is not timed.
"""

from __future__ import annotations

import importlib.util
import time

import torch

from arena.interfaces.episodes import EpisodeTracker
from arena.tools.bench_env import BenchResult
from arena.training.run_config import load_config
from arena.training.trainer import Trainer

ROLLOUT = 25
EPOCHS = 10
LR = 7e-4


def bench_arena_training(num_envs: int, iterations: int, device: str = "cpu",
                         epochs: int = EPOCHS, critic_input: str = "agent_state",
                         compiled: bool = False, precision: str = "float32",
                         keep_freed_memory: bool = True,
                         overrides: dict[str, object] | None = None) -> BenchResult:
    """Arena's Trainer: collect ``num_envs x 25`` steps, then ``epochs`` full-batch epochs.
    ``critic_input="state"`` is the per-env critic (BenchMARL's architecture); ``compiled``
    compiles the update's loss (``algo.compile``; the compiling happens in the untimed first
    iteration); ``precision`` is ``algo.precision`` (``bfloat16``: the update under autocast);
    ``keep_freed_memory`` is the run config's key (process-wide once set); ``overrides`` are
    further run-config keys (e.g. ``{"algo.chunk_size": 2**20}``), named in the row."""
    import tempfile

    torch._dynamo.reset()  # each row compiles afresh, as its own run would (no cache limit hit)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(None, overrides={
            "env.id": "coordination/simple_spread-v0", "env.num_envs": num_envs,
            "env.kwargs": {"N": 3}, "device": device, "rollout_steps": ROLLOUT,
            "keep_freed_memory": keep_freed_memory,
            "policy.hidden_sizes": [64, 64], "policy.activation": "tanh",
            "policy.feature_norm": False,
            "algo.name": "mappo", "algo.lr": LR, "algo.critic_lr": LR,
            "algo.epochs": epochs, "algo.num_minibatches": 1, "algo.critic_input": critic_input,
            "algo.compile": compiled, "algo.precision": precision, "log.run_dir": tmp,
            "log.progress": False, "log.tensorboard": False, **(overrides or {})})
        trainer = Trainer(cfg)
        times = []
        for _ in range(iterations + 1):
            start = time.perf_counter()
            trainer.collector.collect(EpisodeTracker())
            trainer.update()
            if device != "cpu":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - start)
    rate = num_envs * ROLLOUT * iterations / sum(times[1:])
    critic = "per-env critic" if critic_input == "state" else "per-agent critic"
    mode = (", compiled" if compiled else "") + (f", {precision}" if precision != "float32" else "")
    mode += "".join(f", {k.split('.')[-1]}={v}" for k, v in (overrides or {}).items())
    return BenchResult(f"arena MAPPO ({epochs} epochs, {critic}{mode})", num_envs, rate)


def benchmarl_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("benchmarl", "vmas"))


def run_training_bench(num_envs: list[int], iterations: int, peers: bool, device: str = "cpu",
                       precisions: tuple[str, ...] = ("float32",), keep_freed_memory: bool = True
                       ) -> list[BenchResult]:
    """Arena at each ``num_envs``, eager and compiled, both critics, in each of
    ``precisions`` (``algo.precision``), and BenchMARL (float32) if ``peers``, all in this
    process and so under one allocator setting (``keep_freed_memory``)."""
    if peers and not benchmarl_available():  # before any measurement
        raise ValueError("arena bench --training --peers needs BenchMARL and VMAS, which are "
                         "not installed: run `make bench`, or pip install -e '.[peers]' "
                         "torch==2.13.0 (torch pinned, so that torchrl keeps this build)")
    results = []
    for n in num_envs:
        for precision in precisions:
            for compiled in (False, True):
                for critic in ("agent_state", "state"):
                    results.append(bench_arena_training(
                        n, iterations, device, critic_input=critic, compiled=compiled,
                        precision=precision, keep_freed_memory=keep_freed_memory))
        if peers:
            from arena.tools.benchmarl_peer import bench_benchmarl_training

            results.append(bench_benchmarl_training(n, iterations, device, EPOCHS, ROLLOUT, LR))
    return results


def training_table(results: list[BenchResult]) -> str:
    """A markdown table with Arena's ratio to BenchMARL at the same ``num_envs``."""
    peer = {r.num_envs: r.steps_per_s for r in results if r.name.startswith("BenchMARL")}
    lines = ["| trainer | num_envs | env-steps/s (incl. updates) | vs BenchMARL |",
             "|---|---:|---:|---:|"]
    for r in results:
        ref = peer.get(r.num_envs)
        ratio = f"{r.steps_per_s / ref:.1f}x" if ref and not r.name.startswith("Bench") else ""
        lines.append(f"| {r.name} | {r.num_envs} | {r.steps_per_s:,.0f} | {ratio} |")
    return "\n".join(lines)
