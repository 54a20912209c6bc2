"""Behaviour-cloning warm start: before reinforcement learning, fit each trained team's actor to
demonstrations of the scenario's scripted policy (``pretrain`` in the run config).

The loss is the actor's ``imitation_loss``: the negative log-likelihood of the demonstrated
actions for categorical and Gaussian heads, the conditional flow-matching loss for the flow
head (which keeps several demonstrated ways of acting where a Gaussian averages them).
Recurrent actors are fitted on whole demonstrated sequences with their episode starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from arena import distributed

if TYPE_CHECKING:
    from arena.runner import Trainer


@dataclass
class PretrainConfig:
    """Behaviour cloning before training (off unless ``source`` is set)."""

    source: str = ""
    """Demonstrator: ``scripted`` (the scenario's heuristic), or empty for no pretraining."""
    steps: int = 1000
    """Gradient steps per team."""
    num_envs: int = 256
    """Envs that collect demonstrations."""
    rollout_steps: int = 0
    """Demonstration steps per env (0: the env's episode limit)."""
    batch_size: int = 4096
    """Env-steps per gradient step (recurrent actors: whole sequences adding up to about it)."""
    lr: float = 1e-3
    """Learning rate (Adam)."""
    teams: list[str] = field(default_factory=list)
    """Teams to pretrain (default: every trained team)."""

    def validate(self) -> None:
        if self.source not in ("", "scripted"):
            raise ValueError(f"source must be 'scripted' or empty, got {self.source!r}")
        if min(self.steps, self.num_envs, self.batch_size) < 1 or self.rollout_steps < 0:
            raise ValueError("steps, num_envs and batch_size must be >= 1, rollout_steps >= 0")


def demonstrations(trainer: Trainer, teams: list[str]) -> tuple[dict[str, Any], torch.Tensor]:
    """``({team: (obs (T, B, N, D), actions (T, B, N[, A]))}, starts (T, B))`` of the scripted
    policy on fresh envs of the run's scenario."""
    from arena.runner import make_env

    cfg = trainer.cfg.pretrain
    env = make_env(trainer.cfg, num_envs=cfg.num_envs, compile=False, device=trainer.device)
    steps = cfg.rollout_steps or int(getattr(env, "max_steps", 0)) or trainer.cfg.rollout_steps
    obs, _ = env.reset(seed=trainer.cfg.seed + 20_000 + 1000 * trainer.worker.rank)
    seen: dict[str, tuple[list[torch.Tensor], list[torch.Tensor]]] = {t: ([], []) for t in teams}
    starts = []
    for _ in range(steps):
        starts.append(env.episode_starts())
        actions = env.heuristic_actions()
        for team in teams:
            seen[team][0].append(obs[team])
            seen[team][1].append(actions[team])
        obs, *_ = env.step(actions)
    data = {t: (torch.stack(o), torch.stack(a)) for t, (o, a) in seen.items()}
    return data, torch.stack(starts)


def pretrain(trainer: Trainer) -> dict[str, float]:
    """Fit the actors of the configured teams to scripted demonstrations; returns the first and
    last losses per team. Every data-parallel worker collects its own demonstrations and the
    gradients are averaged, so the actors stay identical."""
    cfg = trainer.cfg.pretrain
    teams = cfg.teams or [t for t in trainer.learners if not trainer.cfg.frozen(t)]
    unknown = set(teams) - set(trainer.learners)
    if unknown:
        raise ValueError(f"pretrain.teams: {sorted(unknown)} are not trained teams "
                         f"({sorted(trainer.learners)})")
    data, starts = demonstrations(trainer, teams)
    stats = {}
    for team in teams:
        obs, actions = data[team]
        losses = _fit(trainer.learners[team].actor(), obs, actions, starts, cfg,
                      trainer.worker.world_size)
        stats[f"pretrain/{team}/loss_first"] = losses[0]
        stats[f"pretrain/{team}/loss_last"] = losses[-1]
    return stats


def _fit(actor: Any, obs: torch.Tensor, actions: torch.Tensor, starts: torch.Tensor,
         cfg: PretrainConfig, world: int) -> list[float]:
    recurrent = bool(getattr(actor, "recurrent", False))
    if recurrent:  # rows are whole sequences: (B, T, ...)
        obs, actions, starts = obs.transpose(0, 1), actions.transpose(0, 1), starts.T
        per_row = obs.shape[1]
    else:  # rows are env-steps: (T * B, ...)
        obs, actions = obs.flatten(0, 1), actions.flatten(0, 1)
        per_row = 1
    rows, batch = obs.shape[0], max(1, cfg.batch_size // per_row)
    params = list(actor.parameters())
    opt = torch.optim.Adam(params, lr=cfg.lr)
    losses = []
    actor.train()
    for _ in range(cfg.steps):
        idx = torch.randint(0, rows, (min(batch, rows),), device=obs.device)
        loss = actor.imitation_loss(obs[idx], actions[idx], starts[idx] if recurrent else None)
        opt.zero_grad(set_to_none=True)
        (loss / world).backward()
        distributed.all_reduce_grads(params)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"pretraining loss is {loss.item()}")
        opt.step()
        losses.append(float(loss.detach()))
    return losses
