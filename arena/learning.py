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


BACKBONES = ("mlp", "attention", "ssm", "gru")
RECURRENT_BACKBONES = ("ssm", "gru")


@dataclass
class PolicyConfig:
    """Network of one team: backbone, sizes, head options."""

    backbone: str = "mlp"
    """``mlp``, ``attention`` (entity tokens, any number of agents), ``ssm`` (selective
    diagonal state-space memory: parallel scan in training, O(1) steps in rollouts) or ``gru``
    (recurrent baseline). Recurrent backbones carry a memory across the steps of an episode."""
    hidden_sizes: tuple[int, ...] = (64, 64)
    """MLP layer widths (also the MLP after the attention pooling)."""
    activation: str = "tanh"
    """``tanh`` or ``relu``."""
    embed_dim: int = 64
    """Attention: token width."""
    num_heads: int = 4
    """Attention: heads per layer."""
    num_layers: int = 2
    """Attention: transformer encoder layers; SSM: state-space layers."""
    ssm_state: int = 8
    """SSM: states per channel (the memory holds ``embed_dim * ssm_state`` per layer)."""
    agent_id: bool = False
    """Append a one-hot agent index to each agent's input (breaks count invariance)."""
    feature_norm: bool = True
    """LayerNorm on the raw input features (MAPPO's feature normalization)."""
    log_std_init: float = -0.5
    """Gaussian head: initial log standard deviation."""
    head: str = "auto"
    """Action head: ``auto`` (categorical for discrete actions, Gaussian for continuous),
    ``gaussian``, or ``flow`` (flow matching: continuous actions generated from noise in
    ``flow_steps`` steps; see ``agents/flow.py``)."""
    flow_steps: int = 4
    """Flow head: integration steps K (1 to 4 are typical)."""
    flow_hidden: int = 64
    """Flow head: width of the velocity field."""
    flow_noise: float = 0.3
    """Flow head: initial std of the noise injected at each step (the chain's likelihood)."""
    flow_noise_min: float = 0.05
    """Flow head: lower bound of the learned noise std."""
    flow_noise_max: float = 1.0
    """Flow head: upper bound of the learned noise std."""
    flow_coordinated: bool = False
    """Flow head: the velocity field attends across the team's agents (joint generation)."""
    compile: bool = False
    """Run the actor's backbone and the critic through ``torch.compile`` (acting and update;
    the first iterations pay the compilation)."""

    def validate(self) -> None:
        if self.backbone not in BACKBONES:
            raise ValueError(f"backbone must be one of {list(BACKBONES)}, got {self.backbone!r}")
        if self.activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {self.activation!r}")
        if self.embed_dim % self.num_heads:
            raise ValueError("embed_dim must be divisible by num_heads")
        if self.ssm_state < 1:
            raise ValueError(f"ssm_state must be >= 1, got {self.ssm_state}")
        if self.head not in ("auto", "gaussian", "flow"):
            raise ValueError(f"head must be 'auto', 'gaussian' or 'flow', got {self.head!r}")
        if self.flow_steps < 1:
            raise ValueError(f"flow_steps must be >= 1, got {self.flow_steps}")
        if not 0 < self.flow_noise_min <= self.flow_noise <= self.flow_noise_max:
            raise ValueError("need 0 < flow_noise_min <= flow_noise <= flow_noise_max")


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
    """Preallocated rollout storage of one team, ``(T, B, N, ...)`` on the env's device.

    ``starts[t]`` is 1 where ``obs[t]`` is the first observation of an episode. Recurrent
    learners (``memory_size > 0``) train on sequences of ``seq_len`` steps: ``memory[c]`` holds
    the memory before step ``c * seq_len`` of every agent, ``(T // seq_len, B, N, M)``.
    ``action_shape`` overrides the shape stored per action (e.g. a flow head's whole chain);
    ``teacher`` adds storage for the scripted policy's actions (``algo.imitation_coef``)."""

    def __init__(self, spec: TeamSpec, steps: int, num_envs: int, device: torch.device,
                 store_state: bool, memory_size: int = 0, seq_len: int = 0,
                 action_shape: tuple[int, ...] | None = None, teacher: bool = False) -> None:
        t, b, n = steps, num_envs, spec.num_agents
        space = spec.action_space
        env_shape = () if isinstance(space, gymnasium.spaces.Discrete) else space.shape or ()
        act_dtype = torch.long if not env_shape else torch.float32
        act_shape = env_shape if action_shape is None else action_shape

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
        self.starts = z(t, b)
        self.teacher = z(t, b, n, *env_shape, dtype=act_dtype) if teacher else None
        """The scripted policy's env actions at each step (learners that imitate it)."""
        self.seq_len = seq_len or t
        if memory_size and t % self.seq_len:
            raise ValueError(f"team {spec.team!r}: rollout_steps ({t}) must be a multiple of "
                             f"the training sequence length seq_len ({self.seq_len})")
        self.memory = z(t // self.seq_len, b, n, memory_size) if memory_size else None
        self.steps = steps


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
    gamma: float
    """Discount, used to bootstrap time-limit truncations."""
    uses_state: bool
    """Whether ``act``/``update`` read the global state (centralized critic)."""
    memory_size: int
    """Memory per agent of a recurrent policy (0: feedforward)."""

    def act(self, obs: torch.Tensor, state: torch.Tensor | None, deterministic: bool = False,
            memory: torch.Tensor | None = None,
            starts: torch.Tensor | None = None) -> ActResult: ...

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
