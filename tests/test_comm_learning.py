"""A learned protocol on a tiny task (``make check-learning``; marked slow, about 4 minutes on
2 CPU cores): on scouts with one scout, one blind agent and two landmarks, the blind agent can
only guess the goal without communication; learned message passing inside the policy
(``policy.comm.kind: tarmac``, the env channel cut) tells it. Measured on 2026-12-02 after 2M
env steps: success 0.947 with tarmac, 0.066 without communication."""

from __future__ import annotations

from pathlib import Path

import pytest

from arena.training.run_config import load_config
from arena.training.trainer import Trainer

CONFIG = Path(__file__).resolve().parents[1] / "configs/communication/scouts_mappo.yaml"


def train(tmp_path: Path, comm: str) -> dict[str, float]:
    cfg = load_config(CONFIG, overrides={
        "log.run_dir": str(tmp_path / comm), "log.progress": False, "eval.every": 0,
        "eval.gif": False, "eval.episodes": 1000, "total_steps": 2_000_000,
        "env.kwargs": {"num_agents": 2, "num_scouts": 1, "num_landmarks": 2,
                       "channel": {"drop_prob": 1.0}},
        "policy.comm.kind": comm})
    return Trainer(cfg).train()


@pytest.mark.slow
def test_tarmac_tells_the_blind_agent_its_goal(tmp_path: Path) -> None:
    talk = train(tmp_path, "tarmac")
    assert talk["eval/success"] >= 0.75, talk
    silent = train(tmp_path, "none")
    assert silent["eval/success"] <= 0.3, silent
