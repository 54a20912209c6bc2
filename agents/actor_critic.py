"""Actor and critics of one team. Inputs are batched ``(..., num_agents, features)``."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import gymnasium
import torch
from torch import nn

from agents.comm import TeamComm
from agents.flow import FlowHead
from agents.nets import (
    AttentionBackbone,
    CategoricalHead,
    GaussianHead,
    MLPBackbone,
    ortho_init,
)
from agents.ssm import GRUBackbone, SSMBackbone
from arena.interfaces.learner import Decision, TeamActor
from arena.interfaces.policy_config import RECURRENT_BACKBONES, PolicyConfig
from arena.interfaces.spec import Layout


def with_agent_id(x: torch.Tensor) -> torch.Tensor:
    """Append a one-hot agent index to ``x`` ``(..., N, D)``."""
    n = x.shape[-2]
    eye = torch.eye(n, dtype=x.dtype, device=x.device).expand(*x.shape[:-2], n, n)
    return torch.cat([x, eye], dim=-1)


Head = CategoricalHead | GaussianHead | FlowHead
ActionDist = Any
"""A head's distribution: ``Categorical``, ``Normal`` or ``FlowDist``."""


def make_head(in_dim: int, action_space: gymnasium.Space, cfg: PolicyConfig) -> Head:
    """The action head for ``action_space`` (``cfg.head``: auto, gaussian or flow)."""
    if isinstance(action_space, gymnasium.spaces.Discrete):
        if cfg.head != "auto":
            raise ValueError(f"head {cfg.head!r} needs continuous actions; this team's action "
                             f"space is {action_space}")
        return CategoricalHead(in_dim, int(action_space.n))
    if not isinstance(action_space, gymnasium.spaces.Box) or len(action_space.shape) != 1:
        raise ValueError(f"unsupported action space {action_space}")
    if cfg.head == "flow":
        return FlowHead(in_dim, action_space.shape[0], cfg)
    return GaussianHead(in_dim, action_space.shape[0], cfg.log_std_init)


Backbone = MLPBackbone | AttentionBackbone | SSMBackbone | GRUBackbone


def make_backbone(in_dim: int, layout: Layout, cfg: PolicyConfig) -> Backbone:
    """The backbone named by ``cfg.backbone``; recurrent ones (``ssm``, ``gru``) have
    ``recurrent = True`` and a ``memory_size``."""
    if cfg.backbone == "attention":
        return AttentionBackbone(layout, cfg)
    if cfg.backbone == "ssm":
        return SSMBackbone(in_dim, cfg)
    if cfg.backbone == "gru":
        return GRUBackbone(in_dim, cfg)
    return MLPBackbone(in_dim, cfg)


