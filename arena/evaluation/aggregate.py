"""``arena report``: results aggregated across seeds and tasks, in the protocol of Agarwal et al.
(2021, "Deep RL at the Edge of the Statistical Precipice") and Gorsane et al. (2022, marl-eval):

- per method and task, the mean final score over runs with a Student-t 95% interval;
- per method, the interquartile mean (IQM) and the mean over all runs and tasks, with
  stratified-bootstrap 95% intervals (``rliable``);
- performance profiles: the fraction of runs scoring above each threshold, with bootstrap
  bands (``rliable``);
- the probability of improvement of each method over each other one (``rliable``);
- the export of every run's evaluation curve in marl-eval's JSON format;
- a plot of the aggregate curves across seeds: the mean with its t-interval band.

A run's score is its training's evaluations (``eval.csv``, one row per periodic evaluation, the
last one the final evaluation); its task is its env id with the scenario arguments. With several
tasks the scores are min-max normalized per task over all runs of all methods before they are
aggregated across tasks (the report says so)."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from arena.evaluation.stats import mean_ci
from arena.training.run_config import load_config


@dataclass
class RunCurve:
    """One run's evaluations of ``metric``: ``steps`` (env steps) and ``values``."""

    run: str
    task: str
    steps: list[int]
    values: list[float]

    @property
    def final(self) -> float:
        return self.values[-1]


def read_run(run: str | Path, metric: str) -> RunCurve:
    """The evaluations of ``metric`` in run directory ``run`` (its ``eval.csv``)."""
    path = Path(run) / "eval.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{run}: no eval.csv (is it a run directory of arena train, "
                                "and did it evaluate?)")
    with path.open() as f:
        rows = [r for r in csv.DictReader(f) if r.get(metric) not in (None, "")]
    if not rows:
        with path.open() as f:
            have = [k for k in next(csv.reader(f), []) if k.startswith("eval/")]
        raise KeyError(f"{run}: eval.csv has no {metric!r} (it has {have})")
    return RunCurve(str(run), _task(Path(run)), [int(float(r["env_steps"])) for r in rows],
                    [float(r[metric]) for r in rows])


def method_label(runs: Sequence[str | Path]) -> str:
    """The label of runs given without ``--method``: their config's ``name`` where they all
    share one (a multi-seed run's replicas do), else ``runs``."""
    names = set()
    for run in runs:
        config = Path(run) / "config.yaml"
        names.add(load_config(config).name if config.is_file() else "")
    return names.pop() if len(names) == 1 and "" not in names else "runs"


def _task(run: Path) -> str:
    """The run's env id with its scenario arguments (``navigation/navigation-v0 num_agents=8``)."""
    config = run / "config.yaml"
    if not config.is_file():
        return "unknown task"
    cfg = load_config(config)
    env = cfg.env.external or cfg.env.id
    args = " ".join(f"{k}={v}" for k, v in sorted(cfg.env.kwargs.items()))
    return f"{env} {args}".strip()


@dataclass
class Aggregate:
    """The report of ``arena report``, JSON-ready."""

    metric: str
    methods: dict[str, list[str]]
    """Each method's runs."""
    tasks: list[str]
    normalized: bool
    """Scores min-max normalized per task before aggregating across tasks."""
    per_task: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    """``per_task[method][task]``: mean final score, its t interval, n (raw scores)."""
    aggregate: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    """``aggregate[method]["iqm" | "mean"]``: point estimate and stratified-bootstrap 95%
    interval, over all runs and tasks."""
    improvement: dict[str, dict[str, float]] = field(default_factory=dict)
    """``improvement["X > Y"]``: P(a run of X scores above a run of Y), bootstrap 95%."""
    profiles: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    """``profiles[method]``: ``tau``, the fraction of runs scoring above it, its band."""

    def table(self) -> str:
        norm = " (min-max normalized per task)" if self.normalized else ""
        lines = [f"{self.metric}: final evaluation of each run, 95% intervals"]
        for method, tasks in self.per_task.items():
            for task, r in tasks.items():
                lines.append(f"  {method:<24} {task:<40} mean {_iv(r)} (t, n={r['n']:g})")
        lines.append(f"aggregate over runs and tasks{norm}, stratified bootstrap:")
        for method, both in self.aggregate.items():
            lines.append(f"  {method:<24} IQM {_iv(both['iqm'])}   mean {_iv(both['mean'])}")
        for pair, p in self.improvement.items():
            lines.append(f"  P({pair}) = {_iv(p)}")
        return "\n".join(lines)

    def write_json(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(self.__dict__, indent=2))


def _iv(r: Mapping[str, float]) -> str:
    return f"{r['value']:.4g} [{r['ci95_low']:.4g}, {r['ci95_high']:.4g}]"


def aggregate(methods: Mapping[str, Sequence[str | Path]], metric: str = "eval/return/agent",
              reps: int = 2000, seed: int = 0) -> Aggregate:
    """The aggregate report of ``methods`` (``{label: run directories}``); bootstrap
    ``reps`` resamples drawn from ``seed`` (the report is reproducible)."""
    curves = {m: [read_run(r, metric) for r in runs] for m, runs in methods.items()}
    tasks = sorted({c.task for runs in curves.values() for c in runs})
    report = Aggregate(metric, {m: [str(r) for r in runs] for m, runs in methods.items()},
                       tasks, normalized=len(tasks) > 1)
    for m, runs in curves.items():
        report.per_task[m] = {}
        for task in tasks:
            finals = [c.final for c in runs if c.task == task]
            if finals:
                value, low, high = mean_ci(torch.tensor(finals))
                report.per_task[m][task] = {"value": value, "ci95_low": low,
                                            "ci95_high": high, "n": float(len(finals))}
    scores = score_matrices(curves, tasks)
    _bootstrap(report, scores, reps, seed)
    return report


