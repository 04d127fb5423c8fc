"""A recorded roast played back as if it were the roaster: for demos and tests.

:class:`ReplayRoaster` plays a roast log (any format
:func:`~roastctl.logs.load.load_recorded_roast` reads, Artisan CSV included, or a
:class:`~roastctl.logs.record.RecordedRoast` built in code) and answers
:meth:`~ReplayRoaster.read_sensors` with the recorded sample for the time that has passed on the
injected clock since :meth:`~ReplayRoaster.connect`. The speed is the clock's: on a
:class:`~roastctl.clock.ScaledClock` of speed 60 a 15-minute roast plays in 15 s, and a
:class:`~roastctl.clock.ManualClock` plays exactly as far as a test advances it.

How the log becomes readings (``position`` is ``start_at_s`` plus the clock seconds since
``connect()``, on the log's own time axis):

* the sample shown is the newest one whose time is at or before ``position`` (the first sample
  before the log's first time); every reading carries a fresh ``timestamp`` and ``monotonic_s``
  from the clock, so a session sees live data;
* BT and ET are the recorded values. A missing BT holds the previous BT (the first recorded BT
  before any); a missing ET holds the previous ET, and is BT where the log has no ET yet (logs
  without an ET probe report ET = BT throughout);
* heat and fan are the log's channels where it has them (rounded to whole percent), else the last
  commanded values;
* drum on while playing: the recording is of a turning drum;
* the drop: a Hottop's BT probe barely moves when the beans leave, and logs carry no door channel,
  so the log's DROP mark stands in for the door switch. From the sample of the DROP mark on (or
  from a :meth:`~ReplayRoaster.drop_beans` command, if earlier) the replay reports what the
  drop sequence leaves the roaster in: door open, cooling stirrer on, fan 100 %, heater 0.
  Heater 0 also keeps the log's last heater setting, which Artisan often records at the DROP
  sample, from looking like heat after the drop to the safety supervisor.

When the recording ends (one sampling interval after its last sample) reads and commands raise
:class:`~roastctl.errors.RoasterConnectionError` and :meth:`~ReplayRoaster.is_connected` is
false, as when a real roaster goes away; with ``loop=True`` playback starts over at
``start_at_s`` instead, as a new batch (door closed again).

Beyond the interface it offers :meth:`~ReplayRoaster.first_crack_time`, the recording's FC_START
mark heard as the simulator's ear hears first crack.
"""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from roastctl.clock import Clock, SystemClock
from roastctl.devices.base import Roaster, require_percent
from roastctl.errors import RoasterConnectionError, RoasterNotConnectedError
from roastctl.logs.load import load_recorded_roast
from roastctl.logs.record import RecordedRoast
from roastctl.models import RoasterInfo, RoastEventType, SensorReading
from roastctl.physics.model import Actuators

#: Sampling interval assumed when the log neither states one nor has two distinct sample times.
FALLBACK_INTERVAL_S = 1.0
#: The fan speed the drop sequence runs (the session's ``DROP_FAN_PERCENT``).
DROP_FAN_PERCENT = 100


