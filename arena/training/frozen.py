"""Frozen teams (``teams.<team>.frozen``): a team played by a fixed policy and never trained:
the scripted or the random policy, or the actor of another run (e.g. the defenders of an
exploitation check). A ``FrozenPolicy`` is a slot controller (``arena.interfaces.control``)
that owns every slot of its team."""

from __future__ import annotations

import torch

from arena.core.typed import ConfigError
from arena.core.vec_env import VecEnv
from arena.interfaces.learner import TeamActor
from arena.interfaces.policies import NAMED_POLICIES, to_env_actions
from arena.training.runs import load_policy


class FrozenPolicy:
    """``team`` played by ``source``: ``scripted``, ``random``, or a run directory or
    checkpoint holding an actor for ``team`` (which samples its actions, as in training,
    unless ``deterministic``). ``role`` names it in errors (``frozen``, ``victim``)."""

    def __init__(self, team: str, source: str, env: VecEnv, device: torch.device,
                 deterministic: bool = False, role: str = "frozen",
                 actor: TeamActor | None = None) -> None:
        self.team, self.name, self.deterministic = team, source, deterministic
        self.space = env.action_space(team)
        self.actor = actor
        """The network (``None``: a named policy); given directly, ``source`` only names it."""
        if actor is None and source not in NAMED_POLICIES:
            try:
                policy = load_policy(source, device=str(device), env=env)
            except ValueError as e:  # e.g. trained on other actions: name the role too
                raise ConfigError(f"{role} {source}: {e}") from None
            if team not in policy.actors:
                raise ValueError(f"{role} {source} has no trained policy for team {team!r} "
                                 f"(it has {sorted(policy.actors)})")
            self.actor = policy.actors[team]
            self.actor.eval()
        self.memory_size = self.actor.memory_size if self.actor is not None else 0

    @torch.no_grad()
    def act(self, env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None,
            memory: torch.Tensor | None, starts: torch.Tensor,
            action_mask: torch.Tensor | None = None
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.actor is None:
            actions = NAMED_POLICIES[self.name](env, {self.team: obs})[self.team]
            actions = actions if rows is None else actions[rows]
            return to_env_actions(self.space, actions), None
        d = self.actor.decide(obs, self.deterministic, memory, starts, action_mask)
        return to_env_actions(self.space, d.env_actions), d.memory
