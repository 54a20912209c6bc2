"""Torch devices, checked before anything is allocated on them: a device this torch build or
this machine cannot use is a named error, not an assertion from inside torch."""

from __future__ import annotations

import torch


def resolve_device(device: str | torch.device) -> torch.device:
    """``device`` as a ``torch.device``; ``ValueError`` if it is malformed or unavailable."""
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"{device!r} is not a torch device (e.g. cpu, cuda, cuda:1, mps)"
                         ) from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            why = ("this torch build has no CUDA" if torch.version.cuda is None
                   else "no CUDA GPU is visible")
            raise ValueError(f"{device!r} is unavailable: {why} (torch "
                             f"{torch.__version__}); use device=cpu")
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise ValueError(f"{device!r} is unavailable: this machine has {count} "
                             "CUDA device(s)")
    elif dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"{device!r} is unavailable: no Apple MPS here; use "
                         "device=cpu")
    elif dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"{device!r} is not supported (cpu, cuda or mps)")
    return dev
