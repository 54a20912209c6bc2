"""The machinery PPO and GRPO share: one team's actor and its optimizer, and an update of
``epochs`` passes of clipped-surrogate minibatch steps over a rollout's rows, in chunks whose
gradients add up to the minibatch's. Subclasses add their advantages and losses (and PPO its
critic)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from agents.actor_critic import ActionDist, Actor
from arena.interfaces.learner import ActResult
from arena.interfaces.policy_config import PolicyConfig
from arena.interfaces.rollout import TeamRollout
from arena.interfaces.spec import LearnerCapabilities, TeamSpec
from arena.training import distributed

Rows = torch.Tensor | slice
"""Rows of a rollout: gathered by index, or a contiguous slice (a view)."""

CPU_CHUNK_ROWS = 8192
"""``algo.chunk_size: 0`` on a CPU: rows whose activations stay in cache (docs/benchmarks.md)."""
ACCELERATOR_CHUNK_ROWS = 2**20
"""``algo.chunk_size: 0`` on a GPU: few, large forward/backward passes; launches, not FLOPs,
bound small ones there (docs/benchmarks.md, "The update on the GPU")."""


def chunk_rows(chunk_size: int, device: torch.device) -> int:
    """``algo.chunk_size`` resolved: a positive value as given, 0 chosen by the device."""
    if chunk_size:
        return chunk_size
    return CPU_CHUNK_ROWS if device.type == "cpu" else ACCELERATOR_CHUNK_ROWS


PRECISIONS: dict[str, torch.dtype | None] = {"float32": None, "bfloat16": torch.bfloat16}
"""``algo.precision``: the autocast dtype of the update's forward (None: no autocast)."""


def validate_precision(precision: str) -> None:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {sorted(PRECISIONS)}, got {precision!r}")


def minibatch_count(cfg: Any, env_steps: int) -> int:
    """Minibatches per epoch over a rollout of ``env_steps``: ``num_minibatches``, or, when
    ``minibatch_size`` is set, as many as make minibatches of about that many env steps (so
    the number of gradient steps follows the rollout's size: scenarios with longer episodes
    get more of them under group-relative training's whole-episode rollouts)."""
    if cfg.minibatch_size:
        return max(1, math.ceil(env_steps / cfg.minibatch_size))
    return int(cfg.num_minibatches)


def validate_minibatches(num_minibatches: int, minibatch_size: int) -> None:
    if num_minibatches < 1 or minibatch_size < 0:
        raise ValueError("num_minibatches must be >= 1 and minibatch_size >= 0")
    if minibatch_size and num_minibatches != 1:
        raise ValueError("set num_minibatches or minibatch_size, not both "
                         f"(got {num_minibatches} and {minibatch_size})")


def update_autocast(device: torch.device, precision: str
                    ) -> Callable[[], contextlib.AbstractContextManager[Any]]:
    """A factory of the context the update's forward runs in: ``torch.autocast`` to
    ``precision`` on ``device``, or nothing for ``float32``. Fails here, at construction, on a
    device without it."""
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext
    if not torch.amp.is_autocast_available(device.type) or (
            device.type == "cuda" and not torch.cuda.is_bf16_supported()):
        raise ValueError(f"algo.precision {precision!r} is not supported on device {device} "
                         "(bfloat16 autocast needs a CPU, or a GPU with bfloat16); use "
                         "algo.precision=float32")
    return lambda: torch.autocast(device.type, dtype=dtype)


