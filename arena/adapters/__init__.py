"""Adapters between Arena's batched env and other APIs (PettingZoo)."""
