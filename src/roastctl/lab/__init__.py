"""Measuring harnesses over the simulator and recorded roasts, for tests and benchmarks."""