def score_matrices(curves: Mapping[str, list[RunCurve]], tasks: list[str]
                   ) -> dict[str, np.ndarray]:
    """``{method: (runs, tasks)}`` final scores (min-max normalized per task when there are
    several tasks). Every method needs the same number of runs on each task."""
    out = {}
    for m, runs in curves.items():
        cols = [[c.final for c in runs if c.task == t] for t in tasks]
        counts = {len(c) for c in cols}
        if len(counts) != 1 or 0 in counts:
            per_task = {t: len(c) for t, c in zip(tasks, cols, strict=True)}
            raise ValueError(f"method {m!r}: runs per task {per_task}; aggregating across "
                             "tasks needs the same number on each")
        out[m] = np.array(cols, dtype=np.float64).T
    if len(tasks) > 1:
        stacked = np.concatenate(list(out.values()))
        low, high = stacked.min(0), stacked.max(0)
        span = np.where(high > low, high - low, 1.0)
        out = {m: (s - low) / span for m, s in out.items()}
    return out


def _bootstrap(report: Aggregate, scores: dict[str, np.ndarray], reps: int, seed: int) -> None:
    """IQM and mean, probability of improvement and performance profiles, with rliable."""
    # rliable's stratified bootstrap draws its indices from numpy's global generator (whatever
    # random_state it is given): seed it for this report, then put it back as it was
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        _estimates(report, scores, reps)
    finally:
        np.random.set_state(saved)


def _estimates(report: Aggregate, scores: dict[str, np.ndarray], reps: int) -> None:
    from rliable import library as rly
    from rliable import metrics

    def estimates(x: np.ndarray) -> np.ndarray:
        return np.array([metrics.aggregate_iqm(x), metrics.aggregate_mean(x)])

    point, interval = rly.get_interval_estimates(scores, estimates, reps=reps)
    for m in scores:
        report.aggregate[m] = {
            name: {"value": float(point[m][k]), "ci95_low": float(interval[m][0, k]),
                   "ci95_high": float(interval[m][1, k])}
            for k, name in enumerate(("iqm", "mean"))}
    pairs = {f"{a} > {b}": (scores[a], scores[b])
             for a in scores for b in scores if a != b}
    if pairs:
        point, interval = rly.get_interval_estimates(
            pairs, metrics.probability_of_improvement, reps=reps)
        report.improvement = {
            p: {"value": float(np.ravel(point[p])[0]), "ci95_low": float(np.ravel(interval[p])[0]),
                "ci95_high": float(np.ravel(interval[p])[1])} for p in pairs}
    everything = np.concatenate([s.ravel() for s in scores.values()])
    taus = np.linspace(everything.min(), everything.max(), 21)
    dist, bands = rly.create_performance_profile(scores, taus, reps=reps)
    report.profiles = {m: {"tau": taus.tolist(), "fraction": dist[m].tolist(),
                           "ci95_low": bands[m][0].tolist(), "ci95_high": bands[m][1].tolist()}
                       for m in scores}


def marl_eval_json(methods: Mapping[str, Sequence[str | Path]], metric: str,
                   env_name: str = "arena") -> dict[str, Any]:
    """Every run's evaluation curve in marl-eval's raw-data format: ``{env: {task: {algo:
    {run_k: {step_i: {step_count, metric: [value]}, absolute_metrics: {metric: [value]}}}}}}``.
    Arena's ``eval.csv`` keeps each evaluation's mean over its episodes, so every list holds
    that one mean (marl-eval averages a run's episodes first, so its aggregates are
    unchanged)."""
    name = metric.split("/", 1)[-1].replace("/", "_")
    out: dict[str, Any] = {env_name: {}}
    for m, runs in methods.items():
        for k, r in enumerate(runs):
            c = read_run(r, metric)
            task = out[env_name].setdefault(c.task, {}).setdefault(m, {})
            steps = {f"step_{i}": {"step_count": s, name: [v]}
                     for i, (s, v) in enumerate(zip(c.steps, c.values, strict=True))}
            task[f"run_{k}"] = {**steps, "absolute_metrics": {name: [c.final]}}
    return out


def plot_curves(methods: Mapping[str, Sequence[str | Path]], metric: str,
                out: str | Path) -> Path:
    """The mean evaluation curve of each method across its runs, with a Student-t 95% band,
    on the env steps the runs share (each run interpolated onto them)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for m, runs in methods.items():
        curves = [read_run(r, metric) for r in runs]
        end = min(c.steps[-1] for c in curves)
        grid = np.array(sorted({s for c in curves for s in c.steps if s <= end}), dtype=float)
        ys = torch.tensor(np.stack([np.interp(grid, c.steps, c.values) for c in curves]))
        bands = [mean_ci(ys[:, j]) for j in range(len(grid))]
        mean = [b[0] for b in bands]
        ax.plot(grid, mean, label=f"{m} (n={len(curves)})")
        ax.fill_between(grid, [b[1] for b in bands], [b[2] for b in bands], alpha=0.25)
    ax.set_xlabel("env steps")
    ax.set_ylabel(metric)
    ax.legend()
    fig.tight_layout()
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
