"""Many seeds in one process (``seeds``): each replica equals its single-seed run bit for bit,
the group resumes exactly, the group report aggregates the replicas, and what is not supported
gets a clear error."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import torch

from arena.cli import main
from arena.core.typed import ConfigError
from arena.training import checkpoint
from arena.training.run_config import RunConfig, load_config
from arena.training.runs import seed_dir
from arena.training.seeds import SeedGroup, group_config
from arena.training.trainer import Trainer, tensors_of

SPREAD = {"env.id": "coordination/simple_spread-v0", "env.num_envs": 32, "rollout_steps": 25,
          "total_steps": 32 * 25 * 4, "policy.hidden_sizes": [16, 16], "log.progress": False,
          "log.tensorboard": False, "log.checkpoint_every": 2, "eval.every": 2,
          "eval.episodes": 16, "eval.gif": False}
GRPO = {"algo": {"name": "grpo", "group_size": 8, "epochs": 2, "advantage": "reward_to_go"}}
MAPPO = {"algo": {"name": "mappo", "epochs": 2, "num_minibatches": 2}}  # draws permutations


def config(run_dir: Path, **over: Any) -> RunConfig:
    return load_config(None, overrides={**SPREAD, "log.run_dir": str(run_dir), **over})


def checkpoint_tensors(run_dir: Path) -> list[torch.Tensor]:
    state = torch.load(run_dir / "checkpoints" / "latest.pt", weights_only=True)
    return tensors_of({k: v for k, v in state.items() if k != "config"})


def eval_rows(run_dir: Path) -> list[dict[str, str]]:
    """``eval.csv`` without its wall-clock column."""
    with open(run_dir / "eval.csv") as f:
        return [{k: v for k, v in row.items() if not k.startswith("time/")}
                for row in csv.DictReader(f)]


def assert_same_run(a: Path, b: Path) -> None:
    ta, tb = checkpoint_tensors(a), checkpoint_tensors(b)
    assert len(ta) == len(tb) > 10
    for x, y in zip(ta, tb, strict=True):
        assert torch.equal(x, y)
    assert eval_rows(a) == eval_rows(b)


@pytest.mark.parametrize("algo", [GRPO, MAPPO], ids=["grpo", "mappo"])
def test_each_replica_equals_its_single_seed_run(tmp_path: Path, algo: dict[str, Any]) -> None:
    group = config(tmp_path / "group", seeds=[3, 5], **algo)
    summary = SeedGroup(group).train()
    assert set(summary) == {"seed_3", "seed_5"}
    for seed in (3, 5):
        Trainer(config(tmp_path / f"single_{seed}", seed=seed, **algo)).train()
        assert_same_run(seed_dir(group.run_dir, seed), tmp_path / f"single_{seed}")
    # the replicas differ from each other: their streams are their own
    assert not torch.equal(checkpoint_tensors(seed_dir(group.run_dir, 3))[0],
                           checkpoint_tensors(seed_dir(group.run_dir, 5))[0])


def test_group_resume_equals_uninterrupted(tmp_path: Path) -> None:
    SeedGroup(config(tmp_path / "whole", seeds=[0, 1], **GRPO)).train()
    half = config(tmp_path / "half", seeds=[0, 1], **{**GRPO, "total_steps": 32 * 25 * 2})
    SeedGroup(half).train()
    resumed = group_config(tmp_path / "half", {"total_steps": 32 * 25 * 4})
    SeedGroup(resumed, resume=True).train()
    for seed in (0, 1):
        a, b = seed_dir(tmp_path / "whole", seed), seed_dir(tmp_path / "half", seed)
        for x, y in zip(checkpoint_tensors(a), checkpoint_tensors(b), strict=True):
            assert torch.equal(x, y)


def test_cli_seeds_and_group_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_file = tmp_path / "c.yaml"
    cfg_file.write_text("name: c\n")
    over = [f"{k}={json.dumps(v)}" for k, v in {**SPREAD, "total_steps": 32 * 25}.items()]
    run = str(tmp_path / "cli")
    assert main(["train", str(cfg_file), *over, "algo.name=grpo", "algo.group_size=8",
                 "--run-dir", run, "--seeds", "0", "1"]) == 0
    out = capsys.readouterr().out
    assert "seed_0" in out and "IQM" in out
    assert (Path(run) / "seed_1" / "checkpoints" / "latest.pt").exists()
    # the group's report: the replicas' final greedy evaluations aggregated
    report = json.loads((Path(run) / "report.json").read_text())
    finals = [float(eval_rows(Path(run) / f"seed_{s}")[-1]["eval/return/agent"]) for s in (0, 1)]
    assert [task["n"] for task in report["per_task"]["c"].values()] == [2]
    assert report["aggregate"]["c"]["mean"]["value"] == pytest.approx(sum(finals) / 2, rel=1e-6)
    assert main(["report", run, "--json", str(tmp_path / "r.json")]) == 0  # the group's seeds
    again = json.loads((tmp_path / "r.json").read_text())
    # labelled by the replicas' shared config name, as in the group's own report
    assert again["methods"]["c"] == [str(Path(run) / "seed_0"), str(Path(run) / "seed_1")]
    assert main(["train", str(cfg_file), *over, "--run-dir", run, "--seeds", "0", "1"]) != 0
    assert "seed_0 already holds a run" in capsys.readouterr().err
    with pytest.raises(FileNotFoundError, match="is a multi-seed run"):
        checkpoint.load(run)
    with pytest.raises(ConfigError, match="one Trainer trains one seed"):
        Trainer(config(tmp_path / "t", seeds=[0, 1]))
    with pytest.raises(ConfigError, match="repeated seeds"):
        SeedGroup(config(tmp_path / "r", seeds=[1, 1]))
    with pytest.raises(ConfigError, match="nothing to resume"):
        (tmp_path / "plain").mkdir()
        (tmp_path / "plain" / "config.yaml").write_text("name: plain\n")
        group_config(tmp_path / "plain")
