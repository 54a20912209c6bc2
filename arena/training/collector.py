"""The collector: ``rollout_steps`` steps of every env, every controller acting on the slots it
owns (``arena.interfaces.control``), written into each learner's preallocated ``(T, B, N, ...)``
rollout on the env's device, with no Python loop over envs or agents. Time-limit truncations are
bootstrapped here; recurrent memory is carried across steps and iterations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from arena.core.scenario import ByTeam
from arena.core.vec_env import VecEnv
from arena.interfaces.control import Controller, TeamControl
from arena.interfaces.episodes import EpisodeTracker
from arena.interfaces.learner import Learner
from arena.interfaces.policies import to_env_actions
from arena.interfaces.rollout import TeamRollout


class Collector:
    """Acts in ``env`` for every team: the team's learner (if trained) and its controllers
    (a frozen policy, population members, ...), and fills the learners' rollouts.

    ``group_size > 0`` (critic-free, group-relative learners): every collection first restarts
    the envs in groups sharing one start state and only each env's first episode counts."""

    def __init__(self, env: VecEnv, learners: dict[str, Learner],
                 frozen: dict[str, Controller], rollout_steps: int, device: torch.device,
                 group_size: int = 0) -> None:
        self.env, self.learners, self.device = env, learners, device
        self.steps, self.group_size = rollout_steps, group_size
        b = env.num_envs
        self.control: dict[str, TeamControl] = {}
        """Who controls each slot, per team (schedules such as co-evolution reassign it)."""
        for team, names in env.teams.items():
            self.control[team] = TeamControl(team, b, len(names), device, team in learners)
            if team in frozen:
                self.control[team].assign(torch.full((b,), self.control[team].add(frozen[team])))
        self.rollouts = {team: TeamRollout(le.spec, le.caps, rollout_steps, b, device)
                         for team, le in learners.items()}
        self.teacher = {t: ro.teacher for t, ro in self.rollouts.items() if ro.teacher is not None}
        """Rollout storage of the scripted actions, for the teams that imitate them."""
        self.memory = {  # learners' recurrent memory per env and agent, carried across steps
            team: torch.zeros(b, le.spec.num_agents, le.caps.memory_size, device=device)
            for team, le in learners.items() if le.caps.memory_size}
        self.final_state = any(le.caps.uses_state for le in learners.values())
        env.final_state_in_info = self.final_state
        self.on_step: list[Callable[[dict[str, Any]], None]] = []
        """Called with every step's ``info`` that reports finished episodes (schedules)."""
        self.obs: ByTeam = {}

    @torch.no_grad()
    def collect(self, episodes: EpisodeTracker) -> None:
        """Fill every learner's rollout with ``rollout_steps`` steps of all envs."""
        env = self.env
        obs = self.obs or env.observe()
        alive = None
        if self.group_size:
            obs = env.reset_groups(self.group_size)
            alive = torch.ones(env.num_envs, dtype=torch.bool, device=self.device)
        for t in range(self.steps):
            state = env.global_state() if self.final_state else None
            starts = env.episode_starts()
            if self.teacher:  # the scripted policy labels the states the learners visit
                scripted = env.scripted_actions()
                for team, store in self.teacher.items():
                    store[t] = scripted[team]
            actions = {team: self._team_actions(t, team, obs[team], state, starts, alive)
                       for team in env.teams}
            obs, rew, term, trunc, info = env.step(actions)
            for team, le in self.learners.items():
                ro = self.rollouts[team]
                ro.rewards[t] = rew[team]
                ro.dones[t] = (term | trunc).unsqueeze(-1)
                if "final_observation" in info:
                    self._bootstrap_truncated(team, le, t, trunc, info)
            if alive is not None:  # whole-episode rollouts: count each env's first episode
                info = {**info, "done": info["done"] & alive}
                alive = alive & ~(term | trunc)
            if "metrics" in info:
                episodes.add(info)
                for hook in self.on_step:
                    hook(info)
        self.obs = obs
        state = env.global_state() if self.final_state else None
        for team, ro in self.rollouts.items():
            ro.last_obs.copy_(obs[team])
            if ro.last_state is not None and state is not None:
                ro.last_state.copy_(state)

    def _team_actions(self, t: int, team: str, obs: torch.Tensor, state: torch.Tensor | None,
                      starts: torch.Tensor, alive: torch.Tensor | None) -> torch.Tensor:
        """``team``'s env actions at step ``t``: its learner's (recorded) and its controllers'."""
        learner = self.learners.get(team)
        actions = None
        if learner is not None:
            actions = self._learner_act(t, team, learner, obs, state, starts, alive)
        return self.control[team].act(self.env, obs, actions, starts)

    def _learner_act(self, t: int, team: str, le: Learner, obs: torch.Tensor,
                     state: torch.Tensor | None, starts: torch.Tensor,
                     alive: torch.Tensor | None) -> torch.Tensor:
        """The learner's decision on every env, written into its rollout; its own slots are
        the rollout's active entries. Returns env actions."""
        ro = self.rollouts[team]
        memory = self.memory.get(team)
        if memory is not None and ro.memory is not None and t % ro.seq_len == 0:
            ro.memory[t // ro.seq_len] = memory
        res = le.act(obs, state, memory=memory, starts=starts)
        if res.memory is not None:
            self.memory[team] = res.memory
        ro.obs[t], ro.actions[t], ro.logp[t], ro.values[t] = (
            obs, res.actions, res.logp, res.values)
        ro.starts[t] = starts
        if ro.state is not None and state is not None:
            ro.state[t] = state
        active = self.control[team].learner_slots(self.env.agent_mask(team))
        ro.active[t] = active if alive is None else active & alive.unsqueeze(-1)
        raw = res.actions if res.env_actions is None else res.env_actions
        return to_env_actions(self.env.action_space(team), raw)

    def _bootstrap_truncated(self, team: str, le: Learner, t: int, trunc: torch.Tensor,
                             info: dict[str, Any]) -> None:
        """Time-limit truncation is not a terminal state: add ``gamma * V(final state)``."""
        if not bool(trunc.any()) and self.device.type == "cpu":
            return
        final = le.value(info["final_observation"][team], info.get("final_state"))
        self.rollouts[team].rewards[t] += le.gamma * final * trunc.unsqueeze(-1)

    # ------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """The learners' and the controllers' memories."""
        return {"memory": self.memory,
                "controller_memory": {t: c.state_dict() for t, c in self.control.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for team, memory in state.get("memory", {}).items():
            if team in self.memory:
                self.memory[team] = memory.to(self.device)
            elif team in self.control and 1 in self.control[team].memory:
                self.control[team].load_state_dict({"1": memory})  # a frozen team, format 1
        for team, memory in state.get("controller_memory", {}).items():
            self.control[team].load_state_dict(memory)
