"""Data-parallel training with torch.distributed (gloo, 2 CPU workers launched by torchrun):
the all-reduced update equals one process's update on the union batch, workers keep identical
networks while stepping different envs, the step count covers every worker, and a resumed
2-worker run equals an uninterrupted one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

HELPERS = Path(__file__).parent / "helpers"
CONFIG = Path(__file__).parent.parent / "configs" / "coordination" / "simple_spread_mappo.yaml"
sys.path.insert(0, str(HELPERS))
from dp_common import shared_rollout, small_learner  # noqa: E402

RUN = ["env.num_envs=16", "rollout_steps=5", "log.progress=false", "log.tensorboard=false",
       "eval.episodes=4", "eval.gif=false", "policy.hidden_sizes=[16,16]", "algo.epochs=2",
       "algo.num_minibatches=2", "log.checkpoint_every=1"]


def torchrun(*args: str) -> str:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node",
           "2", *args]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return res.stdout


def load(path: Path) -> dict:
    return torch.load(path, weights_only=True)


def flat(tree: object) -> list[torch.Tensor]:
    if isinstance(tree, torch.Tensor):
        return [tree]
    if isinstance(tree, dict):
        return [t for v in tree.values() for t in flat(v)]
    if isinstance(tree, list):
        return [t for v in tree for t in flat(v)]
    return []


def test_update_equals_single_process_on_union_batch(tmp_path: Path) -> None:
    torchrun(str(HELPERS / "dp_worker.py"), "update", str(tmp_path))
    ref = small_learner()
    before = [t.clone() for t in flat(ref.state_dict()["actor"])]
    ref.update(shared_rollout(ref.spec), 0.0)
    expected = ref.state_dict()
    for rank in (0, 1):
        got = load(tmp_path / f"update_rank{rank}.pt")
        for key in ("actor", "critic", "value_norm"):
            for a, b in zip(flat(got[key]), flat(expected[key]), strict=True):
                torch.testing.assert_close(a.to(b.dtype), b, rtol=1e-5, atol=1e-6)
    assert any(not torch.equal(a, b) for a, b in
               zip(before, flat(expected["actor"]), strict=True))  # the update moved weights


def test_two_workers_stay_identical_and_count_all_steps(tmp_path: Path) -> None:
    run = tmp_path / "run"
    torchrun(str(HELPERS / "dp_worker.py"), "train", str(tmp_path), *RUN,
             "total_steps=480", f"log.run_dir={run}", "env.id=attack_defense/breach-v0")
    w0, w1 = load(tmp_path / "train_rank0.pt"), load(tmp_path / "train_rank1.pt")
    assert w0["env_steps"] == w1["env_steps"] == 480  # 3 iterations x 5 steps x 16 envs x 2
    for a, b in zip(flat(w0["learners"]), flat(w1["learners"]), strict=True):
        assert torch.equal(a, b)
    assert not torch.equal(w0["env_pos"], w1["env_pos"])  # distinct seed streams
    ckpt = load(run / "checkpoints" / "latest.pt")
    assert ckpt["world_size"] == 2 and len(ckpt["workers"]) == 2
    assert len((run / "progress.csv").read_text().splitlines()) == 4  # rank 0 alone logs


def test_resumed_two_worker_run_equals_uninterrupted(tmp_path: Path) -> None:
    def train(run: Path, steps: int, resume: bool = False) -> None:
        head = ["-m", "arena", "train"]
        if resume:
            torchrun(*head, "--resume", str(run), f"total_steps={steps}")
        else:
            torchrun(*head, "--run-dir", str(run), str(CONFIG), *RUN, f"total_steps={steps}")
    train(tmp_path / "a", 160)
    train(tmp_path / "a", 320, resume=True)
    train(tmp_path / "b", 320)
    a, b = (load(tmp_path / r / "checkpoints" / "latest.pt") for r in ("a", "b"))
    assert a["env_steps"] == b["env_steps"] == 320
    for x, y in zip(flat(a["learners"]), flat(b["learners"]), strict=True):
        assert torch.equal(x, y)
    assert len(flat(a["workers"])) > 10
    for x, y in zip(flat(a["workers"]), flat(b["workers"]), strict=True):
        assert torch.equal(x, y)
