"""The ``roastctl`` command line.

Serving (MCP and the dashboard), the simulator, the demo, the virtual Hottop and the serial ports,
the roast library, tokens, the digital twin and analysis.
"""
