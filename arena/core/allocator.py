"""Keep the memory torch frees inside the process, so that the next update reuses it.

Torch takes CPU tensors from the C library's ``malloc``. glibc serves large blocks with
``mmap`` (above a threshold that starts at 128 kB and adapts), gives them back to the kernel
when they are freed, and trims the free top of its heaps the same way. A training update
allocates and frees the same large activations and gradients every minibatch, so they are
often mapped anew, and every 4 kB page of a new mapping faults on first touch and is zeroed by
the kernel: 75,000-190,000 minor page faults per iteration of MAPPO at 1024 envs on
``simple_spread`` on the project machine, 0.15-0.4 s of kernel time per iteration
(``docs/benchmarks.md``; how many varies with the machine's state). Raising both thresholds
(``mallopt``) keeps freed blocks in the heap, where the next allocation finds them already
mapped. The cost: the process keeps its peak memory instead of returning it to the system.

Only glibc has ``mallopt``; elsewhere (macOS, Windows, musl) this does nothing. It is what
PyTorch's CPU tuning guide gets from preloading jemalloc or tcmalloc, without a preload.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_KEEP_BYTES = 1 << 30
"""Blocks below 1 GiB come from the heap, and up to 1 GiB of free heap top is kept."""

_applied = False


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse (process-wide, from now on). Returns whether
    it applies: ``False`` off Linux or without glibc."""
    global _applied
    if _applied:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # no C library found, or one without mallopt (musl)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _applied = bool(mallopt(_M_MMAP_THRESHOLD, _KEEP_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _KEEP_BYTES))
    return _applied
