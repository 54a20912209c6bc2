"""``PolicyConfig``: the network of one team as the run config names it (the networks
themselves are a plug-in's, e.g. ``agents``)."""

from __future__ import annotations

from dataclasses import dataclass, field

BACKBONES = ("mlp", "attention", "ssm", "gru")
RECURRENT_BACKBONES = ("ssm", "gru")
COMM_KINDS = ("none", "tarmac", "graph")


@dataclass
class CommConfig:
    """Learned communication inside the team's policy (``policy.comm``; ``agents/comm.py``):
    messages between the agents of a team within a step, after the backbone."""

    kind: str = "none"
    """``none``, ``tarmac`` (attention over the others' messages) or ``graph`` (the same,
    on a learned sparse communication graph)."""
    dim: int = 32
    """Width of messages, keys and queries."""
    rounds: int = 1
    """Rounds of message passing per step."""
    edges: float = 0.5
    """``graph``: the sparsity budget, the fraction of the other agents each agent listens
    to (at least one)."""

    def validate(self) -> None:
        if self.kind not in COMM_KINDS:
            raise ValueError(f"comm.kind must be one of {list(COMM_KINDS)}, got {self.kind!r}")
        if self.dim < 1 or self.rounds < 1:
            raise ValueError("comm.dim and comm.rounds must be >= 1")
        if not 0.0 < self.edges <= 1.0:
            raise ValueError(f"comm.edges must be in (0, 1], got {self.edges}")


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
    comm: CommConfig = field(default_factory=CommConfig)
    """Learned communication between the team's agents (``kind: none`` by default)."""
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
