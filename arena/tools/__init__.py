"""Tooling: speed benchmarks (with peers side by side) and the training profiler."""
