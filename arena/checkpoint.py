"""Checkpoints written atomically (temp file + fsync + rename) and read with
``weights_only=True``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch

LATEST = "latest.pt"


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
        raise FileNotFoundError(f"no checkpoint in run directory {p} "
                                f"(expected {p / 'checkpoints' / LATEST})")
    if not p.is_file():
        raise FileNotFoundError(f"checkpoint {p} does not exist")
    return p


def load(path: str | Path, device: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint (tensors and plain containers only)."""
    p = find_checkpoint(path)
    try:
        return torch.load(p, map_location=device, weights_only=True)
    except Exception as err:  # a corrupted or foreign file
        raise ValueError(f"cannot read checkpoint {p}: {err}") from None
