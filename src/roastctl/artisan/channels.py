"""The values a data reply carries, read from one status snapshot.

Artisan turns a ``null`` channel into -1 for every channel of that sample, so a value not known
(no reading yet, no rate of rise yet, nothing followed) is left out of the reply, never sent as
``null``.
"""

from __future__ import annotations

import math

from roastctl.models import RoastStatus


def _put(data: dict[str, float], node: str, value: float | None, digits: int) -> None:
    if value is not None and math.isfinite(value):
        data[node] = round(float(value), digits) if digits else round(value)


def channel_data(status: RoastStatus) -> dict[str, float]:
    """Return the channel values of ``status`` under their node names (see ``CHANNELS``)."""
    data: dict[str, float] = {}
    reading = status.sensors
    if reading is not None:
        _put(data, "BT", reading.bean_temp_c, 1)
        _put(data, "ET", reading.env_temp_c, 1)
        _put(data, "heat", reading.heat_percent, 0)
        _put(data, "fan", reading.fan_percent, 0)
    _put(data, "RoR", status.metrics.rate_of_rise_c_per_min, 1)
    if status.following is not None:
        _put(data, "targetBT", status.following.target_bt_c, 1)
    return data


__all__ = ["channel_data"]
