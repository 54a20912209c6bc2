"""Env-step throughput of ``simple_spread`` (3 agents, random actions, auto-reset every 25
steps), with optional side-by-side peers: VMAS's ``simple_spread`` and MPE2's
``simple_spread_v3``. Run through ``arena bench``."""

from __future__ import annotations

import importlib.util
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch

ENV_ID = "coordination/simple_spread-v0"
_A = TypeVar("_A")


@dataclass
class BenchResult:
    """One measurement: who, how many envs, env-steps per second."""

    name: str
    num_envs: int
    steps_per_s: float


def _timed(step: Callable[[], None], num_envs: int, steps: int, warmup: int,
           sync: Callable[[], None] = lambda: None) -> float:
    for _ in range(warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    return num_envs * steps / (time.perf_counter() - start)


def _pooled(sample: Callable[[], _A], pool: int) -> Callable[[], _A]:
    """``sample`` itself, or with ``pool > 0`` a cycle through ``pool`` batches it drew in
    advance (the timed loop then measures the env's step alone)."""
    if pool <= 0:
        return sample
    batches = [sample() for _ in range(pool)]
    counter = itertools.count()
    return lambda: batches[next(counter) % pool]


def bench_arena(num_envs: int, steps: int, device: str = "cpu", compile: bool = False,
                check_actions: bool = False, backend: str = "torch",
                continuous: bool = False, action_pool: int = 0) -> BenchResult:
    """Arena's batched env, random actions sampled on the device every step (MPE's 5-dim
    continuous actions with ``continuous``), or drawn in advance (``action_pool``)."""
    from arena.core.registry import make

    if compile:  # a fresh compile cache per size: sizes must not eat the recompile limit
        torch._dynamo.reset()
    env = make(ENV_ID, num_envs=num_envs, device=device, compile=compile,
               check_actions=check_actions, backend=backend, continuous_actions=continuous)
    env.reset(seed=0)
    actions = _pooled(env.sample_actions, action_pool)

    def step() -> None:
        env.step(actions())

    def sync() -> None:
        if env.device.type == "cuda":
            torch.cuda.synchronize(env.device)

    rate = _timed(step, num_envs, steps, warmup=50 if compile else 5, sync=sync)
    name = "arena" + (" (compiled)" if compile else "")
    name += f" ({backend})" if backend != "torch" else ""
    return BenchResult(name, num_envs, rate)


def _bench_parallel(make_env: Callable[[], object], name: str, steps: int) -> BenchResult:
    env = make_env()
    env.reset(seed=0)  # type: ignore[attr-defined]
    agents = list(env.possible_agents)  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 5, (steps, len(agents)))
    actions = [{a: int(x) for a, x in zip(agents, row, strict=True)} for row in rows]
    it = iter(actions * 2)

    def step() -> None:
        if not env.agents:  # type: ignore[attr-defined]
            env.reset()  # type: ignore[attr-defined]
        env.step(next(it))  # type: ignore[attr-defined]

    return BenchResult(name, 1, _timed(step, 1, steps, warmup=min(steps, 100)))


def bench_parallel_arena(steps: int, compile: bool = False) -> BenchResult:
    """Arena's PettingZoo ParallelEnv (one env, numpy in and out; ``compile``: its step as
    one ``torch.compile`` graph, compiled during the warm-up)."""
    from arena.adapters.pettingzoo import make_parallel_env

    name = "arena ParallelEnv" + (" (compiled)" if compile else "")
    return _bench_parallel(lambda: make_parallel_env(ENV_ID, compile=compile), name, steps)


def bench_mpe2(steps: int) -> BenchResult:
    """MPE2's ``simple_spread_v3`` ParallelEnv."""
    from mpe2 import simple_spread_v3

    return _bench_parallel(simple_spread_v3.parallel_env, "mpe2 ParallelEnv", steps)


def bench_vmas(num_envs: int, steps: int, continuous: bool = False, action_pool: int = 0
               ) -> BenchResult:
    """VMAS's ``simple_spread`` (3 agents, discrete or continuous actions: 2-dim forces),
    reset when its episodes end; random actions drawn every step, or in advance
    (``action_pool``)."""
    import vmas

    env = vmas.make_env("simple_spread", num_envs=num_envs, device="cpu",
                        continuous_actions=continuous, max_steps=25, seed=0)
    env.reset()
    space = env.action_space[0]

    def random_actions() -> list[torch.Tensor]:
        if not continuous:
            return [torch.randint(0, int(space.n), (num_envs, 1)) for _ in env.agents]
        low = torch.as_tensor(space.low, dtype=torch.float32)
        high = torch.as_tensor(space.high, dtype=torch.float32)
        return [low + (high - low) * torch.rand(num_envs, *space.shape) for _ in env.agents]

    actions = _pooled(random_actions, action_pool)

    def step() -> None:
        _, _, done, _ = env.step(actions())
        if bool(done.any()):
            env.reset()

    return BenchResult("vmas", num_envs, _timed(step, num_envs, steps, warmup=5))


