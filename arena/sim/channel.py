"""The message channel: agents emit a message each step, the others receive it, batched.

Every agent that is not ``silent`` emits a message of ``dim`` floats with its action each step
(a discrete token arrives as the one-hot vector of its index, as in MPE). The channel delivers
each message from sender ``j`` to every other agent ``i``, as one tensor op over
``(num_envs, receivers, senders, dim)``:

- **range**: only where ``|p_i - p_j| <= range``, positions taken after the step's move;
- **drop**: each delivery ``(i, j)`` is lost independently with probability ``drop_prob``;
- **noise**: each delivery gets its own Gaussian noise of std ``noise_std``;
- **delay**: a message emitted with the action of step ``t`` is in the observation returned
  by that step when ``delay = 0`` (MPE's timing: the others act on it at the next step), and
  ``delay`` steps later otherwise;
- **cost**: each sender pays ``cost * |m|_1`` per step (one-hot tokens pay ``cost`` per
  token; with ``silence``, token 0 says nothing and costs nothing).

An agent never receives its own message. Lost, out-of-range and silent messages arrive as
zeros, with ``delivered`` false.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

INF = float("inf")


@dataclass
class ChannelConfig:
    """The message channel of a scenario (``channel:`` in its arguments)."""

    dim: int = 0
    """Floats per message; with discrete actions, the vocabulary size (one-hot tokens)."""
    range: float = INF
    """Largest sender-receiver distance a message crosses."""
    drop_prob: float = 0.0
    """Probability that one delivery is lost."""
    delay: int = 0
    """Extra steps before delivery (0: in the observation right after the step)."""
    noise_std: float = 0.0
    """Std of the Gaussian noise added to each delivery."""
    cost: float = 0.0
    """Reward penalty per unit of message sent (L1 norm), per sender and step."""
    silence: bool = False
    """Discrete tokens: token 0 is silence (no message, no cost); the others are the
    vocabulary (``dim + 1`` tokens in all)."""

    def validate(self) -> None:
        if self.dim < 0:
            raise ValueError(f"channel.dim must be >= 0, got {self.dim}")
        if not self.range > 0:
            raise ValueError(f"channel.range must be > 0, got {self.range}")
        if not 0.0 <= self.drop_prob <= 1.0:
            raise ValueError(f"channel.drop_prob must be in [0, 1], got {self.drop_prob}")
        if self.delay < 0:
            raise ValueError(f"channel.delay must be >= 0, got {self.delay}")
        if self.noise_std < 0 or self.cost < 0:
            raise ValueError("channel.noise_std and channel.cost must be >= 0")

    def sized(self, default_dim: int) -> ChannelConfig:
        """This config, with ``dim = default_dim`` if ``dim`` is 0 (a scenario's default)."""
        return self if self.dim else dataclasses.replace(self, dim=default_dim)

    @property
    def tokens(self) -> int:
        """Number of discrete tokens (the vocabulary, plus silence when enabled)."""
        return self.dim + int(self.silence)


class Channel:
    """The batched channel of ``num_envs`` worlds with ``num_agents`` agents.

    ``inbox`` ``(num_envs, N, N, dim)`` holds what each receiver ``i`` has from each sender
    ``j`` in the current observation; ``delivered`` ``(num_envs, N, N)`` marks the deliveries.
    """

    def __init__(self, config: ChannelConfig, num_envs: int, num_agents: int,
                 speaks: torch.Tensor, device: torch.device, dtype: torch.dtype) -> None:
        self.config = config
        self.speaks = speaks.to(device)
        """``(N,)`` bool: agents that emit messages (the others are ``silent``)."""
        n, d = num_agents, config.dim
        self.queue = torch.zeros(num_envs, config.delay + 1, n, n, d, dtype=dtype,
                                 device=device)
        """Deliveries in flight, oldest first; ``queue[:, 0]`` is the current inbox."""
        self.arrived = torch.zeros(num_envs, config.delay + 1, n, n, dtype=torch.bool,
                                   device=device)
        self._not_self = ~torch.eye(n, dtype=torch.bool, device=device)

    @property
    def inbox(self) -> torch.Tensor:
        """Messages in the current observation, ``(num_envs, receivers, senders, dim)``."""
        return self.queue[:, 0]

    @property
    def delivered(self) -> torch.Tensor:
        """``(num_envs, receivers, senders)`` bool: which messages arrived."""
        return self.arrived[:, 0]

    def send(self, messages: torch.Tensor, pos: torch.Tensor,
             generator: torch.Generator | None = None) -> torch.Tensor:
        """Emit ``messages`` ``(num_envs, N, dim)`` from agents at ``pos`` ``(num_envs, N, 2)``.

        Returns each sender's cost ``(num_envs, N)`` (``config.cost`` times the L1 norm).
        """
        cfg = self.config
        messages = messages * self.speaks.view(1, -1, 1)
        volume = messages.abs().sum(-1)  # (B, N): |m|_1, zero for senders that say nothing
        ok = self._not_self & (volume > 0).unsqueeze(1)  # (B, i, j)
        if cfg.range != INF:
            dist = (pos.unsqueeze(2) - pos.unsqueeze(1)).norm(dim=-1)
            ok = ok & (dist <= cfg.range)
        if cfg.drop_prob > 0:
            keep = torch.rand(ok.shape, generator=generator, device=ok.device) >= cfg.drop_prob
            ok = ok & keep
        sent = messages.unsqueeze(1).expand(-1, ok.shape[1], -1, -1)  # (B, i, j, dim)
        if cfg.noise_std > 0:
            noise = torch.randn(sent.shape, generator=generator, device=sent.device,
                                dtype=sent.dtype)
            sent = sent + cfg.noise_std * noise
        sent = sent * ok.unsqueeze(-1)
        self.queue = torch.cat([self.queue[:, 1:], sent.unsqueeze(1)], dim=1)
        self.arrived = torch.cat([self.arrived[:, 1:], ok.unsqueeze(1)], dim=1)
        return cfg.cost * volume

    def clear(self, mask: torch.Tensor) -> None:
        """Empty the channel of the envs where ``mask`` ``(num_envs,)`` is true (episode
        starts: nothing is in flight)."""
        self.queue = self.queue.masked_fill(mask.view(-1, 1, 1, 1, 1), 0.0)
        self.arrived = self.arrived.masked_fill(mask.view(-1, 1, 1, 1), False)

    def select(self, index: torch.Tensor) -> None:
        """Keep the rows ``index`` ``(num_envs,)`` of every env (grouped resets)."""
        self.queue, self.arrived = self.queue[index], self.arrived[index]


def others(inbox: torch.Tensor, others_index: torch.Tensor) -> torch.Tensor:
    """Each receiver's messages from the other agents in agent order, flattened:
    ``(num_envs, N, (N - 1) * dim)`` for ``inbox`` ``(num_envs, N, N, dim)`` and an
    ``(N, N - 1)`` table of the other agents' indices (MPE's observation layout)."""
    b, n, _, d = inbox.shape
    idx = others_index.view(1, n, -1, 1).expand(b, n, others_index.shape[1], d)
    return torch.gather(inbox, 2, idx).flatten(2)
