"""Arena's built-in scenarios, registered into ``arena.registry`` by ``register_builtin``."""

from __future__ import annotations


def register_builtin() -> None:
    """Register every built-in scenario (the ``arena.envs`` entry point of this package)."""
    from arena.registry import register
    from envs.coordination.simple_spread import SimpleSpread

    register("coordination/simple_spread-v0", SimpleSpread)
