"""Data-parallel training on ``torch.distributed``: one process per device, launched by
``torchrun`` (which sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and the rendezvous address).

Each worker steps its own batch of envs with its own seed stream; learners call
``all_reduce_sum`` to combine gradients and statistics, so every worker applies the same update
and parameters stay identical without a parameter server. Outside ``torchrun`` (or with one
worker) every function here is a no-op, so single-process code pays nothing.

Backends: ``nccl`` when the run's device is CUDA (each worker on ``cuda:LOCAL_RANK``), ``gloo``
on CPU.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, NoReturn

import torch
import torch.distributed as dist

from arena.core.device import resolve_device
from arena.core.typed import ConfigError

ENV_SEED_STRIDE = 1_000_003
"""Worker ``r`` seeds its envs with ``seed + r * ENV_SEED_STRIDE`` (distinct streams)."""


@dataclass(frozen=True)
class Worker:
    """This process's place in the job."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0 logs, evaluates and writes checkpoints."""
        return self.rank == 0


def launched() -> bool:
    """Whether this process was started by ``torchrun`` with more than one worker."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def is_main_process() -> bool:
    """Whether this process is rank 0 of its job (or not part of one)."""
    return int(os.environ.get("RANK", "0")) == 0


def active() -> bool:
    """Whether a process group with more than one worker is running."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def setup(device: str) -> tuple[Worker, torch.device]:
    """Join the ``torchrun`` job (if any) and return this worker and its device. On CUDA each
    worker takes ``cuda:LOCAL_RANK``; ``device`` names the kind (``cpu``, ``cuda``). A device
    this machine cannot use is a ``ConfigError`` naming the ``device`` key."""
    try:
        dev = resolve_device(device)
    except ValueError as err:
        raise ConfigError(f"device: {err}") from None
    if not launched():
        return Worker(), dev
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if dev.type == "cuda":
        if local >= torch.cuda.device_count():
            raise RuntimeError(f"worker with LOCAL_RANK {local} has no GPU: this node has "
                               f"{torch.cuda.device_count()}; lower --nproc-per-node")
        dev = torch.device("cuda", local)
        torch.cuda.set_device(dev)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    return Worker(rank, world, local), dev


def shutdown() -> None:
    """Leave the process group (after a barrier, so no worker exits while others still talk)."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def exit_worker() -> NoReturn:
    """End a worker that is not rank 0, after ``shutdown``, without the interpreter's teardown.

    Rank 0 writes every output; the others have nothing left to flush but their streams. Their
    teardown could abort in gloo's threads ("terminate called without an active exception",
    SIGABRT; 2 of 66 two-worker launches on the project machine) after all their work was
    done, and torchrun then reports the whole job as failed (docs/distributed.md)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def all_reduce_sum(t: torch.Tensor) -> torch.Tensor:
    """Sum ``t`` over workers, in place; returns ``t``."""
    if active():
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t


def all_reduce_grads(params: list[torch.nn.Parameter]) -> None:
    """Sum the gradients of ``params`` over workers with one all-reduce of a flat buffer
    (missing gradients count as zeros, so every worker sends the same layout)."""
    if not active():
        return
    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM)
    offset = 0
    for p, g in zip(params, grads, strict=True):
        n = g.numel()
        p.grad = flat[offset:offset + n].view_as(p).clone()
        offset += n


def gather(obj: Any) -> list[Any]:
    """Every worker's ``obj`` (picklable), in rank order; ``[obj]`` without a process group."""
    if not active():
        return [obj]
    out: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def agree(flag: bool) -> bool:
    """Rank 0's ``flag`` on every worker (e.g. whether a wall-clock limit ends the run now)."""
    if not active():
        return flag
    box = [flag]
    dist.broadcast_object_list(box, src=0)
    return bool(box[0])


def to_cpu(obj: Any) -> Any:
    """``obj`` with every tensor moved to the CPU (for gathering and checkpoints)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_cpu(v) for v in obj)
    return obj
