"""Run under ``torchrun`` by tests/test_distributed.py.

``dp_worker.py update OUT``: each worker updates a PPO learner on its slice of one shared
rollout and saves the resulting actor/critic (to compare with one process on the whole batch).
``dp_worker.py train OUT key=value ...``: a short training run; each worker saves its
learners and env state, so the test can compare workers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from arena.training import distributed

sys.path.insert(0, str(Path(__file__).parent))
from dp_common import shared_rollout, small_learner  # noqa: E402


def update(out: Path) -> None:
    worker, device = distributed.setup("cpu")
    learner = small_learner()
    ro = shared_rollout(learner.spec, worker.rank, worker.world_size)
    learner.update(ro, 0.0)
    torch.save(learner.state_dict(), out / f"update_rank{worker.rank}.pt")


def train(out: Path, overrides: list[str]) -> None:
    from arena.cli import parse_overrides
    from arena.training.run_config import load_config
    from arena.training.trainer import Trainer

    cfg = load_config(None, overrides=parse_overrides(overrides))
    trainer = Trainer(cfg)
    trainer.train()
    state = {"learners": {t: le.state_dict() for t, le in trainer.learners.items()},
             "env_pos": trainer.env.world.pos.clone(), "env_steps": trainer.env_steps}
    torch.save(state, out / f"train_rank{trainer.worker.rank}.pt")


if __name__ == "__main__":
    mode, out = sys.argv[1], Path(sys.argv[2])
    if mode == "update":
        update(out)
    else:
        train(out, sys.argv[3:])
    distributed.shutdown()
