"""``algo.precision: bfloat16``: the update's forward under bfloat16 autocast. The same
rollout and the same first minibatch step in float32 and in bfloat16 give nearly the same
gradient (bfloat16 keeps 8 bits of mantissa: about 1e-2 relative, not float rounding); the
parameters, losses and action-head outputs stay float32; acting is untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from arena.interfaces.episodes import EpisodeTracker
from arena.training.trainer import Trainer
from tests.test_training import tiny

CASES: dict[str, dict[str, Any]] = {
    "mappo_split": {"algo.name": "mappo", "policy.feature_norm": False},
    "mappo_layernorm": {"algo.name": "mappo"},
    "mappo_per_env_critic": {"algo.name": "mappo", "algo.critic_input": "state"},
    "grpo": {"algo.name": "grpo", "algo.group_size": 4},
    "attention": {"algo.name": "mappo", "policy.backbone": "attention"},
    "gru": {"algo.name": "mappo", "policy.backbone": "gru"},
    "gaussian": {"algo.name": "mappo", "env.kwargs": {"continuous_actions": True}},
    "compiled": {"algo.name": "mappo", "policy.feature_norm": False, "algo.compile": True},
    "flow": {"algo.name": "mappo", "env.kwargs": {"continuous_actions": True},
             "policy.head": "flow"},
}


def first_step(tmp_path: Path, precision: str, over: dict[str, Any]
               ) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """The loss terms and the flat gradient of one minibatch step on a fixed rollout."""
    trainer = Trainer(tiny(tmp_path / precision, **over, **{
        "algo.num_minibatches": 1, "algo.chunk_size": 48, "algo.precision": precision,
        "policy.hidden_sizes": [64, 64]}))
    trainer.collector.collect(EpisodeTracker())
    learner = trainer.learners["agent"]
    ro = trainer.collector.rollouts["agent"]
    adv = torch.linspace(-1, 1, ro.rewards.numel()).reshape(ro.rewards.shape)
    rows = learner._rows(ro, adv, torch.ones_like(ro.rewards), torch.zeros_like(ro.rewards))
    terms = learner._minibatch_step(rows, slice(0, rows.size))
    assert all(p.dtype == torch.float32 for p in learner.params)
    grad = torch.cat([p.grad.flatten() for p in learner.params if p.grad is not None])
    return terms, grad


@pytest.mark.parametrize("case", sorted(CASES))
def test_bfloat16_update_has_nearly_the_float32_gradient(tmp_path: Path, case: str) -> None:
    terms32, g32 = first_step(tmp_path, "float32", CASES[case])
    terms16, g16 = first_step(tmp_path, "bfloat16", CASES[case])
    assert g16.dtype == torch.float32 and torch.isfinite(g16).all()
    assert g32.norm() > 0
    relative = float((g16 - g32).norm() / g32.norm())
    cosine = float(torch.nn.functional.cosine_similarity(g16, g32, dim=0))
    assert relative < 0.03 and cosine > 0.9995, (relative, cosine)
    for k, v in terms32.items():
        assert terms16[k].dtype == torch.float32
        assert torch.allclose(terms16[k], v, rtol=0.05, atol=0.02), (k, terms16[k], v)


def test_bfloat16_changes_the_gradient_at_all(tmp_path: Path) -> None:
    """The comparison above is not vacuous: bfloat16 does change the numbers."""
    _, g32 = first_step(tmp_path, "float32", CASES["mappo_split"])
    _, g16 = first_step(tmp_path, "bfloat16", CASES["mappo_split"])
    assert not torch.equal(g16, g32)


def test_precision_is_validated(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="precision"):
        tiny(tmp_path, **{"algo.precision": "float16"})
