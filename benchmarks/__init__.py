"""Benchmark commands: each prints its figures and a ratio against a baseline run in the same process.
Run from the repository root: `python -m benchmarks list`, then `python -m benchmarks run NAME`."""
