"""Evaluation reports: a policy's returns and scenario metrics with 95% intervals, as a table
and JSON (``EvalReport``), and reports side by side."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arena.evaluation.stats import summarize
from arena.interfaces.episodes import EpisodeStats


@dataclass
class EvalReport:
    """Per-quantity summaries (mean, 95% interval, n) of one evaluation."""

    run: str
    env_id: str
    env_kwargs: dict[str, Any]
    episodes: int
    deterministic: bool
    backend: str = "torch"
    """``torch`` or ``pymunk`` physics, or ``external`` (a PettingZoo env's own)."""
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    sampled: dict[str, dict[str, Any]] = field(default_factory=dict)
    """A greedy report's rows with the actions sampled instead, on the same seeds (a policy
    whose greedy play is worse than its sampled play shows it here)."""

    @classmethod
    def from_stats(cls, stats: EpisodeStats, binary: tuple[str, ...] = (),
                   **meta: Any) -> EvalReport:
        """Summaries of ``stats``; metrics named in ``binary`` get Wilson intervals."""
        report = cls(**meta)
        report.rows = summaries(stats, binary)
        return report

    def add_sampled(self, stats: EpisodeStats, binary: tuple[str, ...] = ()) -> None:
        """Rows of the same policy with sampled actions (``sampled``)."""
        self.sampled = summaries(stats, binary)

    def table(self) -> str:
        mode = "greedy" if self.deterministic else "sampled"
        where = ("an external env's own simulation" if self.backend == EXTERNAL
                 else f"{self.backend} physics")
        lines = [f"{self.env_id} {self.env_kwargs or ''} - {self.episodes} episodes, {mode}, "
                 f"{where}",
                 f"{'quantity':<24} " + f"{'mean':>10}   95% interval".ljust(46) + (
                     f"  {'sampled':>10}   95% interval" if self.sampled else "")]
        for key, r in self.rows.items():
            line = f"{key:<24} {_cell(r)}"
            if key in self.sampled:
                line += f"  {_cell(self.sampled[key])}"
            lines.append(line.rstrip())
        return "\n".join(lines)

    def write_json(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(self.__dict__, indent=2))


EXTERNAL = "external"
"""``EvalReport.backend`` of an external (PettingZoo) env."""


def summaries(stats: EpisodeStats, binary: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """Per-quantity summaries of ``stats``: each team's return, the length, every metric
    (those in ``binary`` with Wilson intervals)."""
    rows = {f"return/{team}": summarize(ret.cpu()) for team, ret in stats.returns.items()}
    rows["length"] = summarize(stats.lengths.cpu().float())
    for key, value in stats.metrics.items():
        rows[key] = summarize(value.cpu(), binary=key in binary)
    return rows


def _cell(r: dict[str, Any]) -> str:
    text = f"{r['mean']:>10.4f}   [{r['ci95_low']:.4f}, {r['ci95_high']:.4f}] ({r['interval']})"
    return text.ljust(46)


def side_by_side(reports: list[EvalReport]) -> str:
    """One row per quantity, one column per report (e.g. the same policy on the torch and the
    pymunk backend): mean [95% interval]."""
    keys = list(dict.fromkeys(k for r in reports for k in r.rows))
    head = f"{'quantity':<24} " + " ".join(f"{r.backend + ' physics':>30}" for r in reports)
    lines = [f"{reports[0].run} on {reports[0].env_id} - {reports[0].episodes} episodes", head]
    for k in keys:
        cells = []
        for r in reports:
            row = r.rows.get(k)
            cells.append(f"{row['mean']:.4f} [{row['ci95_low']:.4f}, {row['ci95_high']:.4f}]"
                         if row else "-")
        lines.append(f"{k:<24} " + " ".join(f"{c:>30}" for c in cells))
    return "\n".join(lines)
