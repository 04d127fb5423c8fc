"""roastctl: watch and drive a coffee roaster safely, with live roast analytics."""

from __future__ import annotations

__version__ = "0.1.0"
