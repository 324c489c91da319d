"""Eval sets, the harness that runs them through the pipeline, and benchmarks."""
