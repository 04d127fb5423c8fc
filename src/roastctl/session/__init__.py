"""The roast session: the roaster, tracker, safety supervisor, recorder and the safe stop."""
