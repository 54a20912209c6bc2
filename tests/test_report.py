"""``arena report``: aggregate statistics across seeds and tasks against hand-computed values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from arena.cli import main
from arena.evaluation.aggregate import aggregate, marl_eval_json, plot_curves
from arena.training.run_config import load_config, save_config


def fake_run(path: Path, finals: float, env: str = "navigation/navigation-v0",
             **kwargs: int) -> Path:
    """A run directory whose training evaluated twice: ``finals - 1`` at 100 steps, then
    ``finals`` at 200."""
    path.mkdir(parents=True)
    save_config(load_config(None, overrides={"env.id": env, "env.kwargs": kwargs}),
                path / "config.yaml")
    (path / "eval.csv").write_text("env_steps,eval/return/agent,eval/success\n"
                                   f"100,{finals - 1},0.5\n200,{finals},1.0\n")
    return path


@pytest.fixture
def methods(tmp_path: Path) -> dict[str, list[Path]]:
    a = [fake_run(tmp_path / f"a{k}", v) for k, v in enumerate([0, 1, 2, 3, 4, 5, 6, 100])]
    b = [fake_run(tmp_path / f"b{k}", v) for k, v in enumerate(range(200, 208))]
    return {"A": a, "B": b}


def test_means_iqm_improvement_and_profiles_by_hand(methods: dict[str, list[Path]]) -> None:
    r = aggregate(methods, reps=500)
    task = "navigation/navigation-v0"
    assert r.tasks == [task] and not r.normalized
    a = r.per_task["A"][task]
    values = [0, 1, 2, 3, 4, 5, 6, 100]
    mean = sum(values) / 8
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 7)
    assert a["value"] == pytest.approx(mean) and a["n"] == 8
    assert a["ci95_high"] - mean == pytest.approx(2.365 * sd / math.sqrt(8))  # t, 7 dof
    # IQM: the mean of the middle half (2, 3, 4, 5), robust to the outlier
    assert r.aggregate["A"]["iqm"]["value"] == pytest.approx(3.5)
    assert r.aggregate["A"]["mean"]["value"] == pytest.approx(mean)
    low, high = r.aggregate["A"]["iqm"]["ci95_low"], r.aggregate["A"]["iqm"]["ci95_high"]
    assert low <= 3.5 <= high
    assert r.improvement["B > A"]["value"] == 1.0 and r.improvement["A > B"]["value"] == 0.0
    # performance profile: the fraction of runs scoring above tau; tau[0] is the lowest score
    prof = r.profiles["A"]
    assert prof["tau"][0] == 0.0 and prof["fraction"][0] == pytest.approx(7 / 8)
    assert r.profiles["B"]["fraction"][0] == 1.0 and prof["fraction"][-1] == 0.0
    again = aggregate(methods, reps=500)
    assert again.aggregate == r.aggregate and again.profiles == r.profiles  # seeded bootstrap


def test_several_tasks_are_normalized_per_task(tmp_path: Path) -> None:
    small = [fake_run(tmp_path / f"s{k}", v, num_agents=3) for k, v in enumerate([1, 2])]
    large = [fake_run(tmp_path / f"l{k}", v, num_agents=8) for k, v in enumerate([100, 300])]
    r = aggregate({"A": [small[0], large[0]], "B": [small[1], large[1]]}, reps=200)
    assert r.normalized and len(r.tasks) == 2
    # per task, A is the minimum (0) and B the maximum (1) after min-max normalization
    assert r.aggregate["A"]["mean"]["value"] == 0.0 and r.aggregate["B"]["mean"]["value"] == 1.0
    assert r.per_task["A"]["navigation/navigation-v0 num_agents=8"]["value"] == 100  # raw
    with pytest.raises(ValueError, match="same number on each"):
        aggregate({"A": [small[0], small[1], large[0]]}, reps=10)


def test_marl_eval_export_and_curve_plot(methods: dict[str, list[Path]], tmp_path: Path) -> None:
    data = marl_eval_json(methods, "eval/return/agent")
    runs = data["arena"]["navigation/navigation-v0"]["A"]
    assert len(runs) == 8
    assert runs["run_7"]["step_0"] == {"step_count": 100, "return_agent": [99.0]}
    assert runs["run_7"]["step_1"]["step_count"] == 200
    assert runs["run_7"]["absolute_metrics"] == {"return_agent": [100.0]}
    out = plot_curves(methods, "eval/success", tmp_path / "curves.png")
    assert out.stat().st_size > 1000


def test_report_cli_and_its_errors(methods: dict[str, list[Path]], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    args = ["report", "--method", "A", *map(str, methods["A"]), "--method", "B",
            *map(str, methods["B"]), "--reps", "100", "--json", str(tmp_path / "r.json"),
            "--marl-eval", str(tmp_path / "m.json"), "--plot", str(tmp_path / "c.png")]
    assert main(args) == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert set(report["aggregate"]) == {"A", "B"} and "B > A" in report["improvement"]
    assert (tmp_path / "m.json").exists() and (tmp_path / "c.png").exists()
    capsys.readouterr()
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert "nothing: no eval.csv" in capsys.readouterr().err
    assert main(["report", str(methods["A"][0]), "--metric", "eval/coverage"]) == 2
    assert "has no 'eval/coverage'" in capsys.readouterr().err
    assert main(["report"]) == 2
