"""Every limit an import is held to: just inside it is imported, just beyond it is refused.

The limits are those of the live path (set_roast_info's text and weights, times that only move
forward, events after CHARGE) and bounds no real reading reaches (see roastctl.files.limits).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from roastctl.controls import ROAST_MASS_MAX_G, ROAST_TEXT_MAX_CHARS
from roastctl.errors import InvalidCommandError
from roastctl.files.limits import (
    IMPORT_EPOCH_RANGE_S,
    IMPORT_MASS_MAX_G,
    IMPORT_PERCENT_RANGE,
    IMPORT_TEMPERATURE_RANGE_C,
    IMPORT_TEXT_MAX_CHARS,
    IMPORT_TIME_RANGE_S,
    IMPORT_TZ_OFFSET_RANGE_S,
    IMPORT_UUID_MAX_CHARS,
)
from roastctl.logs.artisan import HOTTOP_HEATER_FAN_DEVICE
from roastctl.logs.file_errors import AlogError
from roastctl.logs.load import load_roast_record
from roastctl.mcp import roast_tools as mcp_roast_tools
from roastctl.session import roast_info as session


def profile(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mode": "C",
        "timex": [0.0, 2.0, 4.0],
        "temp1": [150.0, 151.0, 152.0],
        "temp2": [100.0, 101.0, 102.0],
        "timeindex": [0, 0, 0, 0, 0, 0, 2, 0],
        "roastepoch": 1_700_000_000,
        "roastUUID": uuid.uuid4().hex,
        "extradevices": [HOTTOP_HEATER_FAN_DEVICE],
        "extratemp1": [[50.0, 60.0, 70.0]],
        "extratemp2": [[30.0, 30.0, 30.0]],
    }
    data.update(changes)
    return data


def read(tmp_path: Path, **changes: Any) -> object:
    path = tmp_path / "roast.alog"
    path.write_text(repr(profile(**changes)), encoding="utf-8")
    return load_roast_record(path)


def test_imports_share_the_live_paths_text_and_weight_limits() -> None:
    assert IMPORT_TEXT_MAX_CHARS == ROAST_TEXT_MAX_CHARS
    assert IMPORT_MASS_MAX_G == ROAST_MASS_MAX_G
    # The live path refuses exactly past the same limits.
    session.check_info({"notes": "x" * ROAST_TEXT_MAX_CHARS, "batch_g": ROAST_MASS_MAX_G})
    with pytest.raises(InvalidCommandError):
        session.check_info({"notes": "x" * (ROAST_TEXT_MAX_CHARS + 1)})
    with pytest.raises(InvalidCommandError):
        session.check_info({"batch_g": ROAST_MASS_MAX_G * 1.001})
    assert (mcp_roast_tools.TEXT_MAX, mcp_roast_tools.MASS_MAX_G) == (
        ROAST_TEXT_MAX_CHARS,
        ROAST_MASS_MAX_G,
    )


low_t, high_t = IMPORT_TIME_RANGE_S
low_c, high_c = IMPORT_TEMPERATURE_RANGE_C
low_p, high_p = IMPORT_PERCENT_RANGE
low_e, high_e = IMPORT_EPOCH_RANGE_S
low_z, high_z = IMPORT_TZ_OFFSET_RANGE_S
text = IMPORT_TEXT_MAX_CHARS
dated = {"roastepoch": None, "roastisodate": "2024-05-01", "roasttime": "10:00:00"}

# (field changed, the value at the limit, the value beyond it, what the refusal names)
LIMITS = [
    ("title", {"title": "t" * text}, {"title": "t" * (text + 1)}, "title has"),
    ("beans", {"beans": "b" * text}, {"beans": "b" * (text + 1)}, "beans has"),
    ("notes", {"roastingnotes": "n" * text}, {"roastingnotes": "n" * (text + 1)}, "roastingnotes"),
    ("roaster", {"roastertype": "r" * text}, {"roastertype": "r" * (text + 1)}, "roastertype"),
    (
        "uuid",
        {"roastUUID": "u" * IMPORT_UUID_MAX_CHARS},
        {"roastUUID": "u" * (IMPORT_UUID_MAX_CHARS + 1)},
        "roastUUID has",
    ),
    (
        "batch",
        {"weight": [IMPORT_MASS_MAX_G, 0, "g"]},
        {"weight": [IMPORT_MASS_MAX_G + 1, 0, "g"]},
        "weight[0]",
    ),
    (
        "roasted",
        {"weight": [0, IMPORT_MASS_MAX_G / 1000, "Kg"]},
        {"weight": [0, IMPORT_MASS_MAX_G / 1000 + 0.001, "Kg"]},
        "weight[1]",
    ),
    ("negative-weight", {"weight": [0, 0, "g"]}, {"weight": [-1, 0, "g"]}, "weight[0] = -1"),
    ("time-low", {"timex": [low_t, 2.0, 4.0]}, {"timex": [low_t - 1, 2.0, 4.0]}, "timex[0]"),
    ("time-high", {"timex": [0.0, 2.0, high_t]}, {"timex": [0.0, 2.0, high_t + 1]}, "timex[2]"),
    ("time-order", {"timex": [0.0, 2.0, 2.0]}, {"timex": [0.0, 2.0, 1.9]}, "go backwards"),
    ("bt-low", {"temp2": [low_c, 1.0, 1.0]}, {"temp2": [low_c - 1, 1.0, 1.0]}, "temp2[0]"),
    ("bt-high", {"temp2": [high_c, 1.0, 1.0]}, {"temp2": [high_c + 1, 1.0, 1.0]}, "temp2[0]"),
    ("et-high", {"temp1": [high_c, 1.0, 1.0]}, {"temp1": [1e300, 1.0, 1.0]}, "temp1[0]"),
    (
        "heater",
        {"extratemp1": [[high_p, 0.0, 0.0]]},
        {"extratemp1": [[high_p + 1, 0.0, 0.0]]},
        "extratemp1[0][0]",
    ),
    (
        "fan",
        {"extratemp2": [[low_p, 0.0, 0.0]]},
        {"extratemp2": [[low_p - 1, 0.0, 0.0]]},
        "extratemp2[0][0]",
    ),
    ("epoch-low", {"roastepoch": low_e}, {"roastepoch": low_e - 1}, "roastepoch"),
    ("epoch-high", {"roastepoch": high_e}, {"roastepoch": high_e + 1}, "roastepoch"),
    (
        "tz-offset",
        {**dated, "roasttzoffset": high_z},
        {**dated, "roasttzoffset": high_z + 1},
        "roasttzoffset",
    ),
    (
        "drop-at-charge",
        {"timeindex": [2, 0, 0, 0, 0, 0, 2, 0]},
        {"timeindex": [2, 0, 0, 0, 0, 0, 1, 0]},
        "DROP (timeindex[6], at 2 s) is before CHARGE (at 4 s)",
    ),
    (
        "fcs-before-charge",
        {"timeindex": [1, 0, 1, 0, 0, 0, 0, 0]},
        {"timeindex": [2, 0, 1, 0, 0, 0, 0, 0]},
        "FC_START",
    ),
]


@pytest.mark.parametrize(
    ("at_limit", "beyond", "named"),
    [pytest.param(at, beyond, named, id=name) for name, at, beyond, named in LIMITS],
)
def test_at_the_limit_imports_and_beyond_it_is_refused_naming_the_field(
    tmp_path: Path, at_limit: dict[str, Any], beyond: dict[str, Any], named: str
) -> None:
    read(tmp_path, **at_limit)

    with pytest.raises(AlogError) as refused:
        read(tmp_path, **beyond)
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / 'roast.alog'}: ")
    assert named in message


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"timex": [0.0, 1.0, 10**40]}, "timex[2] = 1e+40"),
        ({"temp2": [1.0, 10**40, 1.0]}, "temp2[1] = 1e+40"),
        ({"roastepoch": 10**40}, "roastepoch = 1e+40"),
        ({**dated, "roasttzoffset": 10**40}, "roasttzoffset = 1e+40"),
        ({"weight": [10**40, 0, "g"]}, "weight[0] = 1e+40 g"),
        ({"extratemp1": [[10**40, 0, 0]]}, "extratemp1[0][0] = 1e+40"),
        ({"samplinginterval": 10**40, "roastepoch": 1e300}, "roastepoch = 1e+300"),
        (
            {**dated, "roastisodate": "9999-12-31", "roasttime": "23:59:59", "roasttzoffset": 60},
            "beyond the calendar",
        ),
    ],
)
def test_huge_numbers_are_refused_not_overflowed(
    tmp_path: Path, changes: dict[str, Any], named: str
) -> None:
    with pytest.raises(AlogError, match=r"roast\.alog: ") as refused:
        read(tmp_path, **changes)
    assert named in str(refused.value)