class ReplayRoaster(Roaster):
    """Plays a recorded roast as the roaster: recorded temperatures, remembered commands.

    Commands (``set_heat``, ``set_fan``, ``start_drum``, ``drop_beans``, ...) are validated as
    the simulator validates them and remembered (see :meth:`commanded`), but they cannot change
    the recorded temperatures: the beans were roasted when the log was made. They show in the
    readings only where the log has nothing to say: heat and fan when the log has no such
    channel, the door, stirrer and fan once ``drop_beans`` is called, the stirrer once
    ``start_cooling`` is called.
    """

    def __init__(
        self,
        recording: RecordedRoast | Path | str,
        clock: Clock | None = None,
        *,
        start_at_s: float = 0.0,
        loop: bool = False,
    ) -> None:
        """Prepare a replay of ``recording`` (a path is read with ``load_recorded_roast``).

        ``start_at_s`` skips into the recording: playback begins at that time of the log's own
        axis (e.g. a little before CHARGE, to leave out a long preheat). ``loop`` starts over
        from ``start_at_s`` when the recording ends, instead of going away.

        Raises:
            roastctl.errors.RoastFileError: the path is not a readable roast log.
            ValueError: the recording has no samples, no BT at all, unordered times or channels
                of the wrong length, or ``start_at_s`` is not inside the recording.

        """
        if isinstance(recording, RecordedRoast):
            self._path: Path | None = None
            self._roast = recording
        else:
            self._path = Path(recording)
            self._roast = load_recorded_roast(self._path)
        self.clock: Clock = clock or SystemClock()
        self._loop = loop
        roast = self._roast
        self._name = _describe(roast, self._path)
        self._times = _check_times(roast.times, self._name)
        count = len(self._times)
        self._bean = _bean_series(roast.bean_temps, count, self._name)
        self._env = _env_series(roast.env_temps, self._bean, self._name)
        self._heat = _percent_series(roast.heater_percent, count, "heater_percent", self._name)
        self._fan = _percent_series(roast.fan_percent, count, "fan_percent", self._name)
        self._interval_s = _interval(roast.sampling_interval_s, self._times)
        self._end_s = self._times[-1] + self._interval_s
        if not (math.isfinite(start_at_s) and 0.0 <= start_at_s < self._end_s):
            raise ValueError(
                f"start_at_s {start_at_s!r} is outside the recording {self._name}: give 0 <= "
                f"start_at_s < {self._end_s:g} s (its end)"
            )
        self._start_at_s = float(start_at_s)
        self._drop_s = self._mark_time(RoastEventType.DROP)
        self._first_crack_s = self._mark_time(RoastEventType.FIRST_CRACK_START)
        self._lock = threading.Lock()
        self._connected = False
        self._start_mono: float | None = None  # clock seconds at connect()
        self._start_wall: datetime | None = None
        self._frozen_elapsed: float | None = None  # playback time reached at disconnect()
        self._pass = 0  # which time round the recording is playing (loop=True)
        # Commanded state, as the simulator keeps it.
        self._heat_cmd = 0
        self._fan_cmd = 0
        self._drum_cmd = False
        self._door_cmd = False
        self._cooling_cmd = False

    # ----------------------------------------------------------------- the recording
    @property
    def recording(self) -> RecordedRoast:
        """The roast being played."""
        return self._roast

    @property
    def path(self) -> Path | None:
        """The log file played, or ``None`` when built from a :class:`RecordedRoast`."""
        return self._path

    @property
    def start_at_s(self) -> float:
        """Where playback begins (and restarts when looping), on the log's time axis."""
        return self._start_at_s

    @property
    def loop(self) -> bool:
        """Whether playback starts over when the recording ends."""
        return self._loop

    @property
    def end_s(self) -> float:
        """Where the recording ends on its own time axis: one interval after its last sample."""
        return self._end_s

    def _mark_time(self, event: RoastEventType) -> float | None:
        index = self._roast.marks.get(event)
        if index is None or not 0 <= index < len(self._times):
            return None
        return self._times[index]

    # ----------------------------------------------------------------- time
    def _elapsed(self) -> float | None:
        """Clock seconds of playback so far (frozen while disconnected); call with the lock."""
        if self._start_mono is None:
            return None
        if not self._connected:
            return self._frozen_elapsed
        return max(0.0, self.clock.monotonic() - self._start_mono)

    def _locate(self, elapsed: float) -> tuple[int, float]:
        """Return (pass, position on the log's axis) for ``elapsed`` seconds of playback."""
        span = self._end_s - self._start_at_s
        if not self._loop:
            return 0, self._start_at_s + elapsed
        passes = math.floor(elapsed / span)
        return passes, self._start_at_s + (elapsed - passes * span)

    def _sync(self) -> tuple[int, float] | None:
        """Bring the pass up to the clock's now; return (pass, position). Call with the lock."""
        elapsed = self._elapsed()
        if elapsed is None:
            return None
        passes, position = self._locate(elapsed)
        if passes != self._pass:
            # A new time round is a new batch: the door a drop command opened closes again.
            self._pass = passes
            self._door_cmd = False
            self._cooling_cmd = False
        return passes, position

    def _finished(self, position: float) -> bool:
        return not self._loop and position >= self._end_s

    def _finished_error(self, started: datetime) -> RoasterConnectionError:
        ended = started + timedelta(seconds=self._end_s - self._start_at_s)
        return RoasterConnectionError(
            f"the replay of {self._name} finished at {ended.isoformat()} (the recording ends "
            f"{self._end_s:.1f} s into the log); connect() again to replay it, or use loop=True",
            code="replay_finished",
        )

    def _require_playing(self) -> float:
        """Return the position, or raise if not connected or the recording has ended."""
        located = self._sync() if self._connected else None
        if located is None or self._start_wall is None:
            raise RoasterNotConnectedError(
                "the replay roaster is not connected; call connect() (or start the session)"
            )
        _, position = located
        if self._finished(position):
            raise self._finished_error(self._start_wall)
        return position

    def _dropped(self, position: float) -> bool:
        """Whether the drop happened by ``position``: the log's DROP mark or a drop command."""
        return self._door_cmd or (self._drop_s is not None and position >= self._drop_s)

    # ----------------------------------------------------------------- Roaster interface
    def connect(self) -> None:
        """Start playback at the clock's now; idempotent while playing.

        Connecting again after :meth:`disconnect` or after a non-looping recording ended starts
        the replay from ``start_at_s`` again with nothing commanded.
        """
        with self._lock:
            if self._connected:
                located = self._sync()
                if located is not None and not self._finished(located[1]):
                    return
            self._start_mono = self.clock.monotonic()
            self._start_wall = self.clock.now()
            self._frozen_elapsed = None
            self._pass = 0
            self._heat_cmd = self._fan_cmd = 0
            self._drum_cmd = self._door_cmd = self._cooling_cmd = False
            self._connected = True

    def disconnect(self) -> None:
        """Stop playback (it stays where it was for :meth:`first_crack_time`); never raises."""
        with self._lock:
            if self._connected:
                self._frozen_elapsed = self._elapsed()
                self._heat_cmd = 0
                self._connected = False

    def is_connected(self) -> bool:
        """Return whether playback runs: connected and the recording not yet ended."""
        with self._lock:
            if not self._connected:
                return False
            located = self._sync()
            return located is not None and not self._finished(located[1])

    def get_roaster_info(self) -> RoasterInfo:
        """Describe the replay: which log it plays."""
        return RoasterInfo(model=f"Replay of {self._name}", driver="replay", simulated=True)

    def read_sensors(self) -> SensorReading:
        """Return the recorded sample for the time played so far, stamped by the clock.

        Raises:
            RoasterNotConnectedError: :meth:`connect` was not called.
            RoasterConnectionError: the recording has ended (and ``loop`` is off).

        """
        with self._lock:
            position = self._require_playing()
            index = max(0, bisect.bisect_right(self._times, position) - 1)
            dropped = self._dropped(position)
            if dropped:
                heat, fan = 0, DROP_FAN_PERCENT
            else:
                recorded_heat, recorded_fan = self._heat[index], self._fan[index]
                heat = self._heat_cmd if recorded_heat is None else recorded_heat
                fan = self._fan_cmd if recorded_fan is None else recorded_fan
            return SensorReading(
                timestamp=self.clock.now(),
                monotonic_s=self.clock.monotonic(),
                bean_temp_c=self._bean[index],
                env_temp_c=self._env[index],
                heat_percent=heat,
                fan_percent=fan,
                drum_on=True,
                door_open=dropped,
                cooling_on=dropped or self._cooling_cmd,
            )

    def _command(self, **changes: int | bool) -> None:
        with self._lock:
            self._require_playing()
            for name, value in changes.items():
                setattr(self, f"_{name}_cmd", value)

    def set_heat(self, percent: int) -> None:
        """Remember heater power, 0-100 %; shown only if the log has no heater channel."""
        self._command(heat=require_percent("heat", percent))

    def set_fan(self, percent: int) -> None:
        """Remember the fan, 0-100 % in 10 % steps; shown only if the log has no fan channel."""
        self._command(fan=require_percent("fan", percent, 10))

    def start_drum(self) -> None:
        """Remember the drum on (the recording's drum turns anyway)."""
        self._command(drum=True)

    def stop_drum(self) -> None:
        """Remember the drum and the heater off; the readings still show the recorded drum."""
        self._command(drum=False, heat=0)

    def drop_beans(self) -> None:
        """Drop now: from here on door open, stirrer on, fan 100 %, heater 0 (temps as recorded)."""
        self._command(heat=0, door=True, drum=True, cooling=True, fan=DROP_FAN_PERCENT)

    def start_cooling(self) -> None:
        """Stirrer on, fan 100 % (the fan shows only if the log has no fan channel)."""
        self._command(cooling=True, fan=DROP_FAN_PERCENT)

    def stop_cooling(self) -> None:
        """Remember stirrer, fan, drum and heater off and the door closed.

        After the recorded DROP mark the readings still show the drop state the log implies.
        """
        self._command(cooling=False, fan=0, door=False, drum=False, heat=0)

    # ----------------------------------------------------------------- replay only
    def commanded(self) -> Actuators:
        """Return the settings last commanded (readable while disconnected)."""
        with self._lock:
            self._sync()
            return Actuators(
                heat_percent=float(self._heat_cmd),
                fan_percent=float(self._fan_cmd),
                drum_on=self._drum_cmd,
                door_open=self._door_cmd,
                cooling_on=self._cooling_cmd,
            )

    def position_s(self) -> float | None:
        """Return where playback is on the log's time axis (``None`` before the first connect).

        Past the end of a non-looping recording this is beyond :attr:`end_s`.
        """
        with self._lock:
            located = self._sync()
            return None if located is None else located[1]

    def first_crack_time(self) -> datetime | None:
        """Return the wall time (on the clock) of the log's FC_START mark once playback reached it.

        ``None`` before that, when the log has no FC_START mark, or before the first connect.
        When looping it is the current time round's first crack. With ``start_at_s`` past the
        mark the time lies before playback began, as the recording has it.
        """
        with self._lock:
            located = self._sync()
            if located is None or self._first_crack_s is None or self._start_wall is None:
                return None
            passes, position = located
            if position < self._first_crack_s:
                return None
            span = self._end_s - self._start_at_s
            offset = passes * span + self._first_crack_s - self._start_at_s
            return self._start_wall + timedelta(seconds=offset)


