"""Benchmark commands: each prints its figures and a ratio against a baseline run in the same process.
Run from the repository root, e.g. `python -m benchmarks.fashion_speed`."""
