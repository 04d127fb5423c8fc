"""Roasters: the interface and its drivers (simulator, Hottop, replay)."""
