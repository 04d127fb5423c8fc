"""The ``roastctl`` command line: serving, the roast library, tokens, the twin and analysis."""
