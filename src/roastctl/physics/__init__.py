"""The roaster's physical model and parameter sets, shared by simulator, virtual Hottop and twin."""
