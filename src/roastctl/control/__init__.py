"""Roast control the server carries out by itself every sample: drop targets (docs/control.md)."""
