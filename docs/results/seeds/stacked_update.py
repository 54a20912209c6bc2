"""Would stacking the seeds' networks speed up `arena train --seeds` on this machine?

The default recipe (GRPO, simple_spread) with S replicas (seeds 0..S-1), one rollout each; then
one epoch of each replica's update gradient computed two ways, alternated R rounds in one
process:
- sequential: each replica's own chunked forward/backward (what `--seeds` does today);
- stacked: the replicas' actor parameters stacked on a new leading axis
  (`torch.func.stack_module_state`) and the same chunked losses computed for all replicas at
  once under `torch.func.vmap` (batched matmuls), one backward.

Checks first that the stacked gradient equals each replica's own (max abs difference printed),
then times both. Writes a JSON of the timings.

Usage: python docs/results/seeds/stacked_update.py [--seeds S] [--num-envs B ...] [--rounds R]
       [--device cuda] [--chunk-size C ...] [--json F]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.func import functional_call, vmap

from agents.grpo import GRPOLearner, grpo_advantages
from agents.policy_gradient import RolloutRows
from arena.interfaces.episodes import EpisodeTracker
from arena.training.run_config import load_config
from arena.training.trainer import Trainer

CONFIG = "configs/coordination/simple_spread_grpo.yaml"
FIELDS = ("obs", "actions", "logp", "active", "adv", "targets", "old_values")


class _Rows:
    """A :class:`RolloutRows` seen by one replica inside ``vmap`` (its fields' slices)."""

    def __init__(self, fields: dict[str, torch.Tensor], like: RolloutRows) -> None:
        self.state = self.teacher = self.action_mask = self.memory = self.starts = None
        self.__dict__.update(fields)
        self.steps_per_row, self.size = like.steps_per_row, like.size


class _Losses(nn.Module):
    """The learner's loss on a chunk, as a module whose parameters are the actor's."""

    learner: GRPOLearner
    like: RolloutRows

    def __init__(self, learner: GRPOLearner, like: RolloutRows) -> None:
        super().__init__()
        self.actor = learner.actor()
        self.__dict__["learner"], self.__dict__["like"] = learner, like

    def forward(self, fields: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        rows: Any = _Rows(fields, self.like)  # duck-typed: the fields the losses read
        return self.learner._losses(rows, slice(None))


def replicas(seeds: int, num_envs: int, device: str, chunk_size: int
             ) -> tuple[list[GRPOLearner], list[RolloutRows]]:
    learners, rows = [], []
    for s in range(seeds):
        extra = {"algo.chunk_size": chunk_size} if chunk_size else {}
        cfg = load_config(CONFIG, overrides={
            "seed": s, "env.num_envs": num_envs, "device": device, "log.progress": False, **extra,
            "log.tensorboard": False, "log.run_dir": f"/tmp/stacked_update/{num_envs}_{s}"})
        trainer = Trainer(cfg)
        trainer.collector.collect(EpisodeTracker())
        team = next(iter(trainer.learners))
        learner = trainer.learners[team]
        assert isinstance(learner, GRPOLearner)
        ro = trainer.collector.rollouts[team]
        adv = grpo_advantages(ro, learner.cfg)
        zeros = torch.zeros_like(adv)
        learners.append(learner)
        rows.append(learner._rows(ro, adv, zeros, zeros))
    return learners, rows


def sequential(learners: list[GRPOLearner], rows: list[RolloutRows], chunk: int
               ) -> list[dict[str, torch.Tensor]]:
    grads = []
    for learner, flat in zip(learners, rows, strict=True):
        total = flat.active.sum().clamp_min(1.0)
        learner.actor_opt.zero_grad(set_to_none=True)
        for i in range(0, flat.size, chunk):
            part = slice(i, min(i + chunk, flat.size))
            (learner._losses(flat, part)["loss"] * flat.active[part].sum() / total).backward()
        grads.append({k: p.grad for k, p in learner.actor().named_parameters()
                      if p.grad is not None})
    return grads


def stacked(module: _Losses, params: dict[str, torch.Tensor], fields: dict[str, torch.Tensor],
            size: int, chunk: int) -> dict[str, torch.Tensor]:
    def loss(p: dict[str, torch.Tensor], f: dict[str, torch.Tensor]) -> torch.Tensor:
        return functional_call(module, p, (f,))["loss"]

    for p in params.values():
        p.grad = None
    dims = tuple(range(1, fields["active"].dim()))
    total = fields["active"].sum(dims).clamp_min(1.0)
    for i in range(0, size, chunk):
        part = {k: v[:, i:i + chunk] for k, v in fields.items()}
        weight = part["active"].sum(dims) / total
        (vmap(loss, randomness="error")(params, part) * weight).sum().backward()
    return {k.removeprefix("actor."): p.grad for k, p in params.items() if p.grad is not None}


def _sync(device: str) -> None:
    if device != "cpu":
        torch.cuda.synchronize()


def measure(seeds: int, num_envs: int, rounds: int, device: str = "cpu", chunk_size: int = 0
            ) -> dict[str, Any]:
    learners, rows = replicas(seeds, num_envs, device, chunk_size)
    chunk = max(1, learners[0].chunk_size // rows[0].steps_per_row)
    module = _Losses(learners[0], rows[0])
    params = {f"actor.{k}": torch.stack([dict(lr.actor().named_parameters())[k].detach()
                                         for lr in learners]).requires_grad_()
              for k, _ in learners[0].actor().named_parameters()}
    fields = {k: torch.stack([getattr(r, k) for r in rows]) for k in FIELDS}
    # the stacked chunk holds as many rows over all replicas as a sequential one (activations
    # that fit the cache: docs/benchmarks.md, the chunked update)
    stacked_chunk = max(1, chunk // seeds)
    ref = sequential(learners, rows, chunk)
    got = stacked(module, params, fields, rows[0].size, stacked_chunk)
    diff = max(float((got[k] - torch.stack([g[k] for g in ref])).abs().max()) for k in got)
    scale = max(float(torch.stack([g[k] for g in ref]).abs().max()) for k in got)
    times: dict[str, list[float]] = {"sequential": [], "stacked": []}
    for _ in range(rounds):
        for name in times:
            _sync(device)
            start = time.perf_counter()
            if name == "sequential":
                sequential(learners, rows, chunk)
            else:
                stacked(module, params, fields, rows[0].size, stacked_chunk)
            _sync(device)
            times[name].append(time.perf_counter() - start)
    out = {"seeds": seeds, "num_envs_per_seed": num_envs, "rows_per_seed": rows[0].size,
           "chunk_rows": chunk, "stacked_chunk_rows": stacked_chunk,
           "grad_max_abs_diff": diff, "grad_max_abs": scale, **{f"{k}_s": v for k, v in
                                                                  times.items()}}
    ratio = [a / b for a, b in zip(times["sequential"], times["stacked"], strict=True)]
    out["speedup_stacked"] = ratio
    print(f"S={seeds} envs/seed={num_envs} chunk={chunk}: gradient max |diff| {diff:.2e} (max |g| "
          f"{scale:.2e}); sequential {min(times['sequential']):.3f} s, stacked "
          f"{min(times['stacked']):.3f} s per epoch (best of {rounds}); stacked speed-up per "
          f"round {', '.join(f'{r:.2f}x' for r in ratio)}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--num-envs", type=int, nargs="+", default=[512, 64])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--chunk-size", type=int, nargs="+", default=[0],
                        help="algo.chunk_size values (0: the recipe's)")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    results = [measure(args.seeds, n, args.rounds, args.device, c)
               for c in args.chunk_size for n in args.num_envs]
    if args.json:
        meta = {"machine": platform.processor() or platform.machine(),
                "threads": torch.get_num_threads(), "torch": torch.__version__,
                "device": (torch.cuda.get_device_name() if args.device != "cpu" else "cpu")}
        Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, indent=1))


if __name__ == "__main__":
    main()
