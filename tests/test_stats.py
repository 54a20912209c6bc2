"""Confidence intervals against known values."""

from __future__ import annotations

import pytest
import torch

from arena.evaluation.stats import mean_ci, summarize, wilson_ci


def test_wilson_known_values() -> None:
    # 8 of 10: the Wilson 95% interval is (0.4902, 0.9433)
    p, low, high = wilson_ci(8, 10)
    assert p == 0.8 and low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)
    # 0 of 50: lower bound 0, upper 0.0714
    assert wilson_ci(0, 50)[2] == pytest.approx(0.0714, abs=1e-4)


def test_t_interval_known_values() -> None:
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])  # mean 3, sd 1.5811, t(4) = 2.776
    mean, low, high = mean_ci(x)
    assert mean == 3.0
    assert high - mean == pytest.approx(2.776 * 1.58114 / 5**0.5, rel=1e-4)
    assert low == pytest.approx(6.0 - high)


def test_summarize_picks_interval() -> None:
    assert summarize(torch.tensor([0.0, 1.0, 1.0]), binary=True)["interval"] == "wilson"
    assert summarize(torch.tensor([0.0, 1.0, 1.0]))["interval"] == "t"  # e.g. collision counts
    with pytest.raises(ValueError, match="other than 0 and 1"):
        summarize(torch.tensor([0.5, 1.0]), binary=True)
