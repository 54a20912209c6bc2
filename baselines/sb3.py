"""stable-baselines3 over Arena's batched env: PPO (or any on-policy SB3 algorithm) with
parameter sharing over the agents of one team.

``SB3VecEnv(env, team)`` is an SB3 ``VecEnv`` with ``num_envs = B * N_team`` sub-envs: sub-env
``b * N + i`` is agent ``i`` of team ``team`` in Arena env ``b``. One SB3 policy therefore acts
for every agent of the team (parameter sharing); the other teams are played by ``opponents``
(default: the scenario's scripted heuristic). Arena auto-resets finished envs, so a finished
sub-env reports ``done=True`` with ``terminal_observation`` (and ``TimeLimit.truncated`` for
time limits) in its info, as SB3's own vectorized envs do.

    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import VecMonitor
    venv = VecMonitor(SB3VecEnv(arena.make("coordination/simple_spread-v0", num_envs=64)))
    PPO("MlpPolicy", venv).learn(1_000_000)

Observations and actions cross to numpy on the host each step: that is SB3's interface.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from stable_baselines3.common.vec_env.base_vec_env import VecEnv as SB3BaseVecEnv

from arena.env import VecEnv
from arena.evaluate import heuristic_policy
from arena.scenario import Obs

OpponentFn = Callable[[VecEnv, Obs], dict[str, torch.Tensor]]


class SB3VecEnv(SB3BaseVecEnv):
    """One team of an Arena ``VecEnv`` as an SB3 ``VecEnv`` of ``B * N_team`` sub-envs."""

    render_mode = None

    def __init__(self, env: VecEnv, team: str | None = None,
                 opponents: OpponentFn = heuristic_policy, seed: int | None = 0) -> None:
        teams = list(env.teams)
        self.team = team or teams[0]
        if self.team not in env.teams:
            raise KeyError(f"team {self.team!r} is not a team of {env.env_id}: {teams}")
        self.env, self.opponents = env, opponents
        self.n_agents = len(env.teams[self.team])
        super().__init__(env.num_envs * self.n_agents, env.observation_space(self.team),
                         env.action_space(self.team))
        self._seed = seed
        self._obs: Obs | None = None
        self._actions: torch.Tensor | None = None

    # ------------------------------------------------------------------ helpers
    def _flat(self, x: torch.Tensor) -> np.ndarray:
        return x.reshape(self.num_envs, *x.shape[2:]).detach().cpu().numpy()

    def _per_agent(self, x: torch.Tensor) -> np.ndarray:
        """``(B,)`` -> ``(B * N,)``: every agent of env ``b`` shares its value."""
        return x.repeat_interleave(self.n_agents).cpu().numpy()

    # --------------------------------------------------------------- VecEnv API
    def reset(self) -> np.ndarray:
        self._obs, _ = self.env.reset(seed=self._seed)
        self._seed = None  # later resets continue the env's random stream
        self.reset_infos = [{} for _ in range(self.num_envs)]
        return self._flat(self._obs[self.team])

    def step_async(self, actions: np.ndarray) -> None:
        space = self.env.action_space(self.team)
        shape = (self.env.num_envs, self.n_agents, *(space.shape or ()))
        dtype = torch.long if space.shape == () else torch.float32
        try:
            acts = torch.as_tensor(np.asarray(actions), dtype=dtype, device=self.env.device)
            self._actions = acts.reshape(shape)
        except (RuntimeError, ValueError) as err:
            raise ValueError(f"team {self.team!r}: SB3 actions of shape "
                             f"{np.shape(actions)} do not fit {shape}: {err}") from None

    def step_wait(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        assert self._obs is not None and self._actions is not None, "call reset() first"
        actions = dict(self.opponents(self.env, self._obs))
        actions[self.team] = self._actions
        self._obs, rew, term, trunc, info = self.env.step(actions)
        done = term | trunc
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if bool(done.any()):
            final = self._flat(info["final_observation"][self.team])
            time_limit = self._per_agent(trunc & ~term)
            for k in np.flatnonzero(self._per_agent(done)):
                infos[k] = {"terminal_observation": final[k],
                            "TimeLimit.truncated": bool(time_limit[k])}
        return (self._flat(self._obs[self.team]), self._flat(rew[self.team]).astype(np.float32),
                self._per_agent(done), infos)

    def close(self) -> None:
        """Nothing to release: the batched env holds only tensors."""

    def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
        return [getattr(self, attr_name)] * len(list(self._get_indices(indices)))

    def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
        setattr(self, attr_name, value)

    def env_method(self, method_name: str, *method_args: Any, indices: Any = None,
                   **method_kwargs: Any) -> list[Any]:
        raise NotImplementedError(f"sub-envs of a batched Arena env have no separate "
                                  f"{method_name!r}; call it on SB3VecEnv.env")

    def env_is_wrapped(self, wrapper_class: type, indices: Any = None) -> list[bool]:
        return [False] * len(list(self._get_indices(indices)))

    def seed(self, seed: int | None = None) -> Sequence[None | int]:
        self._seed = seed
        return [seed] * self.num_envs
