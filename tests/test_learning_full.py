"""Full learning checks (``make check-learning``; marked slow, about 10 minutes each on 2 CPU
cores): the shipped configs reach the results reported in docs/training.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from arena.training.run_config import load_config
from arena.training.trainer import Trainer

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def train(tmp_path: Path, config: str) -> dict[str, float]:
    cfg = load_config(CONFIGS / config, overrides={
        "log.run_dir": str(tmp_path / "run"), "log.progress": False, "eval.every": 0,
        "eval.gif": False, "eval.episodes": 1000})
    return Trainer(cfg).train()


@pytest.mark.slow
def test_mappo_simple_spread_beats_minus_15(tmp_path: Path) -> None:
    summary = train(tmp_path, "coordination/simple_spread_mappo.yaml")
    assert summary["eval/return/agent"] > -15.0, summary


@pytest.mark.slow
def test_mappo_navigation_4_agents_95_percent(tmp_path: Path) -> None:
    summary = train(tmp_path, "navigation/navigation_mappo.yaml")
    assert summary["eval/success"] >= 0.95, summary


@pytest.mark.slow
def test_grpo_simple_spread_closes_the_gap_to_mappo(tmp_path: Path) -> None:
    """docs/grpo.md: GRPO reached -10.3 after 2M env steps (MAPPO -13.0, random -26.4); the
    bar here is 90% of the way from random to MAPPO's 5M-step -10.16."""
    cfg = load_config(CONFIGS / "coordination/simple_spread_grpo.yaml", overrides={
        "log.run_dir": str(tmp_path / "run"), "log.progress": False, "eval.every": 0,
        "eval.gif": False, "eval.episodes": 1000, "total_steps": 2_000_000, "time_limit": 0})
    summary = Trainer(cfg).train()
    assert summary["eval/return/agent"] > -26.38 + 0.9 * (26.38 - 10.16), summary
