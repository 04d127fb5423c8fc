"""Roast logs as files: the records roastctl keeps, and other programs' formats read and written."""
