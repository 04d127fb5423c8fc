"""Roasters: the interface every driver implements, and the simulated and replayed roasters.

Also what a lost link that came back means for the roast. The Hottop driver, built on the
interface, is one floor up in :mod:`roastctl.hottop`.
"""
