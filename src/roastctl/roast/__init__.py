"""Roast analytics: events, rate of rise, phases; pure functions of samples."""
