"""Agent policies and learning algorithms: backbones (MLP, attention), heads, MAPPO and IPPO.

Registered into ``arena.learning`` through the ``arena.algos`` entry point group.
"""

from __future__ import annotations


def register_algorithms() -> None:
    """Register every algorithm of this package (the ``arena.algos`` entry point)."""
    from agents.ppo import PPOConfig, make_ppo
    from arena.learning import AlgoSpec, register_algo

    register_algo(AlgoSpec("mappo", PPOConfig, make_ppo))
    register_algo(AlgoSpec("ippo", PPOConfig, make_ppo))
