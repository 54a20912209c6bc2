"""Agent policies and learning algorithms: backbones (MLP, attention, SSM, GRU), heads
(categorical, Gaussian, flow matching), MAPPO, IPPO and GRPO.

Registered into ``arena.interfaces.algorithms`` through the ``arena.algos`` entry point group.
"""

from __future__ import annotations


def register_algorithms() -> None:
    """Register every algorithm of this package (the ``arena.algos`` entry point)."""
    from agents.grpo import GRPOConfig, make_grpo
    from agents.ppo import PPOConfig, make_ppo
    from arena.interfaces.algorithms import AlgoSpec, register_algo

    register_algo(AlgoSpec("mappo", PPOConfig, make_ppo))
    register_algo(AlgoSpec("ippo", PPOConfig, make_ppo))
    register_algo(AlgoSpec("grpo", GRPOConfig, make_grpo, critic_free=True))
