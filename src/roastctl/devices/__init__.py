"""Roasters: the interface and the simulated and replayed roasters; a lost link reported once."""
