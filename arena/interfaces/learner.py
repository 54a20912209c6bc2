"""The ``Learner`` protocol: one team's learning algorithm as the trainer sees it, with its
abilities declared in ``LearnerCapabilities`` (``arena.interfaces.spec``: read by the trainer,
never probed), and ``TeamActor``, the base class of the networks that act for a team."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import torch
from torch import nn

from arena.interfaces.rollout import TeamRollout
from arena.interfaces.spec import Layout, LearnerCapabilities, TeamSpec


class Decision(NamedTuple):
    """What an actor decided for one step: the actions as stored in rollouts, their
    log-probabilities ``(B, N)``, the memory after the step (recurrent actors) and the actions
    the env receives (they differ for a flow head, which stores its whole chain)."""

    actions: torch.Tensor
    logp: torch.Tensor
    memory: torch.Tensor | None
    env_actions: torch.Tensor


class TeamActor(nn.Module):
    """A network that acts for the agents of one team, ``(B, N, obs_dim)`` in. Subclasses set
    the three attributes and implement the methods; ``Policy``, frozen teams, populations and
    behaviour cloning use nothing else."""

    obs_dim: int
    """Observation features the actor was built for."""
    recurrent: bool = False
    """Whether it carries a memory across the steps of an episode."""
    memory_size: int = 0
    """Memory per agent (0: feedforward)."""

    @abstractmethod
    def decide(self, obs: torch.Tensor, deterministic: bool = False,
               memory: torch.Tensor | None = None, starts: torch.Tensor | None = None,
               action_mask: torch.Tensor | None = None) -> Decision:
        """Actions for ``obs`` ``(B, N, D)``: the mode (``deterministic``) or a sample.
        Recurrent actors need ``memory`` ``(B, N, M)`` and ``starts`` ``(B,)``; discrete actors
        never pick an action that ``action_mask`` ``(B, N, A)`` (True: legal) masks out."""

    def initial_memory(self, batch: tuple[int, ...], device: torch.device | str
                       ) -> torch.Tensor:
        """Zero memory of shape ``(*batch, memory_size)``."""
        return torch.zeros(*batch, self.memory_size, device=device)

    @abstractmethod
    def imitation_loss(self, obs: torch.Tensor, actions: torch.Tensor,
                       starts: torch.Tensor | None = None) -> torch.Tensor:
        """Behaviour-cloning loss of demonstrated env ``actions``: feedforward ``obs``
        ``(R, N, D)``; recurrent, whole sequences ``(R, L, N, D)`` with ``starts`` ``(R, L)``."""

    def set_layout(self, layout: Layout) -> bool:
        """Run on another observation layout (e.g. more agents); returns whether this actor
        can (count-invariant backbones). The default cannot: it needs ``obs_dim`` features."""
        return False


@dataclass
class ActResult:
    """A learner's decision for one step: actions ``(B, N[, A])``, their log-probabilities and
    the critic's values ``(B, N)``."""

    actions: torch.Tensor
    logp: torch.Tensor
    values: torch.Tensor
    memory: torch.Tensor | None = None
    """Recurrent learners: the memory after this step ``(B, N, M)``."""
    env_actions: torch.Tensor | None = None
    """What the env receives when it differs from what is stored (a flow head's last point)."""


class Learner(Protocol):
    """One team's learning algorithm."""

    spec: TeamSpec
    caps: LearnerCapabilities
    gamma: float
    """Discount, used to bootstrap time-limit truncations."""

    def act(self, obs: torch.Tensor, state: torch.Tensor | None, deterministic: bool = False,
            memory: torch.Tensor | None = None, starts: torch.Tensor | None = None,
            action_mask: torch.Tensor | None = None) -> ActResult: ...

    def value(self, obs: torch.Tensor, state: torch.Tensor | None) -> torch.Tensor: ...

    def update(self, rollout: TeamRollout, progress: float) -> dict[str, float]:
        """Learn from ``rollout`` (its ``active`` mask: this learner's own slots);
        ``progress`` is the fraction of the run done (learning-rate schedules)."""
        ...

    def actor(self) -> TeamActor: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...
