"""``VecEnv``: a batch of environments of one scenario, stepped together as tensors on a device.

All inputs and outputs are dicts keyed by team with tensors batched over envs first:
observations ``(num_envs, n_team, obs_dim)``, rewards ``(num_envs, n_team)``, actions
``(num_envs, n_team)`` (discrete) or ``(num_envs, n_team, act_dim)`` (continuous);
``terminated`` and ``truncated`` are ``(num_envs,)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium
import numpy as np
import torch

from arena.core.actions import checked_actions
from arena.core.comm import TeamActions, team_actions
from arena.core.device import resolve_device
from arena.core.forces import ActionForces
from arena.core.scenario import ByTeam, Scenario
from arena.sim import BACKENDS, make_world

StepFn = Callable[[dict[str, torch.Tensor]],
                  tuple[ByTeam, ByTeam, torch.Tensor, torch.Tensor, torch.Tensor]]

_STEP_OPTIONS: dict[str, str | int | bool | Callable[..., Any]] = {"cpp.simdlen": 1}
"""Inductor options of the compiled step: scalar C++ loops on CPU (GPU kernels are Triton's,
unaffected). The world's tensors end in axes of 2 or 3 (x, y; agents), which inductor's CPU
code vectorizes with masked 16-lane loads that are mostly empty; the scalar loops ran the
``simple_spread`` step at 8192 envs 1.14-1.68x faster (docs/benchmarks.md)."""


class VecEnv:
    """``num_envs`` copies of a scenario with per-env auto-reset.

    When an env's episode ends (``terminated | truncated``), it is reset in place at the end of
    ``step`` while the others run on; the observation returned for it is the first of its new
    episode, and ``info`` then holds, for the envs in ``info["done"]``: ``final_observation``
    (by team), ``metrics`` (the scenario's, e.g. ``coverage``, ``success``,
    ``attack_success``), ``episode_return`` (by team, ``(num_envs, n_team)``) and
    ``episode_length``. On CPU these keys are present only on steps where some env finished.
    """

    def __init__(
        self,
        scenario: Scenario,
        num_envs: int = 1,
        device: torch.device | str = "cpu",
        dtype: torch.dtype = torch.float32,
        auto_reset: bool = True,
        check_actions: bool = True,
        env_id: str = "",
        compile: bool = False,
        backend: str = "torch",
    ) -> None:
        if not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {list(BACKENDS)}, got {backend!r}")
        if backend == "pymunk" and compile:
            raise ValueError("compile=True needs the torch backend (pymunk steps in Python)")
        self.scenario = scenario
        self.env_id = env_id or type(scenario).__name__
        self.num_envs = num_envs
        self.device = resolve_device(device)
        self.auto_reset = auto_reset
        self.check_actions = check_actions
        self.backend = backend
        self.world = make_world(backend, scenario.make_world(), num_envs, self.device, dtype)
        scenario.init_state(self.world)
        self.channel = self.world.channel
        """The world's message channel, or ``None`` (``arena.sim.channel``)."""
        self.max_steps = scenario.max_steps
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(0)
        self.teams: dict[str, list[str]] = {
            team: [f"{team}_{i}" for i in range(s.stop - s.start)]
            for team, s in self.world.team_slices.items()
        }
        self.t = torch.zeros(num_envs, dtype=torch.long, device=self.device)
        self._sync_free = self.device.type != "cpu"
        self._forces = {
            team: ActionForces(self.world.accel[s], scenario.continuous_actions,
                               scenario.continuous_format == "mpe")
            for team, s in self.world.team_slices.items()}
        self._compiled = compile
        self.final_state_in_info = False
        """Also put ``final_state`` (the global state at episode end) in ``info``."""
        self.honest: dict[str, torch.Tensor] = {}
        """Attacks from inside a team: ``{team: bool (num_envs, N_team)}``, the agents not taken
        over. For these teams the env reports the scenario's ``task_outcome`` of the honest
        agents as the ``task_success`` metric."""
        self.honest_reward_teams: set[str] = set()
        """Teams of :attr:`honest` whose reward is the scenario's ``honest_reward`` (the
        team's reward without the agents taken over) instead of its ``reward``."""
        self._core: StepFn = self._step_core
        if compile:
            self._core = torch.compile(self._step_core, dynamic=False, options=_STEP_OPTIONS)
        self._outputs_checked = False
        self._team_actions: dict[str, TeamActions] = {}
        if self.channel is not None:
            move_dim = 5 if scenario.continuous_format == "mpe" else 2
            self._team_actions = {t: team_actions(self.world, t, scenario.continuous_actions,
                                                  move_dim) for t in self.teams}
        self._spaces = self._build_spaces()
        self.episode_return = {
            team: torch.zeros(num_envs, len(names), dtype=dtype, device=self.device)
            for team, names in self.teams.items()
        }

    # ----------------------------------------------------------------- spaces
    def _build_spaces(self) -> dict[str, tuple[gymnasium.spaces.Box, gymnasium.Space]]:
        self.scenario.reset_world(self.world, self._all(), self.generator)
        obs = self.scenario.observation(self.world)
        self._check_per_agent("observation", obs, feature_dim=True)
        state = self.scenario.global_state(self.world, obs)
        self._check_output("global_state", state, (self.num_envs, None))
        self._state_dim = state.shape[-1]
        spaces: dict[str, tuple[gymnasium.spaces.Box, gymnasium.Space]] = {}
        for team in self.teams:
            box = gymnasium.spaces.Box(-np.inf, np.inf, (obs[team].shape[-1],), np.float32)
            spaces[team] = (box, self._checked_action_space(team))
        masks = self.scenario.action_mask(self.world)
        self.has_action_masks = masks is not None
        """Whether the scenario restricts the legal discrete actions (``action_mask``)."""
        if masks is not None:
            self._check_per_agent("action_mask", masks, feature_dim=True)
            for team, m in masks.items():
                space = spaces[team][1]
                if not isinstance(space, gymnasium.spaces.Discrete) or m.shape[-1] != space.n:
                    raise ValueError(f"{type(self.scenario).__name__}.action_mask[{team!r}] "
                                     f"has {m.shape[-1]} actions; the action space is {space}")
                self._check_output(f"action_mask[{team!r}]", m, tuple(m.shape), torch.bool)
        return spaces

    def _checked_action_space(self, team: str) -> gymnasium.Space:
        """The scenario's action space must be one the physics can apply (a scenario without
        physics applies its own)."""
        if team in self._team_actions:  # moves and messages, MPE's layout (arena.core.comm)
            return self._team_actions[team].space()
        space = self.scenario.action_space(team)
        sc = self.scenario
        if not sc.physics:
            return space
        want: gymnasium.Space = (
            gymnasium.spaces.Box(0.0, 1.0, (5,), np.float32)
            if sc.continuous_actions and sc.continuous_format == "mpe" else
            gymnasium.spaces.Box(-1.0, 1.0, (2,), np.float32)
            if sc.continuous_actions else gymnasium.spaces.Discrete(5))
        same = type(space) is type(want) and getattr(space, "shape", None) == want.shape
        if not same or (isinstance(want, gymnasium.spaces.Discrete) and space != want):
            raise ValueError(f"{type(sc).__name__}.action_space({team!r}) is {space}, but the "
                             f"simulator applies {want} (continuous_actions="
                             f"{sc.continuous_actions}, continuous_format="
                             f"{sc.continuous_format!r})")
        return space

    def team_actions(self, team: str) -> TeamActions | None:
        """How ``team``'s actions split into a move and a message (``arena.core.comm``), or
        ``None`` when the world has no channel."""
        return self._team_actions.get(self._team(team))

    def observation_space(self, team: str) -> gymnasium.Space:
        """Observation space of one agent of ``team``."""
        return self._spaces[self._team(team)][0]

    def action_space(self, team: str) -> gymnasium.Space:
        """Action space of one agent of ``team``."""
        return self._spaces[self._team(team)][1]

    @property
    def state_space(self) -> gymnasium.spaces.Box:
        """Space of ``global_state()`` for one env."""
        return gymnasium.spaces.Box(-np.inf, np.inf, (self._state_dim,), np.float32)

    @property
    def agents(self) -> list[str]:
        """All agent names, teams in order."""
        return [name for names in self.teams.values() for name in names]

    def _team(self, team: str) -> str:
        if team not in self.teams:
            raise KeyError(f"{self.env_id}: unknown team {team!r}; teams are {list(self.teams)}")
        return team

    # ------------------------------------------------------------------- API
    @torch.no_grad()
    def reset(self, seed: int | None = None) -> tuple[ByTeam, dict[str, Any]]:
        """Reset every env; ``seed`` makes the whole run reproducible."""
        if seed is not None:
            self.generator.manual_seed(seed)
        else:
            self.generator.seed()
        self._reset_envs(self._all())
        return self.scenario.observation(self.world), {}

    @torch.no_grad()
    def reset_groups(self, group_size: int) -> ByTeam:
        """Reset every env so that envs ``[k * group_size, (k + 1) * group_size)`` share one
        fresh start state (group-relative training); returns the observations. Per-env state
        is copied from each group's first env: the world, step counters, returns and the
        scenario's tensors with ``num_envs`` rows."""
        if group_size < 1 or self.num_envs % group_size:
            raise ValueError(f"{self.env_id}: num_envs ({self.num_envs}) must be a multiple of "
                             f"the group size ({group_size})")
        if self.backend != "torch":
            raise ValueError(f"{self.env_id}: grouped resets need the torch backend")
        self._reset_envs(self._all())
        src = torch.arange(self.num_envs, device=self.device) // group_size * group_size
        w = self.world
        w.pos, w.vel, w.active, self.t = w.pos[src], w.vel[src], w.active[src], self.t[src]
        if self.channel is not None:
            self.channel.select(src)
        for k, v in vars(self.scenario).items():
            if isinstance(v, torch.Tensor) and v.dim() and v.shape[0] == self.num_envs:
                setattr(self.scenario, k, v[src])
        return self.scenario.observation(self.world)

    @torch.no_grad()
    def step(self, actions: dict[str, torch.Tensor]) -> tuple[ByTeam, ByTeam, torch.Tensor,
                                                              torch.Tensor, dict[str, Any]]:
        """Advance every env one step; see the class docstring for shapes and ``info``."""
        if self.check_actions:
            actions = checked_actions(self, actions)
        obs, reward, terminated, truncated, done = self._core(actions)
        if self.honest_reward_teams:
            reward = self._honest_rewards(reward)
        info: dict[str, Any] = {"done": done}
        if self._sync_free or bool(done.any()):
            info.update(self._episode_end_info(obs, done))
            if self.auto_reset:
                self._reset_envs(done)
                obs = self.scenario.observation(self.world)
        return obs, reward, terminated, truncated, info

    def _honest_rewards(self, reward: ByTeam) -> ByTeam:
        """``reward`` with each team of :attr:`honest_reward_teams` rewarded by the scenario's
        ``honest_reward`` of its :attr:`honest` agents; the episode returns follow."""
        out = dict(reward)
        for team in self.honest_reward_teams:
            r = self.scenario.honest_reward(self.world, team, self.honest[team])
            if r is None:
                raise ValueError(f"{self.env_id}: the scenario declares no honest_reward for "
                                 f"team {team!r}")
            self.episode_return[team] = self.episode_return[team] + (r - reward[team])
            out[team] = r
        return out

    def has_honest_reward(self, team: str) -> bool:
        """Whether the scenario declares ``honest_reward`` for ``team``."""
        return self.scenario.honest_reward(self.world, team, self._all_honest(team)) is not None

    def _all_honest(self, team: str) -> torch.Tensor:
        """An ``honest`` mask of ``team`` with every agent honest (to probe the scenario)."""
        return torch.ones(self.num_envs, len(self.teams[team]), dtype=torch.bool,
                          device=self.device)

    def _step_core(self, actions: dict[str, torch.Tensor]) -> tuple[ByTeam, ByTeam, torch.Tensor,
                                                                    torch.Tensor, torch.Tensor]:
        """Physics, scenario update, observations, rewards and episode bookkeeping: the hot path
        that ``compile=True`` hands to ``torch.compile`` as one graph."""
        world, sc = self.world, self.scenario
        cost = None
        if self._team_actions:  # a world with a channel: moves and messages
            cost = self._step_talking(actions)
        elif sc.physics:
            world.step(torch.cat([self._force(t, actions[t]) for t in self.teams], dim=1))
        else:
            sc.apply_actions(world, actions)
        sc.post_step(world)
        obs, reward, terminated = sc.observation(world), sc.reward(world), sc.terminated(world)
        if cost is not None:
            reward = {t: r - cost[:, world.team_slices[t]] for t, r in reward.items()}
        if not self._outputs_checked:  # once: a plug-in's shapes, named before they break
            self._check_per_agent("reward", reward, feature_dim=False)
            self._check_output("terminated", terminated, (self.num_envs,), torch.bool)
            self._outputs_checked = True
        self.t = self.t + 1
        truncated = (self.t >= self.max_steps) & ~terminated
        for team, r in reward.items():
            self.episode_return[team] = self.episode_return[team] + r
        return obs, reward, terminated, truncated, terminated | truncated

    def _step_talking(self, actions: dict[str, torch.Tensor]) -> torch.Tensor | None:
        """Physics from the move part of each team's actions, then the messages onto the
        channel; returns each agent's message cost ``(num_envs, N)``, or ``None`` when
        messages are free."""
        world = self.world
        forces, messages = [], []
        for team, layout in self._team_actions.items():
            moves, said = layout.split(actions[team], world.dtype)
            n = len(self.teams[team])
            forces.append(self._force(team, moves) if moves is not None else
                          world.pos.new_zeros(self.num_envs, n, 2))
            messages.append(said if said is not None else
                            world.pos.new_zeros(self.num_envs, n, layout.channel.dim))
        world.step(torch.cat(forces, dim=1))
        assert world.channel is not None
        cost = world.channel.send(torch.cat(messages, dim=1), world.agent_pos, self.generator)
        return cost if world.channel.config.cost > 0 else None

    def _force(self, team: str, actions: torch.Tensor) -> torch.Tensor:
        return self._forces[team](actions, self._compiled)

    def _check_output(self, method: str, x: Any, shape: tuple[int | None, ...],
                      dtype: torch.dtype | None = None) -> None:
        """A scenario method's tensor must have ``shape`` (``None``: any size) and ``dtype``."""
        where = f"{type(self.scenario).__name__}.{method}"
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{where} must return a tensor, got {type(x).__name__}")
        ok = x.dim() == len(shape) and all(
            w is None or w == h for w, h in zip(shape, x.shape, strict=True))
        if not ok:
            want = tuple("*" if w is None else w for w in shape)
            raise ValueError(f"{where} returned shape {tuple(x.shape)}, expected {want}")
        if dtype is not None and x.dtype != dtype:
            raise ValueError(f"{where} returned dtype {x.dtype}, expected {dtype}")

    def _check_per_agent(self, method: str, out: Any, feature_dim: bool) -> None:
        """``{team: (num_envs, N_team[, features])}`` for every team, nothing else."""
        where = f"{type(self.scenario).__name__}.{method}"
        if not isinstance(out, dict) or set(out) != set(self.teams):
            got = sorted(out) if isinstance(out, dict) else type(out).__name__
            raise ValueError(f"{where} must return {{team: tensor}} for teams "
                             f"{sorted(self.teams)}, got {got}")
        for team, x in out.items():
            n = len(self.teams[team])
            shape = (self.num_envs, n, None) if feature_dim else (self.num_envs, n)
            self._check_output(f"{method}[{team!r}]", x, shape)

    def _episode_end_info(self, obs: ByTeam, done: torch.Tensor) -> dict[str, Any]:
        metrics = self.scenario.metrics(self.world)
        for team, honest in self.honest.items():
            outcome = self.scenario.task_outcome(self.world, team, honest)
            if outcome is not None:
                metrics["task_success"] = outcome.to(self.world.dtype)
        for key, value in metrics.items():
            self._check_output(f"metrics[{key!r}]", value, (self.num_envs,))
        info = {
            "final_observation": obs,
            "metrics": metrics,
            "episode_return": {k: v.clone() for k, v in self.episode_return.items()},
            "episode_length": self.t.clone(),
        }
        if self.final_state_in_info:
            info["final_state"] = self.scenario.global_state(self.world, obs)
        return info

    def _reset_envs(self, mask: torch.Tensor) -> None:
        if self.channel is not None:
            self.channel.clear(mask)
        self.scenario.reset_world(self.world, mask, self.generator)
        self.t = torch.where(mask, torch.zeros_like(self.t), self.t)
        for team, ret in self.episode_return.items():
            self.episode_return[team] = ret.masked_fill(mask.unsqueeze(-1), 0.0)

    def _all(self) -> torch.Tensor:
        return torch.ones(self.num_envs, dtype=torch.bool, device=self.device)

    # ---------------------------------------------------------- checkpoints
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue these envs exactly: world state, step counters,
        running returns, the scenario's per-env tensors and the generator state."""
        w = self.world
        scenario = {k: v.clone() for k, v in vars(self.scenario).items()
                    if isinstance(v, torch.Tensor)}
        state = {"pos": w.pos.clone(), "vel": w.vel.clone(), "active": w.active.clone(),
                 "t": self.t.clone(), "generator": self.generator.get_state(),
                 "episode_return": {k: v.clone() for k, v in self.episode_return.items()},
                 "scenario": scenario}
        if self.channel is not None:
            state["channel"] = {"queue": self.channel.queue.clone(),
                                "arrived": self.channel.arrived.clone()}
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` saved (same env id, arguments and ``num_envs``)."""
        if tuple(state["pos"].shape) != tuple(self.world.pos.shape):
            raise ValueError(f"{self.env_id}: saved env state has shape "
                             f"{tuple(state['pos'].shape)}, this env {tuple(self.world.pos.shape)}")
        dev = self.device
        self.world.pos, self.world.vel = state["pos"].to(dev), state["vel"].to(dev)
        self.world.active = state["active"].to(dev)
        self.t = state["t"].to(dev)
        self.generator.set_state(state["generator"])
        self.episode_return = {k: v.to(dev) for k, v in state["episode_return"].items()}
        for k, v in state["scenario"].items():
            setattr(self.scenario, k, v.to(dev))
        if self.channel is not None and "channel" in state:
            self.channel.queue = state["channel"]["queue"].to(dev)
            self.channel.arrived = state["channel"]["arrived"].to(dev)

    def agent_mask(self, team: str) -> torch.Tensor:
        """``(num_envs, N_team)``: agents active at this step (in their episode; in a
        turn-based scenario, the agent to move)."""
        return self.world.active[:, self.world.team_slices[self._team(team)]]

    def action_mask(self) -> ByTeam | None:
        """Legal discrete actions ``{team: bool (num_envs, N_team, n_actions)}`` in the current
        state, or ``None`` when every action is legal."""
        return self.scenario.action_mask(self.world) if self.has_action_masks else None

    @property
    def turn_based(self) -> bool:
        """Whether agents act in turn (``agent_mask`` marks the agent to move)."""
        return self.scenario.turn_based

    def obs_layout(self, team: str) -> list[tuple[str, int, int]]:
        """The entity layout of ``team``'s observation (see ``Scenario.obs_layout``)."""
        return self.scenario.obs_layout(self._team(team))

    @property
    def binary_metrics(self) -> tuple[str, ...]:
        """Metrics that are 0/1 outcomes per episode (Wilson intervals in reports)."""
        return self.scenario.binary_metrics

    def episode_starts(self) -> torch.Tensor:
        """``(num_envs,)`` bool: envs whose current observation is the first of an episode
        (recurrent policies restart their memory there)."""
        return self.t == 0

    def observe(self) -> ByTeam:
        """Observations of the current state (what the last ``step`` or ``reset`` returned)."""
        return self.scenario.observation(self.world)

    def global_state(self) -> torch.Tensor:
        """Centralized-critic state, shape ``(num_envs, state_dim)``."""
        return self.scenario.global_state(self.world, self.scenario.observation(self.world))

    def sample_actions(self, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        """Uniformly random actions for every agent, by team (legal ones where the scenario
        masks actions)."""
        gen = generator or self.generator
        out = {}
        masks = self.action_mask()
        for team, names in self.teams.items():
            space = self.action_space(team)
            shape = (self.num_envs, len(names))
            if masks is not None and team in masks:  # uniform over the legal actions
                u = torch.rand(masks[team].shape, generator=gen, device=self.device)
                out[team] = torch.where(masks[team], u, -1.0).argmax(-1)
                continue
            if isinstance(space, gymnasium.spaces.Discrete):
                out[team] = torch.randint(0, int(space.n), shape, generator=gen,
                                          device=self.device)
                continue
            assert isinstance(space, gymnasium.spaces.Box)
            low = torch.as_tensor(space.low, device=self.device)
            high = torch.as_tensor(space.high, device=self.device)
            u = torch.rand(shape + space.shape, generator=gen, device=self.device)
            out[team] = low + u * (high - low)
        return out

    def scripted_actions(self) -> ByTeam:
        """Actions of the scenario's scripted policy for the current state, by team."""
        return self.scenario.scripted(self.world)

    def saboteur_actions(self, team: str, honest: torch.Tensor) -> torch.Tensor:
        """The scripted saboteur's actions for every agent of ``team`` (``Scenario.
        saboteur_direction``), for the agents not ``honest``."""
        return self.scenario.direction_to_action(
            self.scenario.saboteur_direction(self.world, team, honest))

    def has_task_outcome(self, team: str) -> bool:
        """Whether the scenario declares the task outcome of ``team`` (``task_outcome``)."""
        return self.scenario.task_outcome(self.world, team, self._all_honest(team)) is not None

    @property
    def has_scripted_policy(self) -> bool:
        """Whether ``scripted_actions`` is available (the scenario defines a scripted policy)."""
        return self.scenario.has_scripted_policy

    @property
    def supports_group_resets(self) -> bool:
        """Whether ``reset_groups`` is available (the torch backend)."""
        return self.backend == "torch"

    def render(self, env_index: int = 0, marked: dict[str, list[int]] | None = None
               ) -> np.ndarray:
        """An RGB frame ``(H, W, 3)`` of one env, drawn without a display; ``marked``: agent
        slots per team to ring in red (e.g. those an attacker took over)."""
        from arena.core.render import render_frame

        slices = self.world.team_slices
        rings = tuple(slices[t].start + i for t, slots in (marked or {}).items() for i in slots)
        return render_frame(self.scenario, self.world, env_index, rings)
