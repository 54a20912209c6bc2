"""What the runner and the learning algorithms agree on: team specs, rollout storage, the
``Learner`` protocol, and the algorithm registry (filled by ``agents`` through the
``arena.algos`` entry point group, loaded lazily)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import gymnasium
import torch
from torch import nn

from arena.config import close_matches
from arena.env import VecEnv

ALGO_ENTRY_POINT_GROUP = "arena.algos"


@dataclass
class PolicyConfig:
    """Network of one team: backbone, sizes, head options."""

    backbone: str = "mlp"
    """``mlp`` or ``attention`` (entity tokens, any number of agents)."""
    hidden_sizes: tuple[int, ...] = (64, 64)
    """MLP layer widths (also the MLP after the attention pooling)."""
    activation: str = "tanh"
    """``tanh`` or ``relu``."""
    embed_dim: int = 64
    """Attention: token width."""
    num_heads: int = 4
    """Attention: heads per layer."""
    num_layers: int = 2
    """Attention: transformer encoder layers."""
    agent_id: bool = False
    """Append a one-hot agent index to each agent's input (breaks count invariance)."""
    feature_norm: bool = True
    """LayerNorm on the raw input features (MAPPO's feature normalization)."""
    log_std_init: float = -0.5
    """Gaussian head: initial log standard deviation."""
    compile: bool = False
    """Run the actor's backbone and the critic through ``torch.compile`` (acting and update;
    the first iterations pay the compilation)."""

    def validate(self) -> None:
        if self.backbone not in ("mlp", "attention"):
            raise ValueError(f"backbone must be 'mlp' or 'attention', got {self.backbone!r}")
        if self.activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {self.activation!r}")
        if self.embed_dim % self.num_heads:
            raise ValueError("embed_dim must be divisible by num_heads")


@dataclass
class TeamSpec:
    """Everything a learner needs to know about the team it controls."""

    team: str
    num_agents: int
    obs_dim: int
    state_dim: int
    layout: list[tuple[str, int, int]]
    action_space: gymnasium.Space

    @classmethod
    def of(cls, env: VecEnv, team: str) -> TeamSpec:
        layout = env.obs_layout(team)
        obs_dim = int(env.observation_space(team).shape[0])  # type: ignore[index]
        layout = [(k, c, obs_dim if f < 0 else f) for k, c, f in layout]
        return cls(team, len(env.teams[team]), obs_dim, int(env.state_space.shape[0]), layout,
                   env.action_space(team))


class TeamRollout:
    """Preallocated rollout storage of one team, ``(T, B, N, ...)`` on the env's device."""

    def __init__(self, spec: TeamSpec, steps: int, num_envs: int, device: torch.device,
                 store_state: bool) -> None:
        t, b, n = steps, num_envs, spec.num_agents
        space = spec.action_space
        act_shape = () if isinstance(space, gymnasium.spaces.Discrete) else space.shape or ()
        act_dtype = torch.long if not act_shape else torch.float32

        def z(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
            return torch.zeros(shape, dtype=dtype, device=device)

        self.obs = z(t, b, n, spec.obs_dim)
        self.state = z(t, b, spec.state_dim) if store_state else None
        self.actions = z(t, b, n, *act_shape, dtype=act_dtype)
        self.logp = z(t, b, n)
        self.values = z(t, b, n)
        self.rewards = z(t, b, n)
        self.dones = z(t, b, 1)
        self.active = z(t, b, n)
        self.last_obs = z(b, n, spec.obs_dim)
        self.last_state = z(b, spec.state_dim) if store_state else None
        self.steps = steps


@dataclass
class ActResult:
    """A learner's decision for one step: actions ``(B, N[, A])``, their log-probabilities and
    the critic's values ``(B, N)``."""

    actions: torch.Tensor
    logp: torch.Tensor
    values: torch.Tensor


class Learner(Protocol):
    """One team's learning algorithm."""

    spec: TeamSpec
    gamma: float
    """Discount, used to bootstrap time-limit truncations."""
    uses_state: bool
    """Whether ``act``/``update`` read the global state (centralized critic)."""

    def act(self, obs: torch.Tensor, state: torch.Tensor | None,
            deterministic: bool = False) -> ActResult: ...

    def value(self, obs: torch.Tensor, state: torch.Tensor | None) -> torch.Tensor: ...

    def update(self, rollout: TeamRollout) -> dict[str, float]: ...

    def actor(self) -> nn.Module: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class AlgoSpec:
    """A registered algorithm: its config class and learner factory."""

    name: str
    config_cls: type
    factory: Any
    """``factory(spec, policy_cfg, algo_cfg, device) -> Learner``."""
    recurrent: bool = False
    critic_free: bool = False


_ALGOS: dict[str, AlgoSpec] = {}
_loaded = False


def register_algo(spec: AlgoSpec) -> None:
    """Add an algorithm to the registry (idempotent for the same factory)."""
    old = _ALGOS.get(spec.name)
    if old is not None and old.factory is not spec.factory:
        raise ValueError(f"algorithm {spec.name!r} is already registered")
    _ALGOS[spec.name] = spec


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from arena.registry import load_entry_points

    load_entry_points(ALGO_ENTRY_POINT_GROUP, "agents", "register_algorithms")


def algo_spec(name: str) -> AlgoSpec:
    """The registered algorithm ``name``; unknown names list close matches."""
    _load()
    if name not in _ALGOS:
        raise KeyError(f"unknown algorithm {name!r}{close_matches(name, _ALGOS)}; "
                       f"registered: {', '.join(sorted(_ALGOS))}")
    return _ALGOS[name]


def list_algos() -> list[str]:
    """Registered algorithm names."""
    _load()
    return sorted(_ALGOS)
