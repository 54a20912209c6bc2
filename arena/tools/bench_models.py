"""Speed of the policy components (run through ``arena bench --sequence`` / ``--heads``), built
by the registered ``mappo`` algorithm (the ``agents`` plug-in for the built-in networks):

- ``sequence_bench``: one training step (forward, backward, Adam) of a recurrent actor on a
  batch of sequences of length ``L`` with episode resets, for the SSM (parallel scan) and the
  GRU (stepped over time, as resets require), plus cuDNN's fused ``nn.GRU`` over the same
  sequences without resets as a reference for what a fused kernel gives.
- ``head_bench``: the cost of deciding one step's actions for a batch of agents with the
  Gaussian head and the flow head at ``K`` integration steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import gymnasium
import torch
from torch import nn

from arena.interfaces.algorithms import algo_spec
from arena.interfaces.learner import TeamActor
from arena.interfaces.policy_config import PolicyConfig
from arena.interfaces.spec import TeamSpec


@dataclass
class ModelResult:
    """One timing: what, at which size, milliseconds per call."""

    name: str
    size: int
    ms: float
    params: int = 0


def _time(fn: Callable[[], None], device: torch.device, repeats: int) -> float:
    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    for _ in range(2):
        fn()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return 1000 * sorted(times)[len(times) // 2]  # median


def _actor(cfg: PolicyConfig, space: gymnasium.Space, obs_dim: int, device: torch.device
           ) -> TeamActor:
    """The actor that the registered ``mappo`` learner builds for one agent with ``cfg``."""
    algo = algo_spec("mappo")
    spec = TeamSpec("bench", 1, obs_dim, obs_dim, [("obs", 1, obs_dim)], space)
    return algo.factory(spec, cfg, algo.config_cls(), device).actor()


def sequence_bench(lengths: list[int], batch: int, device: str = "cpu", repeats: int = 5,
                   obs_dim: int = 18) -> list[ModelResult]:
    """Milliseconds per training step on ``batch`` sequences of each length."""
    dev = torch.device(device)
    results = []
    for length in lengths:
        obs = torch.randn(batch, length, 1, obs_dim, device=dev)
        starts = torch.rand(batch, length, device=dev) < 0.01
        actions = torch.randint(0, 5, (batch, length, 1), device=dev)
        for backbone in ("ssm", "gru"):
            torch.manual_seed(0)
            cfg = PolicyConfig(backbone=backbone, embed_dim=64, num_layers=2, ssm_state=8,
                               hidden_sizes=(64, 64))
            actor = _actor(cfg, gymnasium.spaces.Discrete(5), obs_dim, dev)
            step = _training_step(actor, obs, starts, actions)
            params = sum(p.numel() for p in actor.parameters())
            name = "SSM (parallel scan)" if backbone == "ssm" else "GRU (stepped, resets)"
            results.append(ModelResult(name, length, _time(step, dev, repeats), params))
        results.append(_fused_gru(obs, length, dev, repeats))
    return results


def _training_step(actor: TeamActor, obs: torch.Tensor, starts: torch.Tensor,
                   actions: torch.Tensor) -> Callable[[], None]:
    """One maximum-likelihood step of ``actor`` on whole sequences from a zero memory."""
    opt = torch.optim.Adam(actor.parameters(), lr=1e-4)

    def step() -> None:
        loss = actor.imitation_loss(obs, actions, starts)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def _fused_gru(obs: torch.Tensor, length: int, dev: torch.device, repeats: int) -> ModelResult:
    torch.manual_seed(0)
    net = nn.ModuleDict({"embed": nn.Linear(obs.shape[-1], 64), "gru": nn.GRU(64, 64,
                                                                              batch_first=True),
                         "out": nn.Linear(64, 5)}).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    x = obs.squeeze(2)

    def step() -> None:
        h, _ = net["gru"](torch.tanh(net["embed"](x)))
        loss = net["out"](h).logsumexp(-1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    params = sum(p.numel() for p in net.parameters())
    return ModelResult("GRU (nn.GRU fused, no resets)", length, _time(step, dev, repeats), params)


def head_bench(steps: list[int], agents: int, device: str = "cpu", repeats: int = 20,
               obs_dim: int = 31) -> list[ModelResult]:
    """Milliseconds to decide one step's actions for ``agents`` agents (sampling, no grad):
    the Gaussian head, then the flow head at each ``K`` in ``steps``."""
    dev = torch.device(device)
    obs = torch.randn(agents, 1, obs_dim, device=dev)
    space = gymnasium.spaces.Box(-1, 1, (2,))
    results = []
    for k in [0, *steps]:
        torch.manual_seed(0)
        cfg = PolicyConfig(hidden_sizes=(128, 128), head="flow" if k else "gaussian",
                           flow_steps=max(k, 1))
        actor = _actor(cfg, space, obs_dim, dev)

        @torch.no_grad()
        def decide(actor: TeamActor = actor) -> None:
            actor.decide(obs)

        name = f"flow head, K={k}" if k else "Gaussian head"
        results.append(ModelResult(name, agents, _time(decide, dev, repeats),
                                   sum(p.numel() for p in actor.parameters())))
    return results


def model_table(results: list[ModelResult], size_name: str) -> str:
    """A markdown table of the timings."""
    lines = [f"| model | {size_name} | ms | parameters |", "|---|---:|---:|---:|"]
    lines += [f"| {r.name} | {r.size} | {r.ms:.2f} | {r.params:,} |" for r in results]
    return "\n".join(lines)
