"""Behaviour-cloning warm start: before reinforcement learning, fit each trained team's actor to
demonstrations of the scenario's scripted policy (``pretrain`` in the run config), or a takeover
attacker to the scenario's scripted saboteur on the slots it attacks (``source: saboteur``).

The loss is the actor's ``imitation_loss``: the negative log-likelihood of the demonstrated
actions for categorical and Gaussian heads, the conditional flow-matching loss for the flow
head (which keeps several demonstrated ways of acting where a Gaussian averages them).
Recurrent actors are fitted on whole demonstrated sequences with their episode starts.
"""

from __future__ import annotations

from typing import Any

import torch

from arena.core.typed import ConfigError
from arena.core.vec_env import VecEnv
from arena.interfaces.learner import Learner, TeamActor
from arena.interfaces.policies import PolicyFn
from arena.training import distributed
from arena.training.attack import Takeover, with_state
from arena.training.run_config import PretrainConfig, RunConfig
from arena.training.runs import make_env


def _fresh_env(run: RunConfig, device: torch.device, rank: int
               ) -> tuple[VecEnv, int, dict[str, torch.Tensor]]:
    """The demonstrations' envs (``pretrain.num_envs``, reset from the worker's own seed), how
    many steps to record, and the first observations."""
    cfg = run.pretrain
    env = make_env(run, num_envs=cfg.num_envs, compile=False, device=device)
    steps = cfg.rollout_steps or int(getattr(env, "max_steps", 0)) or run.rollout_steps
    obs, _ = env.reset(seed=run.seed + 20_000 + 1000 * rank)
    return env, steps, obs


def demonstrations(run: RunConfig, teams: list[str], device: torch.device, rank: int = 0
                   ) -> tuple[dict[str, Any], torch.Tensor]:
    """``({team: (obs (T, B, N, D), actions (T, B, N[, A]))}, starts (T, B))`` of the scripted
    policy on fresh envs of the run's scenario (data-parallel ``rank``: its own seeds)."""
    env, steps, obs = _fresh_env(run, device, rank)
    seen: dict[str, tuple[list[torch.Tensor], list[torch.Tensor]]] = {t: ([], []) for t in teams}
    starts = []
    for _ in range(steps):
        starts.append(env.episode_starts())
        actions = env.scripted_actions()
        for team in teams:
            seen[team][0].append(obs[team])
            seen[team][1].append(actions[team])
        obs, *_ = env.step(actions)
    data = {t: (torch.stack(o), torch.stack(a)) for t, (o, a) in seen.items()}
    return data, torch.stack(starts)


def saboteur_demonstrations(run: RunConfig, attack: Takeover, device: torch.device,
                            rank: int = 0, others: PolicyFn | None = None
                            ) -> tuple[dict[str, Any], torch.Tensor]:
    """``({team: (obs (T, B, k, D), actions (T, B, k[, A]))}, starts (T, B))``: the scripted
    saboteur on the ``k`` attacked slots of the attacked team, in fresh envs where the victim
    plays the other slots (sampling, as in training) and ``others`` the other teams. ``obs``
    is what the attacker observes (with the global state under ``attack.observe: state``)."""
    team, k = attack.team, attack.cfg.agents
    env, steps, obs = _fresh_env(run, device, rank)
    play, attacked = attack.saboteur_play(env, run.seed + 30_000 + 1000 * rank, others)
    seen_obs, seen_actions, starts = [], [], []
    for _ in range(steps):
        starts.append(env.episode_starts())
        mine = with_state(env, obs[team]) if attack.cfg.observe == "state" else obs[team]
        actions = play(env, obs)
        seen_obs.append(mine[attacked].view(env.num_envs, k, -1))
        sabotage = actions[team][attacked]  # the saboteur's, on its slots
        seen_actions.append(sabotage.view(env.num_envs, k, *sabotage.shape[1:]))
        obs, *_ = env.step(actions)
    data = {team: (torch.stack(seen_obs), torch.stack(seen_actions))}
    return data, torch.stack(starts)


def pretrain(run: RunConfig, learners: dict[str, Learner], device: torch.device,
             rank: int = 0, world_size: int = 1,
             demos: tuple[dict[str, Any], torch.Tensor] | None = None) -> dict[str, float]:
    """Fit the actors of the configured teams (default: every trained team) to scripted
    demonstrations (``demos``, or the scripted policy's); returns the first and last losses
    per team. Every data-parallel worker collects its own demonstrations and the gradients
    are averaged, so the actors stay identical."""
    cfg = run.pretrain
    teams = cfg.teams or list(learners)
    unknown = set(teams) - set(learners)
    if unknown:
        raise ValueError(f"pretrain.teams: {sorted(unknown)} are not trained teams "
                         f"({sorted(learners)})")
    data, starts = demos if demos is not None else demonstrations(run, teams, device, rank)
    if set(teams) - set(data):
        raise ConfigError(f"pretrain.teams: {sorted(set(teams) - set(data))} have no "
                          f"demonstrations from source {cfg.source!r} (it demonstrates "
                          f"{sorted(data)})")
    stats = {}
    for team in teams:
        obs, actions = data[team]
        losses = _fit(learners[team].actor(), obs, actions, starts, cfg, world_size)
        stats[f"pretrain/{team}/loss_first"] = losses[0]
        stats[f"pretrain/{team}/loss_last"] = losses[-1]
    return stats


def _fit(actor: TeamActor, obs: torch.Tensor, actions: torch.Tensor, starts: torch.Tensor,
         cfg: PretrainConfig, world: int) -> list[float]:
    recurrent = actor.recurrent
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
