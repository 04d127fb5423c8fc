"""The roast store: one SQLite file of roasts, samples, events, commands and the safety log."""
