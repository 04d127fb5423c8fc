"""Where first crack comes: the BT learned from the kept roasts, else configured, else modelled.

At each roast start the forecast asks the store for the BT at the FCs mark of the newest kept
roasts of the same roaster (:func:`first_crack_history`) and picks the BT it aims at
(:func:`first_crack_reference`): the median of that history once it is long enough, else the
configured ``forecast.first_crack_bt_c``, else the roaster model's own.

"The same roaster" is a family of machines, told from the ``roasts.roaster`` column
(:func:`roaster_family`):

* **hottop**: any name with "Hottop" or "KN-8828" in it. That is a live Hottop session
  ("Hottop KN-8828B-2K+", the driver's model name) and the Hottop logs imported from Artisan
  (their ``roastertype``, "Hottop 2K+"): one machine, named two ways.
* **simulator**: names that begin with "Simulated" (the simulator's "Simulated Hottop
  KN-8828B-2K+"). A simulated roast learns from simulated roasts only, and a real one never
  from them: the simulator's first crack is the model's, not the beans'.
* **replay**: names that begin with "Replay of" (the replay driver). A replay session learns
  from the hottop family, since roastctl replays its logs as the Hottop it drives; but a
  replayed roast is never learned from: it copies a log that is (or may be) in the store
  already, and would teach a replay of that log its own answer.
* anything else is its own family (the name, case and spacing aside), and an empty name (an
  Artisan log with no ``roastertype``) belongs to none and learns from nothing.
"""

from __future__ import annotations

import logging
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from roastctl.models import FirstCrackBasis, RoastEventType
from roastctl.store.database import RoastStore, StoreError

logger = logging.getLogger(__name__)

#: The half-width (deg C) of the 80 % band of where first crack comes, when the history is too
#: short to measure it: over the 22 shared Hottop logs with an FCs mark the FCs BT has a
#: standard deviation of 4.9 deg C (1.28 sigma = 6.3), and 80 % of them lie within 5.9 deg C of
#: their median (182.3 deg C).
DEFAULT_SPREAD_C = 6.0
#: The narrowest half-width a history may give: the Hottop reads whole degrees, so even roasts
#: that all cracked at one reading do not pin the next one closer than that.
MIN_SPREAD_C = 1.0
#: Kept roasts needed before their 10th and 90th percentiles stand for the spread.
SPREAD_MIN_ROASTS = 5
#: FCs marks outside this BT range (deg C, the range ``forecast.first_crack_bt_c`` accepts) are
#: taken for mistakes (a mark clicked at the wrong moment) and left out of the history.
PLAUSIBLE_FIRST_CRACK_C = (150.0, 240.0)

HOTTOP = "hottop"
SIMULATOR = "simulator"
REPLAY = "replay"


def roaster_family(roaster: str) -> str | None:
    """Return the family of machines ``roaster`` (a ``roasts.roaster`` value) belongs to.

    ``"hottop"``, ``"simulator"``, ``"replay"``, else the name itself case-folded with its
    spacing made single; ``None`` for an empty name. See the module's docstring for why.
    """
    name = " ".join(roaster.casefold().split())
    if not name:
        return None
    if name.startswith("simulated"):
        return SIMULATOR
    if name.startswith("replay of"):
        return REPLAY
    if "hottop" in name or "kn-8828" in name:
        return HOTTOP
    return name


def _learns_from(roaster: str) -> str | None:
    """Return the family whose kept roasts a session on ``roaster`` learns from."""
    family = roaster_family(roaster)
    return HOTTOP if family == REPLAY else family


