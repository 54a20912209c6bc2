"""Rollout storage: one learner's preallocated ``(T, B, N, ...)`` tensors on the env's device."""

from __future__ import annotations

import gymnasium
import torch

from arena.interfaces.spec import LearnerCapabilities, TeamSpec


class TeamRollout:
    """Preallocated rollout storage of one learner, ``(T, B, N, ...)`` on the env's device.

    ``active[t]`` is 1 on the slots the learner controlled at step ``t`` (its own slots, agents
    still in their episode): it learns from those only. ``starts[t]`` is 1 where ``obs[t]`` is
    the first observation of an episode. What else is stored follows the learner's
    capabilities: the global state (``uses_state``), the memory before every training sequence
    (``memory_size``: ``memory[c]`` is the memory before step ``c * seq_len``,
    ``(T // seq_len, B, N, M)``), another stored action shape (``action_shape``, e.g. a flow
    head's whole chain) and the scripted policy's actions (``imitates``: ``teacher``); and, by
    the team's spec, the action masks (``action_masked``) and the bootstrap-only decisions
    (``turn_based``)."""

    def __init__(self, spec: TeamSpec, caps: LearnerCapabilities, steps: int, num_envs: int,
                 device: torch.device) -> None:
        t, b, n = steps, num_envs, spec.num_agents
        space = spec.action_space
        env_shape = () if isinstance(space, gymnasium.spaces.Discrete) else space.shape or ()
        act_dtype = torch.long if not env_shape else torch.float32
        act_shape = env_shape if caps.action_shape is None else caps.action_shape

        def z(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
            return torch.zeros(shape, dtype=dtype, device=device)

        self.obs = z(t, b, n, spec.obs_dim)
        self.state = z(t, b, spec.state_dim) if caps.uses_state else None
        self.actions = z(t, b, n, *act_shape, dtype=act_dtype)
        self.logp = z(t, b, n)
        self.values = z(t, b, n)
        self.rewards = z(t, b, n)
        self.dones = z(t, b, 1)
        self.active = z(t, b, n)
        self.last_obs = z(b, n, spec.obs_dim)
        self.last_state = z(b, spec.state_dim) if caps.uses_state else None
        self.starts = z(t, b)
        self.teacher = z(t, b, n, *env_shape, dtype=act_dtype) if caps.imitates else None
        """The scripted policy's env actions at each step (learners that imitate it)."""
        n_actions = int(getattr(space, "n", 0))
        self.action_mask = (z(t, b, n, n_actions, dtype=torch.bool) if spec.action_masked
                            else None)
        """The legal actions at each step (envs that mask actions)."""
        self.boot = z(t, b, n) if spec.turn_based else None
        """Turn-based envs: 1 at each slot's last decision of the rollout whose episode goes
        on: it is not trained on (its rewards are still to come) and its value bootstraps the
        slot's previous decision."""
        self.seq_len = caps.seq_len or t
        if caps.memory_size and t % self.seq_len:
            raise ValueError(f"team {spec.team!r}: rollout_steps ({t}) must be a multiple of "
                             f"the training sequence length seq_len ({self.seq_len})")
        self.memory = z(t // self.seq_len, b, n, caps.memory_size) if caps.memory_size else None
        self.steps = steps
