"""Roast logs as files: the records roastctl keeps, and other programs' formats read and written.

Every roast file is opened by :mod:`roastctl.logs.load`, whatever its format.
"""
