"""Baselines: stable-baselines3 adapters and scripted heuristics: see issue 6."""
