"""Control per agent slot: who acts for agent ``i`` of a team in env ``b``.

Each team has a ``TeamControl``: an ``owner`` tensor ``(num_envs, num_agents)`` of controller
indices. Index ``LEARNER`` (0) is the team's learner (when the team has one); indices ``1..``
are the team's other controllers, in the order they were added: a frozen policy (a run, the
scripted or the random policy), population members, later an attacker that took a slot over.
``NOBODY`` (-1) marks a slot that nobody controls.

The collector asks each controller for actions once per step, on the envs where it owns at
least one slot, and keeps its actions on exactly its slots. The learner acts on every env (its
rollout has a fixed shape) and learns only from ``learner_slots``: the slots it owns whose
agents are still in their episode. Frozen teams, populations and agents that leave early are
all assignments of this one kind.
"""

from __future__ import annotations

from typing import Any, Protocol

import torch

from arena.core.vec_env import VecEnv

LEARNER = 0
"""Owner index of the team's learner."""
NOBODY = -1
"""Owner index of a slot that nobody controls."""


class Controller(Protocol):
    """A policy that acts for some slots of one team and does not learn from them."""

    name: str
    """Shown in errors and logs (``scripted``, a run directory, ``attacker population slot
    2``)."""
    memory_size: int
    """Memory per agent of a recurrent policy (0: feedforward)."""

    def act(self, env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None,
            memory: torch.Tensor | None, starts: torch.Tensor,
            action_mask: torch.Tensor | None = None
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Env actions ``(B', N[, A])`` for the observations ``obs`` ``(B', N, D)`` of the envs
        ``rows`` (``None``: all envs), legal under ``action_mask`` ``(B', N, A)`` where the env
        masks actions, and the memory after this step (recurrent)."""
        ...


class TeamControl:
    """The slot assignment of one team and the controllers other than its learner."""

    def __init__(self, team: str, num_envs: int, num_agents: int, device: torch.device,
                 has_learner: bool) -> None:
        self.team, self.device, self.has_learner = team, device, has_learner
        self.controllers: list[Controller] = []
        """Controller ``k`` has owner index ``k + 1``."""
        self.owner = torch.full((num_envs, num_agents), LEARNER if has_learner else NOBODY,
                                dtype=torch.long, device=device)
        self.memory: dict[int, torch.Tensor] = {}
        """Memory ``(num_envs, num_agents, M)`` of each recurrent controller, by owner index."""
        self._derive()

    def add(self, controller: Controller) -> int:
        """Add a controller (owning no slot yet); returns its owner index."""
        self.controllers.append(controller)
        index = len(self.controllers)
        if controller.memory_size:
            self.memory[index] = torch.zeros(*self.owner.shape, controller.memory_size,
                                             device=self.device)
        self._derive()
        return index

    def assign(self, owner: torch.Tensor) -> None:
        """Set the owner of every slot: ``(num_envs, num_agents)``, or ``(num_envs,)`` for
        whole envs. What the collector needs per controller is derived here, once, not per
        step (which envs each controller acts in: a host synchronization)."""
        owner = owner.to(self.device, torch.long)
        if owner.dim() == 1:
            owner = owner.unsqueeze(-1).expand_as(self.owner)
        if owner.shape != self.owner.shape:
            raise ValueError(f"team {self.team!r}: owner has shape {tuple(owner.shape)}, "
                             f"expected {tuple(self.owner.shape)} (num_envs, num_agents)")
        bad = (owner < NOBODY) | (owner > len(self.controllers))
        if not self.has_learner:
            bad |= owner == LEARNER
        if bool(bad.any()):
            learner = "0 (the learner), " if self.has_learner else ""
            raise ValueError(f"team {self.team!r}: owner indices must be -1 (nobody), "
                             f"{learner}or 1..{len(self.controllers)} (its controllers)")
        self.owner = owner.contiguous()
        self._derive()

    def _derive(self) -> None:
        """Per controller: ``(index, rows, owned)``: the envs it acts in (``None``: it owns
        every slot) and which of their slots it owns."""
        self._learner_only = self.has_learner and not self.controllers
        self._learner_mask = self.owner == LEARNER
        self._plan: list[tuple[int, torch.Tensor | None, torch.Tensor | None]] = []
        for index in range(1, len(self.controllers) + 1):
            owned = self.owner == index
            if bool(owned.all()):
                self._plan.append((index, None, None))
                continue
            rows = owned.any(-1).nonzero().squeeze(1)
            if rows.numel():
                self._plan.append((index, rows, owned[rows]))

    def learner_slots(self, agent_mask: torch.Tensor) -> torch.Tensor:
        """``(num_envs, num_agents)`` bool: the learner's slots whose agents are active."""
        if self._learner_only:
            return agent_mask
        return agent_mask & self._learner_mask

    def slots_of(self, index: int, agent_mask: torch.Tensor) -> torch.Tensor:
        """``(num_envs, num_agents)`` bool: controller ``index``'s slots whose agents are
        active (what a learning controller learns from)."""
        return agent_mask & (self.owner == index)

    def act(self, env: VecEnv, obs: torch.Tensor, learner_actions: torch.Tensor | None,
            starts: torch.Tensor, action_mask: torch.Tensor | None = None) -> torch.Tensor:
        """The team's env actions: the learner's (if any) on its slots, each controller's on
        its own. Slots that nobody owns get the learner's actions, or zeros without one."""
        out = learner_actions
        if out is not None and any(rows is not None for _, rows, _ in self._plan):
            out = out.clone()  # written in place below
        for index, rows, owned in self._plan:
            memory = self.memory.get(index)
            x, mem, first, mask = obs, memory, starts, action_mask
            if rows is not None:
                x, first = obs[rows], starts[rows]
                mem = None if memory is None else memory[rows]
                mask = None if action_mask is None else action_mask[rows]
            actions, new_memory = self.controllers[index - 1].act(env, x, rows, mem, first,
                                                                  mask)
            if memory is not None and new_memory is not None:
                if rows is None:
                    self.memory[index] = new_memory
                else:
                    memory[rows] = new_memory
            if rows is None:
                out = actions
                continue
            if out is None:
                out = actions.new_zeros((*self.owner.shape, *actions.shape[2:]))
            assert owned is not None
            keep = owned.reshape(*owned.shape, *([1] * (actions.dim() - 2)))
            out[rows] = torch.where(keep, actions.to(out.dtype), out[rows])
        if out is None:
            raise ValueError(f"team {self.team!r}: no learner and no controller owns a slot")
        return out

    def state_dict(self) -> dict[str, Any]:
        """The memory of the recurrent controllers (the assignment is its schedule's)."""
        return {str(k): v for k, v in self.memory.items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            self.memory[int(k)] = v.to(self.device)
