"""Benchmarks: a world generator (:mod:`benchmarks.worldgen`) and the one benchmark command
(:mod:`benchmarks.run`, ``python -m benchmarks.run``), which writes ``benchmarks/RESULTS.md``."""
