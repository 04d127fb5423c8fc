"""The Model Context Protocol front end: the server, its tools and resources, its access gate."""
