"""Benchmarks: `python -m bench` runs every bench_*.py module here (see bench/harness.py)."""
