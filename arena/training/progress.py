"""The training progress bar. It fills against the budget that ends the run first:
``total_steps``, or ``time_limit`` when the measured speed says the clock runs out before the
steps do, so that a time-limited run does not show a step total it will never reach."""

from __future__ import annotations

from typing import Any

STEPS = 1000
"""Resolution of the bar (thousandths of the budget)."""


def budget_fraction(steps: int, elapsed: float, total_steps: int, time_limit: float
                    ) -> tuple[float, str]:
    """The fraction of the binding budget used, and which budget binds (``steps`` or
    ``time``): time binds when, at the speed so far, ``time_limit`` ends before
    ``total_steps`` is reached."""
    by_steps = steps / max(total_steps, 1)
    if not time_limit or elapsed <= 0:
        return min(by_steps, 1.0), "steps"
    by_time = elapsed / time_limit
    return (min(by_time, 1.0), "time") if by_time >= by_steps else (min(by_steps, 1.0), "steps")


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


class BudgetBar:
    """A tqdm bar over the binding budget, with the steps, the time and the returns beside."""

    def __init__(self, name: str, total_steps: int, time_limit: float) -> None:
        from tqdm import tqdm

        self.name, self.total_steps, self.time_limit = name, total_steps, time_limit
        self.bar = tqdm(total=STEPS, desc=name, dynamic_ncols=True,
                        bar_format="{percentage:3.0f}% of budget |{bar}| {desc}")

    def update(self, steps: int, elapsed: float, stats: dict[str, float]) -> None:
        frac, binding = budget_fraction(steps, elapsed, self.total_steps, self.time_limit)
        self.bar.n = round(frac * STEPS)
        text = postfix(steps, elapsed, self.total_steps, self.time_limit, binding, stats)
        self.bar.set_description_str(" ".join([self.name, *(f"{k} {v}" for k, v in
                                                             text.items())]), refresh=True)

    def close(self) -> None:
        self.bar.close()


def postfix(steps: int, elapsed: float, total_steps: int, time_limit: float, binding: str,
            stats: dict[str, float]) -> dict[str, str]:
    """What the bar shows beside itself: the binding budget first, then the speed and the
    mean episode return of each team."""
    if binding == "time":
        out = {"time": f"{_clock(elapsed)}/{_clock(time_limit)}", "steps": f"{steps:,}"}
    else:
        out = {"steps": f"{steps:,}/{total_steps:,}", "time": _clock(elapsed)}
    out["steps/s"] = f"{stats.get('time/steps_per_s', 0):,.0f}"
    for k, v in stats.items():
        if k.startswith("episode/return_"):
            out[k.removeprefix("episode/return_")] = f"{v:.2f}"
    return out


def progress_bar(enabled: bool, name: str, total_steps: int, time_limit: float) -> Any:
    """A :class:`BudgetBar`, or ``None`` when progress display is off."""
    return BudgetBar(name, total_steps, time_limit) if enabled else None
