"""Artisan alongside roastctl: roastctl as an Artisan WebSocket roaster.

:mod:`roastctl.artisan.protocol` defines the wire (channels, pushes, commands) once;
:mod:`roastctl.artisan.endpoint` serves it on ``roastctl serve --http --artisan`` at
``ws://HOST:PORT/artisan``. See ``docs/artisan.md``.
"""
