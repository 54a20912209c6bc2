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
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_stats(cls, stats: EpisodeStats, binary: tuple[str, ...] = (),
                   **meta: Any) -> EvalReport:
        """Summaries of ``stats``; metrics named in ``binary`` get Wilson intervals."""
        report = cls(**meta)
        for team, ret in stats.returns.items():
            report.rows[f"return/{team}"] = summarize(ret.cpu())
        report.rows["length"] = summarize(stats.lengths.cpu().float())
        for key, value in stats.metrics.items():
            report.rows[key] = summarize(value.cpu(), binary=key in binary)
        return report

    def table(self) -> str:
        mode = "greedy" if self.deterministic else "sampled"
        lines = [f"{self.env_id} {self.env_kwargs or ''} - {self.episodes} episodes, {mode}, "
                 f"{self.backend} physics",
                 f"{'quantity':<24} {'mean':>10}   95% interval"]
        for key, r in self.rows.items():
            lines.append(f"{key:<24} {r['mean']:>10.4f}   [{r['ci95_low']:.4f}, "
                         f"{r['ci95_high']:.4f}] ({r['interval']})")
        return "\n".join(lines)

    def write_json(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(self.__dict__, indent=2))


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
