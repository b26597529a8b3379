"""Benchmarks: `python -m bench NAME [--scale quick|full]` prints figures and writes JSON."""
