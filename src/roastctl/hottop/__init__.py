"""Hottop KN-8828B-2K+ USB-serial support: the wire protocol and, later, the driver."""
