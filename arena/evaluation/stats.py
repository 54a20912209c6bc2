"""Confidence intervals for evaluation reports."""

from __future__ import annotations

import math

import torch

# Two-sided 95% Student-t quantiles for 1..29 degrees of freedom; 1.96 beyond.
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045]


def mean_ci(x: torch.Tensor) -> tuple[float, float, float]:
    """Mean and its 95% Student-t confidence interval ``(mean, low, high)``."""
    x = x.double().flatten()
    n = x.numel()
    mean = float(x.mean())
    if n < 2:
        return mean, mean, mean
    q = _T95[n - 2] if n - 1 <= len(_T95) else 1.96
    half = q * float(x.std(unbiased=True)) / math.sqrt(n)
    return mean, mean - half, mean + half


def wilson_ci(successes: int, n: int, z: float = 1.96) -> tuple[float, float, float]:
    """Rate and its Wilson score interval ``(rate, low, high)`` for ``successes`` of ``n``."""
    if n == 0:
        return float("nan"), 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, max(0.0, center - half), min(1.0, center + half)


def summarize(x: torch.Tensor, binary: bool = False) -> dict[str, float | str]:
    """Mean with a 95% interval: Wilson for 0/1 outcomes (``binary``: success, attack
    success), Student-t otherwise."""
    x = x.double().flatten()
    if binary:
        if not bool(((x == 0) | (x == 1)).all()):
            raise ValueError("binary outcome with values other than 0 and 1")
        mean, low, high = wilson_ci(int(x.sum()), x.numel())
        return {"mean": mean, "ci95_low": low, "ci95_high": high, "interval": "wilson",
                "n": x.numel()}
    mean, low, high = mean_ci(x)
    return {"mean": mean, "ci95_low": low, "ci95_high": high, "interval": "t", "n": x.numel()}
