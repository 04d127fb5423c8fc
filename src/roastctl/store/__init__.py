"""The roast store: one SQLite file of roasts, samples, events and the audit log."""
