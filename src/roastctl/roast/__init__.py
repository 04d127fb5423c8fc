"""Roast analytics: events, rate of rise, phases, the tracker, whole-roast analysis and charts."""