class ClippedPolicyLearner:
    """Base of the learners of this package. ``cfg`` is the algorithm's config; it has at
    least ``lr``, ``lr_anneal``, ``gamma``, ``epochs``, ``num_minibatches``, ``minibatch_size``,
    ``max_grad_norm``, ``target_kl``, ``chunk_size``, ``precision``, ``compile`` and
    ``seq_len``."""

    def __init__(self, spec: TeamSpec, policy_cfg: PolicyConfig, cfg: Any,
                 device: torch.device, uses_state: bool = False, group_size: int = 0,
                 imitates: bool = False) -> None:
        self.spec, self.cfg, self.device = spec, cfg, device
        self.gamma = cfg.gamma
        self._actor = Actor(spec.obs_dim, spec.layout, spec.action_space, spec.num_agents,
                            policy_cfg, masked=spec.action_masked).to(device)
        if policy_cfg.compile:  # in place: parameter names and checkpoints are unchanged
            self._actor.backbone.compile()
        self.caps = LearnerCapabilities(
            uses_state=uses_state, memory_size=self._actor.memory_size, seq_len=cfg.seq_len,
            group_size=group_size, imitates=imitates,
            action_shape=self._actor.head.stored_shape)
        self.actor_opt = torch.optim.Adam(self._actor.parameters(), lr=cfg.lr, eps=1e-5)
        self.optimizers: list[tuple[torch.optim.Optimizer, float]] = [(self.actor_opt, cfg.lr)]
        """Each optimizer with its initial learning rate (annealed together)."""
        self.params = list(self._actor.parameters())
        """Every trained parameter, in a fixed order (gradient clipping, all-reduce)."""
        self._autocast = update_autocast(device, cfg.precision)
        self.chunk_size = chunk_rows(cfg.chunk_size, device)
        """Rows per forward/backward chunk (``algo.chunk_size``, 0 resolved by the device)."""
        if cfg.compile:  # the bound method, so the subclass's losses
            self._losses = torch.compile(self._losses)  # type: ignore[method-assign]

    def actor(self) -> Actor:
        return self._actor

    @torch.no_grad()
    def act(self, obs: torch.Tensor, state: torch.Tensor | None, deterministic: bool = False,
            memory: torch.Tensor | None = None, starts: torch.Tensor | None = None,
            action_mask: torch.Tensor | None = None) -> ActResult:
        d = self._actor.decide(obs, deterministic, memory, starts, action_mask)
        return ActResult(d.actions, d.logp, self.value(obs, state), d.memory, d.env_actions)

    def value(self, obs: torch.Tensor, state: torch.Tensor | None) -> torch.Tensor:
        raise NotImplementedError

    def update(self, rollout: TeamRollout, progress: float) -> dict[str, float]:
        raise NotImplementedError

    def _losses(self, flat: RolloutRows, idx: Rows) -> dict[str, torch.Tensor]:
        """``{"loss": ..., <terms to log>}`` as masked means over the rows ``idx``."""
        raise NotImplementedError

    def _rows(self, ro: TeamRollout, adv: torch.Tensor, targets: torch.Tensor,
              old_values: torch.Tensor) -> RolloutRows:
        return RolloutRows(ro, adv, targets, old_values, self._actor.recurrent)

    def _optimize(self, flat: RolloutRows, progress: float) -> dict[str, float]:
        """``epochs`` passes of ``num_minibatches`` gradient steps over the rollout rows
        (``progress``: the fraction of the run done, for learning-rate annealing)."""
        cfg = self.cfg
        self._anneal(progress)
        stats: dict[str, list[torch.Tensor]] = {}
        for _ in range(cfg.epochs):
            for idx in self._minibatches(flat.size, flat.steps_per_row):
                for k, v in self._minibatch_step(flat, idx).items():
                    stats.setdefault(k, []).append(v)
            if cfg.target_kl and float(stats["approx_kl"][-1]) > cfg.target_kl:
                break
        means = torch.stack([torch.stack(v).mean() for v in stats.values()]).tolist()
        out = dict(zip(stats, means, strict=True))  # one host synchronization per update
        out["lr"] = self.actor_opt.param_groups[0]["lr"]
        return out

    def _minibatches(self, size: int, steps_per_row: int = 1
                     ) -> list[torch.Tensor] | list[slice]:
        """The rows of each minibatch of one epoch: a random split, or, with one minibatch,
        all rows in order (the same gradient, summed in another order), so that the chunks
        are views of the rollout instead of gathered copies."""
        count = minibatch_count(self.cfg, size * steps_per_row)
        if count == 1:
            return [slice(0, size)]
        return list(torch.randperm(size, device=self.device).chunk(count))

    def _minibatch_step(self, flat: RolloutRows, idx: Rows) -> dict[str, torch.Tensor]:
        """One gradient step on the minibatch ``idx``. The minibatch is processed in chunks of
        ``self.chunk_size`` rows whose gradients add up to the full minibatch's (each chunk's masked
        means weighted by its share of active entries), so activations stay in cache. Under
        data parallelism the shares are of all workers' active entries and the gradients and
        loss terms are summed over workers: every worker takes the step of the union batch."""
        cfg = self.cfg
        total = distributed.all_reduce_sum(flat.active[idx].sum()).clamp_min(1.0)
        for opt, _ in self.optimizers:
            opt.zero_grad(set_to_none=True)
        sums: dict[str, torch.Tensor] = {}
        for part in _chunks(idx, max(1, self.chunk_size // flat.steps_per_row)):
            weight = flat.active[part].sum() / total
            with self._autocast():
                terms = self._losses(flat, part)
            (terms.pop("loss") * weight).backward()
            for k, v in terms.items():
                sums[k] = sums.get(k, 0.0) + v.detach() * weight
        if distributed.active():
            distributed.all_reduce_grads(self.params)
            reduced = distributed.all_reduce_sum(torch.stack(list(sums.values())))
            sums = dict(zip(sums, reduced, strict=True))
        if not bool(torch.isfinite(torch.stack(list(sums.values()))).all()):
            values = ", ".join(f"{k} {v.item():.4g}" for k, v in sums.items())
            raise FloatingPointError(f"team {self.spec.team!r}: non-finite loss ({values}); "
                                     "parameters left unchanged")
        grad_norm = nn.utils.clip_grad_norm_(self.params, cfg.max_grad_norm)
        for opt, _ in self.optimizers:
            opt.step()
        return {**sums, "grad_norm": grad_norm}

    def _dist(self, flat: RolloutRows, idx: Rows) -> ActionDist:
        """The current policy's distribution over the rows ``idx``."""
        mask = flat.action_mask[idx] if flat.action_mask is not None else None
        if flat.memory is not None and flat.starts is not None:
            return self._actor.sequence(flat.obs[idx], flat.memory[idx], flat.starts[idx], mask)
        return self._actor(flat.obs[idx], mask)

    def _anneal(self, progress: float) -> None:
        if not self.cfg.lr_anneal:
            return
        frac = max(0.0, 1.0 - progress)
        for opt, lr in self.optimizers:
            for group in opt.param_groups:
                group["lr"] = lr * frac

    # ------------------------------------------------------------- checkpoint
    def state_dict(self) -> dict[str, Any]:
        return {"actor": self._actor.state_dict(), "actor_opt": self.actor_opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._actor.load_state_dict(state["actor"])
        self.actor_opt.load_state_dict(state["actor_opt"])


def _chunks(idx: Rows, rows: int) -> list[torch.Tensor] | list[slice]:
    """``idx`` cut into pieces of at most ``rows`` rows (slices stay slices: views)."""
    if isinstance(idx, torch.Tensor):
        return list(idx.split(rows))
    start, stop = idx.start or 0, idx.stop
    return [slice(i, min(i + rows, stop)) for i in range(start, stop, rows)]


class RolloutRows:
    """A rollout as rows that minibatches pick from, agents kept together: ``(T * B)``
    env-steps, or, for recurrent policies, ``(T / seq_len * B)`` sequences of ``seq_len``
    steps (each row ``(seq_len, ...)``, with its stored initial memory and start flags)."""

    def __init__(self, ro: TeamRollout, adv: torch.Tensor, targets: torch.Tensor,
                 old_values: torch.Tensor, sequences: bool = False) -> None:
        length = ro.seq_len if sequences else 1

        def f(x: torch.Tensor) -> torch.Tensor:
            if not sequences:
                return x.reshape(-1, *x.shape[2:])
            t, b = x.shape[:2]  # (T, B, ...) -> (T/L * B, L, ...), rows = chunk-major
            return x.reshape(t // length, length, b, *x.shape[2:]).transpose(1, 2).reshape(
                t // length * b, length, *x.shape[2:])

        self.obs, self.actions, self.logp = f(ro.obs), f(ro.actions), f(ro.logp)
        self.active, self.adv, self.targets = f(ro.active), f(adv), f(targets)
        self.old_values = f(old_values)
        self.state = f(ro.state) if ro.state is not None else None
        self.teacher = f(ro.teacher) if ro.teacher is not None else None
        self.action_mask = f(ro.action_mask) if ro.action_mask is not None else None
        self.starts = f(ro.starts) if sequences else None
        self.memory = (ro.memory.reshape(-1, *ro.memory.shape[2:])
                       if sequences and ro.memory is not None else None)
        self.steps_per_row = length
        self.size = self.obs.shape[0]