# --------------------------------------------------------------------- preparing the log
def _describe(roast: RecordedRoast, path: Path | None) -> str:
    """Name the recording for messages and the roaster info: file name and title."""
    title = roast.title.strip()
    if path is None:
        return repr(title) if title else "a recorded roast"
    return f"{path.name} ({title})" if title and title != path.stem else path.name


def _check_times(times: Sequence[float], name: str) -> tuple[float, ...]:
    if not times:
        raise ValueError(f"{name} has no samples; there is nothing to replay")
    values = tuple(float(t) for t in times)
    if not all(math.isfinite(t) for t in values):
        raise ValueError(f"{name} has a sample time that is not a finite number")
    for position, (earlier, later) in enumerate(itertools.pairwise(values), start=1):
        if later < earlier:
            raise ValueError(
                f"{name}: sample {position} at {later:g} s comes before sample "
                f"{position - 1} at {earlier:g} s; times must not go backwards"
            )
    return values


def _check_length(values: Sequence[object], count: int, label: str, name: str) -> None:
    if len(values) != count:
        raise ValueError(f"{name}: {label} has {len(values)} values for {count} sample times")


def _bean_series(values: Sequence[float | None], count: int, name: str) -> tuple[float, ...]:
    """BT per sample; a missing value holds the previous one (the first recorded before any)."""
    _check_length(values, count, "bean_temps", name)
    first = next((v for v in values if v is not None and math.isfinite(v)), None)
    if first is None:
        raise ValueError(f"{name} has no bean temperature at all; there is nothing to replay")
    filled: list[float] = []
    last = first
    for value in values:
        if value is not None and math.isfinite(value):
            last = float(value)
        filled.append(last)
    return tuple(filled)


