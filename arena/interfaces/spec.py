"""What a learner is told about its team (``TeamSpec``) and what it declares about itself
(``LearnerCapabilities``)."""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium

from arena.core.vec_env import VecEnv

Layout = list[tuple[str, int, int]]
"""A team's observation as entity tokens: ``(kind, count, features)`` segments."""


@dataclass
class TeamSpec:
    """Everything a learner needs to know about the team it controls."""

    team: str
    num_agents: int
    obs_dim: int
    state_dim: int
    layout: Layout
    action_space: gymnasium.Space
    action_masked: bool = False
    """The env restricts the team's legal discrete actions (``VecEnv.action_mask``)."""
    turn_based: bool = False
    """Agents act in turn: rewards between an agent's turns belong to its last decision."""

    @classmethod
    def of(cls, env: VecEnv, team: str) -> TeamSpec:
        layout = env.obs_layout(team)
        obs_dim = int(env.observation_space(team).shape[0])  # type: ignore[index]
        layout = [(k, c, obs_dim if f < 0 else f) for k, c, f in layout]
        return cls(team, len(env.teams[team]), obs_dim, int(env.state_space.shape[0]), layout,
                   env.action_space(team), env.has_action_masks, env.turn_based)


@dataclass(frozen=True)
class LearnerCapabilities:
    """What a learner needs from the collector and the trainer, declared once."""

    uses_state: bool = False
    """``act``/``value``/``update`` read the global state (centralized critic)."""
    memory_size: int = 0
    """Memory per agent of a recurrent policy (0: feedforward)."""
    seq_len: int = 0
    """Recurrent policies: training sequence length (0: the whole rollout)."""
    group_size: int = 0
    """Critic-free, group-relative learners: envs per group sharing one start state; their
    rollouts are whole episodes (0: an ordinary learner)."""
    imitates: bool = False
    """The rollout must carry the scenario's scripted actions (imitation term)."""
    action_shape: tuple[int, ...] | None = None
    """Shape stored per action when it is not the action space's (a flow head's chain)."""
    bootstraps_truncation: bool = True
    """A time-limit truncation adds ``gamma * value(final observation)`` to the last reward;
    False: it ends the episode as a termination does."""