def first_crack_history(
    store: RoastStore,
    roaster: str,
    *,
    limit: int = 30,
    exclude_roast_id: int | None = None,
) -> tuple[float, ...]:
    """Return the BT (deg C) at the FCs mark of the newest ``limit`` kept roasts of ``roaster``.

    Newest first. ``roaster`` is the live roaster's model name (what the session writes to
    ``roasts.roaster``); "the same roaster" is its family (module docstring), and imported
    Artisan logs count like recorded roasts. Roasts still being recorded, ``exclude_roast_id``
    (the roast starting now) and roasts without an FCs mark with a BT are left out, as are
    marks outside :data:`PLAUSIBLE_FIRST_CRACK_C`.

    One query, run at each roast start: a store that cannot be read gives ``()`` (logged), never
    an error, since a forecast without history still has the configured or modelled BT.
    """
    if limit < 1:
        raise ValueError(f"limit {limit!r} must be at least 1 roast; the default is 30")
    wanted = _learns_from(roaster)
    if wanted is None:
        return ()

    def same_roaster(kept: str | None) -> bool:
        return kept is not None and roaster_family(kept) == wanted

    try:
        found = store.mark_temperatures(
            RoastEventType.FIRST_CRACK_START,
            roaster_matches=same_roaster,
            limit=limit,
            exclude_roast_id=exclude_roast_id,
        )
    except (StoreError, OSError) as exc:
        logger.warning(
            "the first-crack history of %r cannot be read from the roast store (%s); the "
            "forecast uses the configured or modelled first-crack BT",
            roaster,
            exc,
        )
        return ()
    low, high = PLAUSIBLE_FIRST_CRACK_C
    return tuple(bt for bt in found if math.isfinite(bt) and low <= bt <= high)


@dataclass(frozen=True, slots=True)
class FirstCrackReference:
    """The first-crack BT a forecast aims at, where it came from, and how far it may be off."""

    #: The BT (deg C) first crack is expected at.
    bean_temp_c: float
    #: Where it came from: the history's median, the configuration, or the model.
    basis: FirstCrackBasis
    #: Kept roasts whose median it is (0 unless ``basis`` is history).
    roasts: int
    #: The 10th and 90th percentiles (deg C) of where first crack may come.
    low_c: float
    high_c: float


def first_crack_reference(
    history: Sequence[float],
    *,
    configured_c: float | None,
    model_c: float,
    min_roasts: int,
) -> FirstCrackReference:
    """Pick the first-crack BT: the history's median, else ``configured_c``, else ``model_c``.

    The history (:func:`first_crack_history`) is used once it holds ``min_roasts`` roasts.
    The band (``low_c``, ``high_c``) is the history's own 10th to 90th percentile around its
    median, laid around the BT picked, once the history holds :data:`SPREAD_MIN_ROASTS` roasts
    (never narrower than :data:`MIN_SPREAD_C` either side); before that it is the BT
    -/+ :data:`DEFAULT_SPREAD_C`.
    """
    if min_roasts < 1:
        raise ValueError(
            f"min_roasts {min_roasts!r} must be at least 1 (forecast.history_min_roasts, 1..100)"
        )
    for name, value in (("model_c", model_c), ("configured_c", configured_c)):
        if value is not None and not math.isfinite(value):
            raise ValueError(f"{name} {value!r} must be a finite BT in deg C")
    temps = [float(bt) for bt in history if math.isfinite(bt)]
    if len(temps) >= min_roasts:
        bean_temp_c = statistics.median(temps)
        basis, roasts = FirstCrackBasis.HISTORY, len(temps)
    elif configured_c is not None:
        bean_temp_c, basis, roasts = float(configured_c), FirstCrackBasis.CONFIG, 0
    else:
        bean_temp_c, basis, roasts = float(model_c), FirstCrackBasis.MODEL, 0
    below, above = _spread(temps)
    return FirstCrackReference(
        bean_temp_c=bean_temp_c,
        basis=basis,
        roasts=roasts,
        low_c=bean_temp_c - below,
        high_c=bean_temp_c + above,
    )


def _spread(temps: Sequence[float]) -> tuple[float, float]:
    """Return how far below and above the median the 10th and 90th percentiles lie."""
    if len(temps) < SPREAD_MIN_ROASTS:
        return DEFAULT_SPREAD_C, DEFAULT_SPREAD_C
    deciles = statistics.quantiles(temps, n=10, method="inclusive")
    median = statistics.median(temps)
    return max(median - deciles[0], MIN_SPREAD_C), max(deciles[-1] - median, MIN_SPREAD_C)


__all__ = [
    "DEFAULT_SPREAD_C",
    "MIN_SPREAD_C",
    "PLAUSIBLE_FIRST_CRACK_C",
    "SPREAD_MIN_ROASTS",
    "FirstCrackReference",
    "first_crack_history",
    "first_crack_reference",
    "roaster_family",
]