class Actor(TeamActor):
    """Backbone + action head; ``forward`` gives the action distribution per agent.

    Recurrent backbones (``recurrent``) carry a memory ``(..., N, memory_size)`` per agent:
    ``step`` advances it by one env step (rollouts), ``sequence`` runs whole sequences at once
    (training), both restarting it where an episode starts."""

    def __init__(self, obs_dim: int, layout: Layout, action_space: gymnasium.Space,
                 num_agents: int, cfg: PolicyConfig, masked: bool = False) -> None:
        super().__init__()
        if cfg.agent_id and cfg.backbone == "attention":
            raise ValueError("agent_id is for the mlp backbone; attention is count-invariant")
        self.cfg, self.obs_dim = cfg, obs_dim
        in_dim = obs_dim + (num_agents if cfg.agent_id else 0)
        self.backbone = make_backbone(in_dim, layout, cfg)
        self.recurrent = bool(self.backbone.recurrent)
        self.memory_size = int(self.backbone.memory_size)
        self.discrete = isinstance(action_space, gymnasium.spaces.Discrete)
        out_dim = int(self.backbone.out_dim)
        self.comm = (TeamComm(out_dim, num_agents, cfg.comm) if cfg.comm.kind != "none"
                     else None)
        self.head = make_head(out_dim, action_space, cfg)
        self.masked = masked and self.discrete
        """Whether this actor plays with action masks (discrete actions only)."""
        if masked and not self.discrete:
            warnings.warn(f"the env masks actions, but {type(self.head).__name__} is a "
                          "continuous head: the masks are ignored", stacklevel=2)

    def _input(self, obs: torch.Tensor) -> torch.Tensor:
        return with_agent_id(obs) if self.cfg.agent_id else obs

    def forward(self, obs: torch.Tensor, mask: torch.Tensor | None = None) -> ActionDist:
        """The action distribution for ``obs`` ``(..., N, D)``; ``mask`` ``(..., N, A)``
        (discrete actions: True where legal) restricts it to the legal actions."""
        if self.recurrent:
            raise TypeError("a recurrent actor needs its memory: call step() or sequence()")
        return self.head(self._talk(self.backbone(self._input(obs))), mask)

    def _talk(self, h: torch.Tensor) -> torch.Tensor:
        """The team's learned communication on features ``(..., N, F)`` (if configured)."""
        return h if self.comm is None else self.comm(h)

    def step(self, obs: torch.Tensor, memory: torch.Tensor, starts: torch.Tensor,
             mask: torch.Tensor | None = None) -> tuple[ActionDist, torch.Tensor]:
        """One env step: ``obs`` ``(B, N, D)``, ``memory`` ``(B, N, M)``, ``starts`` ``(B,)``
        (true where ``obs`` is the first of an episode). Returns the distribution ``(B, N)``
        and the memory after this step."""
        h, memory = self._unroll(obs.unsqueeze(1), memory, starts.reshape(-1, 1))
        return self.head(h[:, 0], mask), memory

    def sequence(self, obs: torch.Tensor, memory: torch.Tensor, starts: torch.Tensor,
                 mask: torch.Tensor | None = None) -> ActionDist:
        """Whole sequences: ``obs`` ``(R, L, N, D)``, the memory before their first step
        ``(R, N, M)``, ``starts`` ``(R, L)``. Returns the distribution ``(R, L, N)``."""
        return self.head(self._unroll(obs, memory, starts)[0], mask)

    def _unroll(self, obs: torch.Tensor, memory: torch.Tensor, starts: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """The recurrent backbone over ``(R, L, N, D)``: features ``(R, L, N, F)`` and the
        memory after the last step ``(R, N, M)``; each agent is one sequence of the batch."""
        r, length, n = obs.shape[:3]
        x = self._input(obs).transpose(1, 2).reshape(r * n, length, -1)
        first = starts.unsqueeze(1).expand(r, n, length).reshape(r * n, length)
        h, memory = self.backbone(x, memory.reshape(r * n, -1), first)
        h = self._talk(h.reshape(r, n, length, -1).transpose(1, 2))
        return h, memory.reshape(r, n, -1)

    def imitation_loss(self, obs: torch.Tensor, actions: torch.Tensor,
                       starts: torch.Tensor | None = None) -> torch.Tensor:
        """Behaviour-cloning loss of demonstrated env ``actions`` (mean over agents and rows):
        the flow-matching loss for a flow head, the negative log-likelihood otherwise.
        Feedforward: ``obs`` ``(R, N, D)``; recurrent: whole sequences ``(R, L, N, D)`` from a
        zero memory with episode ``starts`` ``(R, L)``."""
        if self.recurrent:
            if starts is None:
                raise ValueError("a recurrent actor imitates whole sequences: pass starts")
            dist = self.sequence(obs, self.initial_memory((obs.shape[0], obs.shape[2]),
                                                          obs.device), starts)
        else:
            dist = self(obs)
        return self.imitation_terms(dist, actions).mean()

    def imitation_terms(self, dist: ActionDist, actions: torch.Tensor) -> torch.Tensor:
        """Per-agent behaviour-cloning loss ``(..., N)`` of env ``actions`` under ``dist``."""
        if isinstance(self.head, FlowHead):
            return self.head.flow_matching_loss(dist.h, actions.to(dist.h.dtype))
        return -self.head.log_prob(dist, actions)

    def decide(self, obs: torch.Tensor, deterministic: bool = False,
               memory: torch.Tensor | None = None, starts: torch.Tensor | None = None,
               action_mask: torch.Tensor | None = None) -> Decision:
        """Actions for ``obs`` ``(B, N, D)``: the mode (``deterministic``) or a sample, their
        log-probabilities, the memory after this step (recurrent actors, which need ``memory``
        and ``starts``) and the actions the env receives; never an action masked out by
        ``action_mask`` ``(B, N, A)``."""
        if self.recurrent:
            if memory is None or starts is None:
                raise ValueError("a recurrent actor acts with its memory and the episode-start "
                                 "flags (memory=..., starts=env.episode_starts())")
            dist, memory = self.step(obs, memory, starts, action_mask)
        else:
            dist = self(obs, action_mask)
        actions = self.head.mode(dist) if deterministic else dist.sample()
        return Decision(actions, self.head.log_prob(dist, actions), memory,
                        self.head.env_action(actions))

    def set_layout(self, layout: Layout) -> bool:
        """Run on another layout (attention backbones only; MLPs need the same sizes)."""
        if isinstance(self.backbone, AttentionBackbone):
            self.backbone.set_layout(layout)
            return True
        return False


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
        if cfg.backbone in RECURRENT_BACKBONES:  # the critic sees the state: no memory needed
            cfg = dataclasses.replace(cfg, backbone="mlp")
        self.backbone = make_backbone(in_dim, layout, cfg)
        width = int(self.backbone.out_dim)
        if kind == "attention":
            layer = nn.TransformerEncoderLayer(width, cfg.num_heads if width % cfg.num_heads == 0
                                               else 1, 2 * width, dropout=0.0,
                                               batch_first=True, norm_first=True)
            self.mixer: nn.Module = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        outputs = num_agents if kind == "env_state" else 1
        self.value = ortho_init(nn.Linear(width, outputs), gain=1.0)

    def forward(self, obs: torch.Tensor, state: torch.Tensor | None) -> torch.Tensor:
        """Values, in the parameters' dtype (not bfloat16 under ``algo.precision``'s
        autocast)."""
        return self._values(obs, state).to(self.value.weight.dtype)

    def _values(self, obs: torch.Tensor, state: torch.Tensor | None) -> torch.Tensor:
        if self.kind == "env_state":
            assert state is not None
            return self.value(self.backbone(state))
        x = with_agent_id(obs) if self.cfg.agent_id else obs
        if self.kind == "state":
            assert state is not None
            if isinstance(self.backbone, MLPBackbone) and self.backbone.splits:
                return self.value(self.backbone.forward_split(state, x)).squeeze(-1)
            x = torch.cat([state.unsqueeze(-2).expand(*obs.shape[:-1], -1), x], dim=-1)
        h = self.backbone(x)
        if self.kind == "attention":
            lead = h.shape[:-2]
            h = self.mixer(h.reshape(-1, *h.shape[-2:])).reshape(*lead, *h.shape[-2:])
        return self.value(h).squeeze(-1)

    def set_layout(self, layout: Layout) -> None:
        if isinstance(self.backbone, AttentionBackbone):
            self.backbone.set_layout(layout)
