"""Attacker x defender cross-play bookkeeping and ASR statistics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import arena
from arena.cli import main
from arena.evaluation.crossplay import cross_play
from arena.evaluation.stats import wilson_ci
from arena.interfaces.episodes import run_episodes
from arena.interfaces.policies import mixed_policy, random_policy, scripted_policy

ENV = "attack_defense/breach-v0"


def test_matrix_cells_match_direct_play_and_worst_case_is_the_row_max() -> None:
    result = cross_play(["scripted", "random"], ["scripted", "random"], ENV, episodes=64,
                        seed=7)
    assert len(result.cells) == 2 and all(len(row) == 2 for row in result.cells)
    env = arena.make(ENV, num_envs=64)
    for i, attack in enumerate((scripted_policy, random_policy)):
        for j, defend in enumerate((scripted_policy, random_policy)):
            joint = mixed_policy({"attacker": attack, "defender": defend})
            hits = run_episodes(env, joint, seed=7).metrics["attack_success"]
            rate, low, high = wilson_ci(int(hits.sum()), 64)
            cell = result.cells[i][j]
            assert (cell["asr"], cell["ci95_low"], cell["ci95_high"]) == (rate, low, high)
    worst = result.worst_case()
    for j, d in enumerate(result.defenders):
        best_row = max(range(2), key=lambda i: result.cells[i][j]["asr"])
        assert worst[d]["asr"] == result.cells[best_row][j]["asr"]
        assert worst[d]["attacker"] == result.attackers[best_row]
    # scripted attackers beat random defenders more often than scripted ones
    assert result.cells[0][1]["asr"] > result.cells[0][0]["asr"]


def test_cli_with_a_trained_defender_writes_json_and_heatmap(tmp_path: Path) -> None:
    from arena.training.run_config import load_config
    from arena.training.trainer import Trainer

    run = tmp_path / "run"
    cfg = load_config(None, overrides={
        "env.id": ENV, "env.num_envs": 8, "rollout_steps": 10, "total_steps": 80,
        "log.run_dir": str(run), "log.progress": False, "log.tensorboard": False,
        "eval.episodes": 4, "eval.gif": False, "policy.hidden_sizes": [16]})
    Trainer(cfg).train()
    out, png = tmp_path / "x.json", tmp_path / "x.png"
    assert main(["eval", "--attackers", "scripted", str(run), "--defenders", str(run),
                 "scripted", "--env", ENV, "--episodes", "16", "--json", str(out),
                 "--png", str(png)]) == 0
    data = json.loads(out.read_text())
    assert data["attackers"] == ["scripted", str(run)] and len(data["cells"]) == 2
    assert set(data["worst_case"]) == {str(run), "scripted"}
    assert png.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(KeyError, match="no team 'attacker'"):
        cross_play(["scripted"], ["scripted"], "coordination/simple_spread-v0", episodes=2)
    with pytest.raises(ValueError, match="'breach_step' is not a 0/1 outcome"):
        cross_play(["scripted"], ["scripted"], ENV, episodes=8, metric="breach_step")
