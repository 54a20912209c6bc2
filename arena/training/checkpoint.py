"""The checkpoint format, in one place. Files are written atomically (temp file + fsync +
rename) and read with ``weights_only=True`` (tensors and plain containers only).

A run's ``checkpoints/latest.pt`` (``FORMAT`` 1) holds::

    format, config (the resolved run config as a dict), iteration, env_steps, elapsed,
    learners: {team: learner.state_dict()}          # a frozen team: {"frozen": source}
    coevolution: the schedule's state ({} unless populations)
    env, torch_rng[, cuda_rng], memory: {team: (B, N, M)}, controller_memory: {team: {k: ...}}
    [attack: the attacked slots and their generator (attack runs)]
    world_size[, workers: [the per-worker keys above, one dict per data-parallel rank]]

A population member file ``population/<team>_<k>.pt`` holds ``format``, ``config``,
``learners`` (the run's, with ``{team: {"actor": member weights}}``) and ``member`` (team,
index, fitness, generation): ``load_policy``, frozen teams and cross-play read both kinds
through ``team_state``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch

LATEST = "latest.pt"
FORMAT = 1
WORKER_KEYS = ("env", "torch_rng", "cuda_rng", "memory", "controller_memory", "attack")
"""What differs between data-parallel workers: their envs, random streams and memories."""


def save_atomic(obj: dict[str, Any], path: Path) -> Path:
    """Write ``obj`` to ``path`` so that a crash at any moment leaves either the old file or
    the new one, never a torn file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def find_checkpoint(path: str | Path) -> Path:
    """The checkpoint file for a run directory (its latest) or a checkpoint path."""
    p = Path(path)
    if p.is_dir():
        for candidate in (p / "checkpoints" / LATEST, p / LATEST):
            if candidate.is_file():
                return candidate
        seeds = sorted(d.name for d in p.glob("seed_*") if (d / "checkpoints").is_dir())
        if seeds:
            raise FileNotFoundError(f"{p} is a multi-seed run (one run per seed: "
                                    f"{', '.join(seeds)}); give one of them, e.g. {p / seeds[0]}")
        raise FileNotFoundError(f"no checkpoint in run directory {p} "
                                f"(expected {p / 'checkpoints' / LATEST})")
    if not p.is_file():
        raise FileNotFoundError(f"checkpoint {p} does not exist")
    return p


def load(path: str | Path, device: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint (a run directory's latest, or a file) and check its format."""
    p = find_checkpoint(path)
    try:
        ckpt = torch.load(p, map_location=device, weights_only=True)
    except Exception as err:  # a corrupted or foreign file
        raise ValueError(f"cannot read checkpoint {p}: {err}") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        found = ckpt.get("format") if isinstance(ckpt, dict) else type(ckpt).__name__
        raise ValueError(f"checkpoint {p} has format {found!r}; this Arena reads {FORMAT}")
    return ckpt


def run_checkpoint(config: dict[str, Any], counters: dict[str, Any],
                   learners: dict[str, Any], coevolution: dict[str, Any],
                   workers: list[dict[str, Any]]) -> dict[str, Any]:
    """A run's checkpoint from its parts; ``workers`` holds every rank's ``WORKER_KEYS``."""
    state = {"format": FORMAT, "config": config, **counters, "learners": learners,
             "coevolution": coevolution, **workers[0], "world_size": len(workers)}
    if len(workers) > 1:
        state["workers"] = workers
    return state


def worker_state(ckpt: dict[str, Any], rank: int) -> dict[str, Any]:
    """The per-worker part of a run's checkpoint for data-parallel ``rank``."""
    return ckpt["workers"][rank] if "workers" in ckpt else ckpt


def team_state(ckpt: dict[str, Any], team: str) -> tuple[str, dict[str, Any]]:
    """What the checkpoint holds for ``team``: ``("learner", state)`` (a run's learner),
    ``("actor", weights)`` (a population member) or ``("frozen", {"frozen": source})``."""
    learners = ckpt.get("learners", {})
    if team not in learners:
        raise KeyError(f"the checkpoint has no team {team!r} (teams: {sorted(learners)})")
    state = learners[team]
    if set(state) == {"actor"}:
        return "actor", state["actor"]
    if set(state) == {"frozen"}:
        return "frozen", state
    return "learner", state


def member_checkpoint(base: dict[str, Any], team: str, actor: dict[str, Any],
                      member: dict[str, Any]) -> dict[str, Any]:
    """A population member's file: the run's checkpoint ``base`` with ``team``'s learner
    replaced by the member's ``actor`` weights, and the ``member`` record."""
    learners = {**base["learners"], team: {"actor": actor}}
    return {"format": base["format"], "config": base["config"], "learners": learners,
            "member": member}