def _env_series(
    values: Sequence[float | None], bean: Sequence[float], name: str
) -> tuple[float, ...]:
    """ET per sample; a gap holds the previous ET, and BT stands in until the first ET."""
    _check_length(values, len(bean), "env_temps", name)
    filled: list[float] = []
    last: float | None = None
    for value, bean_c in zip(values, bean, strict=True):
        if value is not None and math.isfinite(value):
            last = float(value)
        filled.append(bean_c if last is None else last)
    return tuple(filled)


def _percent_series(
    values: Sequence[float | None] | None, count: int, label: str, name: str
) -> tuple[int | None, ...]:
    """Return a heat or fan channel in whole percent; ``None`` where the log has no value yet."""
    if values is None:
        return (None,) * count
    _check_length(values, count, label, name)
    filled: list[int | None] = []
    last: int | None = None
    for value in values:
        if value is not None and math.isfinite(value):
            # Artisan stores interpolated channel values such as 18.33; a reading is whole percent.
            last = round(min(100.0, max(0.0, value)))
        filled.append(last)
    return tuple(filled)


def _interval(stated: float | None, times: Sequence[float]) -> float:
    """Return the sampling interval: as the log states it, else its median step, else 1 s."""
    if stated is not None and math.isfinite(stated) and stated > 0:
        return float(stated)
    steps = [later - earlier for earlier, later in itertools.pairwise(times) if later > earlier]
    return statistics.median(steps) if steps else FALLBACK_INTERVAL_S
