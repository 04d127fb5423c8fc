"""Keeping an imported Artisan profile whole, so that an export can give it back.

On import every key of the profile is kept verbatim in ``RoastRecord.extra["artisan"]``. The
store saves ``extra`` as JSON, so what is kept must be what JSON holds: tuples are kept as lists
(Artisan reads both alike and writes lists), and a dict with a key that is not a string (Artisan
never writes one) is refused with an error naming where it is. The kept profile is bounded by
:data:`~roastctl.files.limits.IMPORT_KEPT_PROFILE_MAX_CHARS`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from roastctl.files.limits import IMPORT_KEPT_PROFILE_MAX_CHARS
from roastctl.logs.file_errors import ImportLimitError
from roastctl.logs.record import RoastRecord

#: Where ``RoastRecord.extra`` keeps the imported profile.
KEPT_PROFILE_KEY = "artisan"


def keep_profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    """Return a JSON-safe copy of ``profile`` (tuples as lists), within the import limit.

    Raises :class:`ImportLimitError` naming the place of a dict key that is not a string, or
    the size of a profile beyond :data:`IMPORT_KEPT_PROFILE_MAX_CHARS`.
    """
    kept = _json_safe(dict(profile), "profile")
    size = len(json.dumps(kept))
    if size > IMPORT_KEPT_PROFILE_MAX_CHARS:
        raise ImportLimitError(
            f"the profile is {size:,} characters as JSON; the limit for a kept profile is "
            f"{IMPORT_KEPT_PROFILE_MAX_CHARS:,}. Nothing was imported; remove unused extra "
            "devices in Artisan and save the file again"
        )
    assert isinstance(kept, dict)  # noqa: S101 - a dict stays a dict
    return kept


def kept_profile(record: RoastRecord) -> dict[str, Any] | None:
    """Return the profile ``record`` was imported from, or ``None`` if it has none."""
    kept = record.extra.get(KEPT_PROFILE_KEY)
    return dict(kept) if isinstance(kept, dict) else None


def _json_safe(value: object, where: str) -> object:
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise ImportLimitError(
                    f"{where} has the key {key!r}, which is no text; a kept profile holds text "
                    "keys only (as Artisan writes them). Nothing was imported; save the file "
                    "again in Artisan"
                )
        return {key: _json_safe(item, f"{where}[{key!r}]") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return value


__all__ = ["KEPT_PROFILE_KEY", "keep_profile", "kept_profile"]