GAME_ID = "games/tictactoe-v0"


def bench_game(num_envs: int, steps: int, device: str = "cpu") -> BenchResult:
    """Arena's batched tictactoe: moves per second with random legal moves (masked sampling
    on the device), games reset in place."""
    from arena.core.registry import make

    env = make(GAME_ID, num_envs=num_envs, device=device, check_actions=False)
    env.reset(seed=0)

    def step() -> None:
        env.step(env.sample_actions())

    return BenchResult("arena tictactoe", num_envs, _timed(step, num_envs, steps, warmup=5))


def bench_pettingzoo_game(steps: int) -> BenchResult:
    """PettingZoo's ``tictactoe_v3`` AEC env: moves per second with random legal moves
    (finished agents stepped out with ``None``, then a reset)."""
    from pettingzoo.classic import tictactoe_v3

    env = tictactoe_v3.env()
    env.reset(seed=0)
    rng = np.random.default_rng(0)

    def step() -> None:
        while env.agents and (env.terminations[env.agent_selection]
                              or env.truncations[env.agent_selection]):
            env.step(None)
        if not env.agents:
            env.reset()
        mask = env.observe(env.agent_selection)["action_mask"]
        env.step(int(rng.choice(np.flatnonzero(mask))))

    return BenchResult("pettingzoo tictactoe_v3", 1, _timed(step, 1, steps, warmup=100))


def run_games(num_envs_list: list[int], steps: int, device: str = "cpu") -> list[BenchResult]:
    """``arena bench --games``: the batched game at each size next to PettingZoo's."""
    results = [bench_pettingzoo_game(steps * 20)]
    for n in num_envs_list:
        results.append(bench_game(n, max(10, min(steps, steps * 1024 // max(n, 1))), device))
    return results


def game_table(results: list[BenchResult]) -> str:
    """A markdown table with each size's ratio to PettingZoo's single env."""
    ref = next(r.steps_per_s for r in results if r.name.startswith("pettingzoo"))
    lines = ["| env | num_envs | moves/s | vs PettingZoo |", "|---|---:|---:|---:|"]
    lines += [f"| {r.name} | {r.num_envs} | {r.steps_per_s:,.0f} | {r.steps_per_s / ref:.1f}x |"
              for r in results]
    return "\n".join(lines)


def peers_available() -> dict[str, bool]:
    """Which peer packages are importable."""
    return {name: importlib.util.find_spec(name) is not None for name in ("vmas", "mpe2")}


PYMUNK_MAX_ENVS = 4096
"""The pymunk backend steps one space per env in Python: larger sizes only take longer."""


def run(num_envs_list: list[int], steps: int, peers: bool, compile: bool,
        device: str = "cpu", pymunk: bool = False, continuous: bool = False,
        action_pool: int = 0) -> list[BenchResult]:
    """All measurements of one ``arena bench`` call (``continuous``: continuous actions, and
    no single-env PettingZoo rows, which play discrete actions; ``action_pool``: the batched
    envs step through actions drawn in advance)."""
    have = peers_available() if peers else {}
    results = [] if continuous else [bench_parallel_arena(steps * 20)]
    if compile and not continuous:
        results.append(bench_parallel_arena(steps * 20, compile=True))
    if have.get("mpe2") and not continuous:
        results.append(bench_mpe2(steps * 20))
    for n in num_envs_list:
        per_size_steps = max(10, min(steps, steps * 1024 // max(n, 1)))
        results.append(bench_arena(n, per_size_steps, device, continuous=continuous,
                                   action_pool=action_pool))
        if compile:
            results.append(bench_arena(n, per_size_steps, device, compile=True,
                                       continuous=continuous, action_pool=action_pool))
        if pymunk and n <= PYMUNK_MAX_ENVS:
            results.append(bench_arena(n, max(5, per_size_steps // 20), backend="pymunk",
                                       continuous=continuous))
        if have.get("vmas"):
            results.append(bench_vmas(n, per_size_steps, continuous, action_pool))
    return results


def table(results: list[BenchResult]) -> str:
    """A markdown table with each result's ratio to the peer of the same size."""
    base = {(r.num_envs, r.name): r.steps_per_s for r in results}
    lines = ["| env | num_envs | env-steps/s | vs vmas | vs mpe2 |", "|---|---:|---:|---:|---:|"]
    for r in results:
        ratios = []
        for peer in ("vmas", "mpe2 ParallelEnv"):
            ref = base.get((r.num_envs, peer))
            ratios.append(f"{r.steps_per_s / ref:.2f}x" if ref and r.name != peer else "")
        lines.append(f"| {r.name} | {r.num_envs} | {r.steps_per_s:,.0f} | {ratios[0]} | "
                     f"{ratios[1]} |")
    return "\n".join(lines)
