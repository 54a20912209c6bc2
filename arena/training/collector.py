"""The collector: ``rollout_steps`` steps of every env, every controller acting on the slots it
owns (``arena.interfaces.control``), written into each learner's preallocated ``(T, B, N, ...)``
rollout on the env's device, with no Python loop over envs or agents. Time-limit truncations are
bootstrapped here; recurrent memory is carried across steps and iterations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from arena.core.scenario import ByTeam
from arena.core.vec_env import VecEnv
from arena.interfaces.control import Controller, TeamControl
from arena.interfaces.episodes import EpisodeTracker
from arena.interfaces.learner import ActResult, Learner
from arena.interfaces.policies import to_env_actions
from arena.interfaces.rollout import TeamRollout

ActionFn = Callable[[str, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None],
                   torch.Tensor]
"""``(team, obs, learner decisions, episode starts, action mask) -> env actions``."""


SlotReward = Callable[[torch.Tensor, dict[str, Any]], torch.Tensor]
"""``(the team's env rewards (B, N), step info) -> a slot learner's rewards (B, N)``."""


@dataclass
class SlotLearner:
    """A learner that owns some slots of a team whose own learner owns the others (robust
    training's online attacker). Like a team's learner it decides on every env (its rollout
    has a fixed shape) but learns only from the slots of its owner index ``index``, on its own
    ``reward``."""

    team: str
    learner: Learner
    index: int
    reward: SlotReward
    rollout: TeamRollout
    actions: torch.Tensor | None = field(default=None, repr=False)
    """This step's env actions (what its controller plays on its slots)."""


class _SlotLearnerControl:
    """The controller of a slot learner's slots: the actions it decided this step."""

    memory_size = 0

    def __init__(self, name: str) -> None:
        self.name = name
        self.slot: SlotLearner | None = None

    def act(self, env: VecEnv, obs: torch.Tensor, rows: torch.Tensor | None,
            memory: torch.Tensor | None, starts: torch.Tensor,
            action_mask: torch.Tensor | None = None
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        assert self.slot is not None and self.slot.actions is not None
        actions = self.slot.actions
        return (actions if rows is None else actions[rows]), None


def _env_actions(le: Learner, res: ActResult) -> torch.Tensor:
    """A learner's decision as env actions."""
    return to_env_actions(le.spec.action_space,
                          res.actions if res.env_actions is None else res.env_actions)


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
        self.last_decision = {team: torch.full((b, le.spec.num_agents), -1, device=device)
                              for team, le in learners.items() if le.spec.turn_based}
        """Turn-based envs: each slot's last decision step in this rollout (-1: none yet)."""
        self.final_state = any(le.caps.uses_state for le in learners.values())
        env.final_state_in_info = self.final_state
        self.reward_fn: Callable[[str, torch.Tensor, dict[str, Any]], torch.Tensor] | None = None
        """Replaces a team's env rewards before they reach its learner (an attacker's
        objective)."""
        self.obs_fn: Callable[[str, torch.Tensor, torch.Tensor | None], torch.Tensor] | None = \
            None
        """``(team, observations, global state) -> the team learner's input`` when it is not
        the observations (a takeover attacker that observes the state)."""
        self.action_fn: ActionFn | None = None
        """Turns a learner's decisions into env actions when they are not env actions (an
        observation attacker's perturbations become the victim's actions)."""
        self.on_step: list[Callable[[dict[str, Any]], None]] = []
        """Called with every step's ``info`` that reports finished episodes (schedules)."""
        self.obs: ByTeam = {}
        self.slot_learners: list[SlotLearner] = []
        """Learners owning some slots of a team besides its learner (``add_slot_learner``)."""

    def add_slot_learner(self, team: str, learner: Learner, reward: SlotReward,
                         name: str) -> SlotLearner:
        """A learner for some slots of trained ``team`` (assigned to its ``index`` in the
        team's control), learning on ``reward``; feedforward, not turn-based. Under grouped
        collection (``group_size``) it gets whole episodes too, with its group size."""
        if learner.caps.memory_size or learner.spec.turn_based:
            raise ValueError(f"{name}: slot learners are feedforward, not turn-based")
        if learner.caps.group_size not in (0, self.group_size):
            raise ValueError(f"{name}: group size {learner.caps.group_size}, but the envs are "
                             f"reset in groups of {self.group_size}")
        control = _SlotLearnerControl(name)
        index = self.control[team].add(control)
        rollout = TeamRollout(learner.spec, learner.caps, self.steps, self.env.num_envs,
                              self.device)
        control.slot = SlotLearner(team, learner, index, reward, rollout)
        self.slot_learners.append(control.slot)
        if learner.caps.uses_state:
            self.record_state()
        return control.slot

    def record_state(self) -> None:
        """Compute the global state every step and at episode ends (``final_state``), for a
        learner that uses it after construction (a slot learner, a state-observing attacker)."""
        self.final_state = self.env.final_state_in_info = True

    @torch.no_grad()
    def collect(self, episodes: EpisodeTracker) -> None:
        """Fill every learner's rollout with ``rollout_steps`` steps of all envs."""
        env = self.env
        obs = self.obs or env.observe()
        alive = None
        if self.group_size:
            obs = env.reset_groups(self.group_size)
            alive = torch.ones(env.num_envs, dtype=torch.bool, device=self.device)
        self._start_turns()
        for t in range(self.steps):
            state = env.global_state() if self.final_state else None
            starts = env.episode_starts()
            masks = env.action_mask() if env.has_action_masks else None
            if self.teacher:  # the scripted policy labels the states the learners visit
                scripted = env.scripted_actions()
                for team, store in self.teacher.items():
                    store[t] = scripted[team]
            for sl in self.slot_learners:
                mask = None if masks is None else masks.get(sl.team)
                active = self.control[sl.team].slots_of(sl.index, self.env.agent_mask(sl.team))
                res = self._decide(t, sl.rollout, sl.learner, obs[sl.team], state, starts,
                                   alive, mask, active)
                sl.actions = _env_actions(sl.learner, res)
            actions = {team: self._team_actions(t, team, obs[team], state, starts, alive,
                                                None if masks is None else masks.get(team))
                       for team in env.teams}
            obs, rew, term, trunc, info = env.step(actions)
            self._record(t, rew, term, trunc, info)
            if alive is not None:  # whole-episode rollouts: count each env's first episode
                info = {**info, "done": info["done"] & alive}
                alive = alive & ~(term | trunc)
            if "metrics" in info:
                episodes.add(info)
                for hook in self.on_step:
                    hook(info)
        self.obs = obs
        self._end_turns()
        state = env.global_state() if self.final_state else None
        slots = [(sl.team, sl.rollout) for sl in self.slot_learners]
        for team, ro in [*self.rollouts.items(), *slots]:
            ro.last_obs.copy_(self._input(team, obs[team], state))
            if ro.last_state is not None and state is not None:
                ro.last_state.copy_(state)

    def _record(self, t: int, rew: ByTeam, term: torch.Tensor, trunc: torch.Tensor,
                info: dict[str, Any]) -> None:
        """Step ``t``'s rewards (truncations bootstrapped; credited to their decisions in
        turn-based envs) and episode ends, into every learner's rollout."""
        for team, le in self.learners.items():
            reward = rew[team] if self.reward_fn is None else self.reward_fn(team, rew[team],
                                                                            info)
            self._store(t, team, le, self.rollouts[team], reward, term, trunc, info)
        for sl in self.slot_learners:
            self._store(t, sl.team, sl.learner, sl.rollout, sl.reward(rew[sl.team], info), term,
                        trunc, info)

    def _store(self, t: int, team: str, le: Learner, ro: TeamRollout, reward: torch.Tensor,
               term: torch.Tensor, trunc: torch.Tensor, info: dict[str, Any]) -> None:
        if "final_observation" in info and le.caps.bootstraps_truncation:
            reward = self._bootstrap_truncated(team, le, reward, trunc, info)
        ro.dones[t] = (term | trunc).unsqueeze(-1)
        if ro.boot is None:
            ro.rewards[t] = reward
        else:
            self._credit(team, t, reward, term | trunc)

    def _team_actions(self, t: int, team: str, obs: torch.Tensor, state: torch.Tensor | None,
                      starts: torch.Tensor, alive: torch.Tensor | None,
                      mask: torch.Tensor | None) -> torch.Tensor:
        """``team``'s env actions at step ``t``: its learner's (recorded) and its controllers'."""
        learner = self.learners.get(team)
        actions = None
        if learner is not None:
            actions = self._learner_act(t, team, learner, obs, state, starts, alive, mask)
        return self.control[team].act(self.env, obs, actions, starts, mask)

    def _learner_act(self, t: int, team: str, le: Learner, obs: torch.Tensor,
                     state: torch.Tensor | None, starts: torch.Tensor,
                     alive: torch.Tensor | None, mask: torch.Tensor | None) -> torch.Tensor:
        """The learner's decision on every env, written into its rollout; its own slots are
        the rollout's active entries. Returns env actions."""
        ro = self.rollouts[team]
        memory = self.memory.get(team)
        if memory is not None and ro.memory is not None and t % ro.seq_len == 0:
            ro.memory[t // ro.seq_len] = memory
        active = self.control[team].learner_slots(self.env.agent_mask(team))
        res = self._decide(t, ro, le, self._input(team, obs, state), state, starts, alive,
                           mask, active, memory)
        if res.memory is not None:
            self.memory[team] = res.memory
        raw = _env_actions(le, res)
        if self.action_fn is not None:
            return self.action_fn(team, obs, raw, starts, mask)
        return raw

    def _input(self, team: str, obs: torch.Tensor, state: torch.Tensor | None
               ) -> torch.Tensor:
        """The learner's input for ``team``'s observations (``obs_fn``)."""
        return obs if self.obs_fn is None else self.obs_fn(team, obs, state)

    def _decide(self, t: int, ro: TeamRollout, le: Learner, obs: torch.Tensor,
                state: torch.Tensor | None, starts: torch.Tensor, alive: torch.Tensor | None,
                mask: torch.Tensor | None, active: torch.Tensor,
                memory: torch.Tensor | None = None) -> ActResult:
        """``le``'s decision on every env at step ``t``, written into its rollout ``ro``, whose
        ``active`` slots it learns from."""
        res = le.act(obs, state, memory=memory, starts=starts, action_mask=mask)
        if ro.action_mask is not None and mask is not None:
            ro.action_mask[t] = mask
        ro.obs[t], ro.actions[t], ro.logp[t], ro.values[t] = (
            obs, res.actions, res.logp, res.values)
        ro.starts[t] = starts
        if ro.state is not None and state is not None:
            ro.state[t] = state
        ro.active[t] = active if alive is None else active & alive.unsqueeze(-1)
        return res

    def _bootstrap_truncated(self, team: str, le: Learner, reward: torch.Tensor,
                             trunc: torch.Tensor, info: dict[str, Any]) -> torch.Tensor:
        """Time-limit truncation is not a terminal state: add ``gamma * V(final state)``."""
        if not bool(trunc.any()) and self.device.type == "cpu":
            return reward
        state = info.get("final_state")
        final = le.value(self._input(team, info["final_observation"][team], state), state)
        return reward + le.gamma * final * trunc.unsqueeze(-1)

    # ------------------------------------------------------------- turn-based
    def _start_turns(self) -> None:
        """Turn-based rollouts accumulate credited rewards and mark bootstrap decisions anew;
        rewards still to come for the last rollout's open decisions are not credited."""
        for team, last in self.last_decision.items():
            ro = self.rollouts[team]
            ro.rewards.zero_()
            assert ro.boot is not None
            ro.boot.zero_()
            last.fill_(-1)

    def _credit(self, team: str, t: int, reward: torch.Tensor, done: torch.Tensor) -> None:
        """Add each slot's reward of step ``t`` to its decision: this step's if it acted, else
        its last one in the rollout (an agent's turn earns rewards until its next turn)."""
        ro, last = self.rollouts[team], self.last_decision[team]
        acted = ro.active[t] > 0
        target = torch.where(acted, t, last)
        slots = torch.arange(reward.numel(), device=self.device).view_as(reward)
        index = target.clamp_min(0) * reward.numel() + slots
        ro.rewards.view(-1).index_add_(0, index.flatten(),
                                       (reward * (target >= 0)).flatten())
        self.last_decision[team] = torch.where(acted, t, last).masked_fill(
            done.unsqueeze(-1), -1)

    def _end_turns(self) -> None:
        """Each slot's open decision (its episode goes on past the rollout) is not trained on
        but bootstraps the slot's previous decision (``TeamRollout.boot``)."""
        for team, last in self.last_decision.items():
            ro = self.rollouts[team]
            assert ro.boot is not None
            open_ = last >= 0
            slots = torch.arange(last.numel(), device=self.device).view_as(last)
            index = (last.clamp_min(0) * last.numel() + slots)[open_]
            ro.active.view(-1)[index] = 0.0
            ro.boot.view(-1)[index] = 1.0

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
