"""Hottop KN-8828B-2K+ over USB serial: the wire protocol, the driver and a virtual Hottop."""
