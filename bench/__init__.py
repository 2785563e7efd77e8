"""Benchmarks: each script prints a table and writes a plot to bench/out/."""
