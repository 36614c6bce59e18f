"""Benchmarks: ``python -m benchmarks.NAME`` prints a table, peers measured in the same run."""
