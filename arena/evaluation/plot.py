"""Learning curves from run directories (``progress.csv`` and ``eval.csv``) as PNG files."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path


def read_csv(path: Path) -> dict[str, list[float]]:
    """Columns of a run's CSV file as floats (missing cells are NaN)."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file (is this a run directory?)")
    with path.open() as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return {}
    return {k: [float(r[k]) if r.get(k) not in (None, "") else float("nan") for r in rows]
            for k in rows[0]}


def plot_runs(run_dirs: Sequence[str | Path], out: str | Path, metric: str | None = None,
              x: str = "env_steps", source: str = "progress", smooth: int = 1,
              labels: Sequence[str] | None = None, title: str | None = None) -> Path:
    """Plot ``metric`` (default: the first ``episode/return_*`` or ``eval/return/*`` column)
    against ``x`` (``env_steps`` or ``time/elapsed_s``) for each run; one line per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for i, run in enumerate(run_dirs):
        cols = read_csv(Path(run) / f"{source}.csv")
        name = metric or _default_metric(cols, Path(run))
        if name not in cols:
            raise KeyError(f"{run}: no column {name!r} in {source}.csv; have {sorted(cols)}")
        ys = _moving_average(cols[name], smooth)
        label = labels[i] if labels else Path(run).name
        ax.plot(cols[x], ys, label=label)
    ax.set_xlabel("wall-clock seconds" if x == "time/elapsed_s" else "env steps")
    ax.set_ylabel(metric or "return per agent")
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _default_metric(cols: dict[str, list[float]], run: Path) -> str:
    for k in cols:
        if k.startswith(("episode/return_", "eval/return/")):
            return k
    raise KeyError(f"{run}: no return column to plot; pass metric=")


def _moving_average(ys: list[float], k: int) -> list[float]:
    if k <= 1:
        return ys
    out = []
    for i in range(len(ys)):
        window = [y for y in ys[max(0, i - k + 1): i + 1] if y == y]
        out.append(sum(window) / len(window) if window else float("nan"))
    return out
