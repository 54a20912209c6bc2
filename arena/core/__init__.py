"""The core: the ``Scenario`` interface, the batched ``VecEnv``, the env registry, typed configs
and rendering. Imports only ``arena.sim``."""
