"""Scalars to TensorBoard and to a CSV file, keyed by env steps."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any


class Logger:
    """Writes ``{name: value}`` rows to CSV files and TensorBoard under ``run_dir``.

    Training rows go to ``progress.csv``, evaluation rows to ``eval.csv`` (``log(..., file=)``).
    A key first seen after the header was written widens the header (the file is rewritten),
    so no metric is ever dropped.
    """

    def __init__(self, run_dir: Path, tensorboard: bool = True, start_step: int = 0) -> None:
        self.run_dir = run_dir
        self._writer: Any = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(str(run_dir / "tb"))
        self._fields: dict[str, list[str]] = {}
        for path in run_dir.glob("*.csv"):
            self._drop_rows_after(path, start_step)

    def _drop_rows_after(self, path: Path, step: int) -> None:
        """A run resumed from a checkpoint at ``step`` forgets rows logged after it (written
        by the killed process after its last checkpoint), so no step appears twice."""
        with path.open() as f:
            reader = csv.DictReader(f)
            fields, rows = list(reader.fieldnames or []), list(reader)
        kept = [r for r in rows if float(r.get("env_steps") or 0) <= step]
        if len(kept) < len(rows):
            self._rewrite(path, fields, kept)

    def _rewrite(self, path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
        tmp = path.with_suffix(".csv.tmp")
        with tmp.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
        tmp.replace(path)

    def log(self, step: int, values: dict[str, float], file: str = "progress") -> None:
        """Record one row at ``step`` env steps."""
        values = {k: float(v) for k, v in values.items()}
        if self._writer is not None:
            for k, v in values.items():
                if math.isfinite(v):
                    self._writer.add_scalar(k, v, step)
        path = self.run_dir / f"{file}.csv"
        row = {"env_steps": step, **values}
        fields = self._header(path)
        if any(k not in fields for k in row):
            self._widen(path, fields + [k for k in row if k not in fields])
        with path.open("a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=self._fields[str(path)])
            if f.tell() == 0:
                w.writeheader()
            w.writerow(row)

    def _header(self, path: Path) -> list[str]:
        if str(path) not in self._fields:
            header: list[str] = []
            if path.exists():
                with path.open() as f:
                    header = next(csv.reader(f), [])
            self._fields[str(path)] = header
        return self._fields[str(path)]

    def _widen(self, path: Path, fields: list[str]) -> None:
        rows: list[dict[str, str]] = []
        if path.exists():
            with path.open() as f:
                rows = list(csv.DictReader(f))
        self._rewrite(path, fields, rows)
        self._fields[str(path)] = fields

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
