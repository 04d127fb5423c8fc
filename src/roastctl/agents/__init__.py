"""Built-in agents: the demo that drives roastctl over MCP, and the scripted roast recipe."""
