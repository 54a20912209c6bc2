"""GAE, value normalization and the PPO losses against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch

from agents.ppo_math import RunningNorm, gae, huber, normalize_advantages, policy_loss, value_loss


def test_gae_hand_computed() -> None:
    # Two steps, one env; the episode ends after step 0, then continues to a bootstrap.
    rewards = torch.tensor([[1.0], [2.0]])
    values = torch.tensor([[0.5], [1.0]])
    dones = torch.tensor([[1.0], [0.0]])
    last = torch.tensor([3.0])
    gamma, lam = 0.9, 0.8
    adv, ret = gae(rewards, values, dones, last, gamma, lam)
    # step 1: delta = 2 + 0.9 * 3 - 1 = 3.7; no later step to fold in
    # step 0: terminal, so delta = 1 - 0.5 = 0.5 and nothing flows back from step 1
    assert adv[1, 0].item() == pytest.approx(3.7)
    assert adv[0, 0].item() == pytest.approx(0.5)
    assert torch.allclose(ret, adv + values)


def test_gae_lambda_one_is_discounted_return_minus_value() -> None:
    rewards = torch.tensor([[1.0], [1.0], [1.0]])
    values = torch.tensor([[0.2], [0.1], [0.4]])
    dones = torch.zeros(3, 1)
    last = torch.tensor([2.0])
    adv, ret = gae(rewards, values, dones, last, gamma=0.5, lam=1.0)
    # return at t=0: 1 + 0.5 + 0.25 + 0.125 * 2 = 2.0
    assert ret[0, 0].item() == pytest.approx(2.0)
    assert adv[0, 0].item() == pytest.approx(1.8)


def test_policy_loss_clips() -> None:
    old = torch.log(torch.tensor([0.5, 0.5]))
    new = torch.log(torch.tensor([0.75, 0.25]))  # ratios 1.5 and 0.5
    adv = torch.tensor([1.0, -1.0])
    loss, clip_frac, kl = policy_loss(new, old, adv, clip=0.2, mask=torch.ones(2))
    # min(1.5 * 1, 1.2 * 1) = 1.2 ; min(0.5 * -1, 0.8 * -1) = -0.8 ; mean 0.2 -> loss -0.2
    assert loss.item() == pytest.approx(-0.2)
    assert clip_frac.item() == pytest.approx(1.0)
    expected_kl = ((0.5 - math.log(1.5)) + (-0.5 - math.log(0.5))) / 2
    assert kl.item() == pytest.approx(expected_kl, rel=1e-5)


def test_policy_loss_respects_mask() -> None:
    old = torch.zeros(2)
    new = torch.tensor([0.0, 5.0])
    adv = torch.tensor([2.0, 100.0])
    loss, _, _ = policy_loss(new, old, adv, 0.2, mask=torch.tensor([1.0, 0.0]))
    assert loss.item() == pytest.approx(-2.0)


def test_value_loss_clipped_and_huber() -> None:
    v_new, v_old, target = torch.tensor([2.0]), torch.tensor([1.0]), torch.tensor([3.0])
    # unclipped error 1 -> 0.5; clipped value 1.2, error 1.8 -> 1.62; max = 1.62
    assert value_loss(v_new, v_old, target, 0.2, torch.ones(1)).item() == pytest.approx(1.62)
    assert value_loss(v_new, v_old, target, 0.0, torch.ones(1)).item() == pytest.approx(0.5)
    assert huber(torch.tensor([3.0]), 1.0).item() == pytest.approx(2.5)
    assert huber(torch.tensor([0.5]), 1.0).item() == pytest.approx(0.125)


def test_running_norm_matches_numpy_moments() -> None:
    torch.manual_seed(0)
    norm = RunningNorm()
    chunks = [torch.randn(50) * 3 + 2, torch.randn(70) * 3 + 2, torch.randn(30) * 3 + 2]
    for c in chunks:
        norm.update(c)
    allx = torch.cat(chunks).double()
    assert norm.mean.item() == pytest.approx(allx.mean().item(), abs=1e-4)
    assert norm.var.item() == pytest.approx(allx.var(unbiased=False).item(), rel=1e-4)
    x = torch.tensor([5.0, -1.0])
    assert torch.allclose(norm.denormalize(norm.normalize(x)), x, atol=1e-5)


def test_running_norm_mask_and_advantage_norm() -> None:
    norm = RunningNorm()
    norm.update(torch.tensor([1.0, 3.0, 100.0]), mask=torch.tensor([1.0, 1.0, 0.0]))
    assert norm.mean.item() == pytest.approx(2.0, abs=1e-3)
    adv = normalize_advantages(torch.tensor([1.0, 3.0, 50.0]), torch.tensor([1.0, 1.0, 0.0]))
    assert adv[:2].tolist() == pytest.approx([-1.0, 1.0], abs=1e-5)
