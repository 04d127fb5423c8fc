"""The Model Context Protocol front end: the server, its tools, resources and prompt, its gate."""
