"""Actor and critics of one team. Inputs are batched ``(..., num_agents, features)``."""

from __future__ import annotations

import gymnasium
import torch
from torch import nn

from agents.nets import (
    AttentionBackbone,
    CategoricalHead,
    GaussianHead,
    Layout,
    make_backbone,
    ortho_init,
)
from arena.learning import PolicyConfig


def with_agent_id(x: torch.Tensor) -> torch.Tensor:
    """Append a one-hot agent index to ``x`` ``(..., N, D)``."""
    n = x.shape[-2]
    eye = torch.eye(n, dtype=x.dtype, device=x.device).expand(*x.shape[:-2], n, n)
    return torch.cat([x, eye], dim=-1)


class Actor(nn.Module):
    """Backbone + action head; ``forward`` gives the action distribution per agent."""

    def __init__(self, obs_dim: int, layout: Layout, action_space: gymnasium.Space,
                 num_agents: int, cfg: PolicyConfig) -> None:
        super().__init__()
        if cfg.agent_id and cfg.backbone == "attention":
            raise ValueError("agent_id is for the mlp backbone; attention is count-invariant")
        self.cfg, self.obs_dim = cfg, obs_dim
        in_dim = obs_dim + (num_agents if cfg.agent_id else 0)
        self.backbone = make_backbone(in_dim, layout, cfg)
        self.discrete = isinstance(action_space, gymnasium.spaces.Discrete)
        if isinstance(action_space, gymnasium.spaces.Discrete):
            self.head: CategoricalHead | GaussianHead = CategoricalHead(
                self.backbone.out_dim, int(action_space.n))
        else:
            assert isinstance(action_space, gymnasium.spaces.Box)
            self.head = GaussianHead(self.backbone.out_dim, action_space.shape[0],
                                     cfg.log_std_init)

    def forward(self, obs: torch.Tensor) -> torch.distributions.Distribution:
        x = with_agent_id(obs) if self.cfg.agent_id else obs
        return self.head(self.backbone(x))

    def action(self, obs: torch.Tensor, deterministic: bool) -> torch.Tensor:
        """The distribution's mode (``deterministic``) or a sample."""
        dist = self(obs)
        return self.head.mode(dist) if deterministic else dist.sample()

    def set_layout(self, layout: Layout) -> None:
        """Run on another layout (attention backbones only; MLPs need the same sizes)."""
        if isinstance(self.backbone, AttentionBackbone):
            self.backbone.set_layout(layout)


class Critic(nn.Module):
    """Value per agent, shape ``(..., N)``.

    ``kind``: ``local`` (own observation: IPPO), ``state`` (global state + own observation,
    one pass per agent: MAPPO's agent-specific state), ``env_state`` (the global state alone,
    one pass per env with one output per agent: cheaper, as BenchMARL's MAPPO critic),
    ``attention`` (each agent's observation encoded, then attention across the team's agents:
    MAPPO with attention, any number of agents).
    """

    def __init__(self, kind: str, obs_dim: int, state_dim: int, layout: Layout,
                 num_agents: int, cfg: PolicyConfig) -> None:
        super().__init__()
        self.kind, self.cfg = kind, cfg
        in_dim = obs_dim + (state_dim if kind == "state" else 0)
        in_dim += num_agents if cfg.agent_id else 0
        if kind == "env_state":
            in_dim = state_dim
        self.backbone = make_backbone(in_dim, layout, cfg)
        width = self.backbone.out_dim
        if kind == "attention":
            layer = nn.TransformerEncoderLayer(width, cfg.num_heads if width % cfg.num_heads == 0
                                               else 1, 2 * width, dropout=0.0,
                                               batch_first=True, norm_first=True)
            self.mixer: nn.Module = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        outputs = num_agents if kind == "env_state" else 1
        self.value = ortho_init(nn.Linear(width, outputs), gain=1.0)

    def forward(self, obs: torch.Tensor, state: torch.Tensor | None) -> torch.Tensor:
        if self.kind == "env_state":
            assert state is not None
            return self.value(self.backbone(state))
        x = obs
        if self.kind == "state":
            assert state is not None
            x = torch.cat([state.unsqueeze(-2).expand(*obs.shape[:-1], -1), obs], dim=-1)
        if self.cfg.agent_id:
            x = with_agent_id(x)
        h = self.backbone(x)
        if self.kind == "attention":
            lead = h.shape[:-2]
            h = self.mixer(h.reshape(-1, *h.shape[-2:])).reshape(*lead, *h.shape[-2:])
        return self.value(h).squeeze(-1)

    def set_layout(self, layout: Layout) -> None:
        if isinstance(self.backbone, AttentionBackbone):
            self.backbone.set_layout(layout)
