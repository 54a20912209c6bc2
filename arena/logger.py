"""Scalars to TensorBoard and to a CSV file, keyed by env steps."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any


class Logger:
    """Writes ``{name: value}`` rows to ``progress.csv`` and TensorBoard under ``run_dir``."""

    def __init__(self, run_dir: Path, tensorboard: bool = True) -> None:
        self.run_dir = run_dir
        self.csv_path = run_dir / "progress.csv"
        self._writer: Any = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(str(run_dir / "tb"))
        self._fields: list[str] | None = None
        if self.csv_path.exists():
            with self.csv_path.open() as f:
                self._fields = next(csv.reader(f), None)

    def log(self, step: int, values: dict[str, float]) -> None:
        """Record one row at ``step`` env steps."""
        values = {k: float(v) for k, v in values.items()}
        if self._writer is not None:
            for k, v in values.items():
                if math.isfinite(v):
                    self._writer.add_scalar(k, v, step)
        row = {"env_steps": step, **values}
        if self._fields is None:
            self._fields = list(row)
        with self.csv_path.open("a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=self._fields, extrasaction="ignore")
            if f.tell() == 0:
                w.writeheader()
            w.writerow(row)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
