"""``keep_freed_memory``: glibc keeps freed blocks, so an update's repeated large tensors stop
page-faulting; a run config can leave glibc's defaults alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from arena.training import trainer as trainer_module
from arena.training.run_config import load_config
from arena.training.trainer import Trainer

_FAULTS = textwrap.dedent("""
    import ctypes, resource, sys
    ctypes.CDLL(None).prctl(41, 1, 0, 0, 0)  # PR_SET_THP_DISABLE: count 4 kB pages
    import torch
    import arena
    applied = arena.keep_freed_memory() if sys.argv[1] == "keep" else False
    torch.ones(10_000_000)  # 40 MB, above glibc's largest mmap threshold: mapped by default
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        torch.ones(10_000_000)
    print(applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


def _faults(mode: str) -> tuple[str, int]:
    out = subprocess.run([sys.executable, "-c", _FAULTS, mode], capture_output=True,
                         text=True, check=True).stdout.split()
    return out[0], int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_kept_memory_is_reused_without_page_faults() -> None:
    applied, kept = _faults("keep")
    _, default = _faults("default")
    assert applied == "True"
    assert default > 10 * 9000, default  # each 40 MB tensor mapped anew: 9766 pages of 4 kB
    assert kept < 2 * 9766, kept  # reused: at most one of them faults


def test_the_run_config_can_leave_the_allocator_alone(tmp_path, monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(trainer_module, "keep_freed_memory", lambda: calls.append(1))
    common = {"env.num_envs": 2, "log.run_dir": str(tmp_path), "log.tensorboard": False,
              "log.progress": False}
    Trainer(load_config(None, overrides={**common, "keep_freed_memory": False}))
    assert calls == []
    Trainer(load_config(None, overrides=common))
    assert calls == [1]
    with pytest.raises(ValueError, match="keep_freed_memory"):
        load_config(None, overrides={**common, "keep_freed_memory": "sometimes"})
