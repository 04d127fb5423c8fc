"""One simulated roast written twice: as an Artisan ``.alog`` and as an Artisan CSV export.

The roast is the twin's physics (the shipped Hottop model) driven open-loop through a typical
schedule, sampled every 2 s from 0 s: on whole seconds, so the CSV (one row per whole second,
times as mm:ss) holds exactly the samples the ``.alog`` holds, and the two files of the same
roast must read the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from roastctl.logs.artisan_write import export_csv, write_alog
from roastctl.logs.record import (
    RecordedRoast,
    RecordEvent,
    RecordSample,
    RecordStatus,
    RoastRecord,
)
from roastctl.models import RoastEventType
from roastctl.physics.param_sets import builtin_model
from roastctl.twin.drive import prepare_replay, replay
from support import START

STEP_S = 2.0
DURATION_S = 660.0
BATCH_G = 220.0


@dataclass(frozen=True)
class RoastFiles:
    """The same roast as an ``.alog`` and as a CSV."""

    record: RoastRecord
    alog: Path
    csv: Path


def simulated_record() -> RoastRecord:
    """An 11-minute roast simulated by the Hottop twin, with CHARGE, DRY END, FCs and DROP."""
    times = [i * STEP_S for i in range(int(DURATION_S / STEP_S) + 1)]
    heat = [100 if t < 300 else 85 if t < 480 else 70 for t in times]
    fan = [0 if t < 240 else 20 if t < 540 else 40 for t in times]
    last = len(times) - 1
    seed = RecordedRoast(
        times=times,
        bean_temps=[180.0] + [None] * last,
        env_temps=[200.0] + [None] * last,
        marks={RoastEventType.CHARGE: 0, RoastEventType.DROP: last},
        heater_percent=[float(h) for h in heat],
        fan_percent=[float(f) for f in fan],
        batch_mass_g=BATCH_G,
    )
    model = builtin_model("hottop")
    result = replay(prepare_replay(seed, "simulated"), model)
    samples = tuple(
        RecordSample(time_s=t, bean_temp_c=b, env_temp_c=e, heat_percent=h, fan_percent=f)
        for t, b, e, h, f in zip(
            times, result.bean_temps_c, result.env_temps_c, heat, fan, strict=True
        )
    )
    lowest = min(range(last), key=lambda i: samples[i].bean_temp_c or 0.0)
    dry = next(i for i in range(lowest, last) if (samples[i].bean_temp_c or 0.0) >= 150.0)
    first_crack = next(i for i in range(dry, last) if (samples[i].bean_temp_c or 0.0) >= 196.0)
    marks = {
        RoastEventType.CHARGE: 0,
        RoastEventType.DRY_END: dry,
        RoastEventType.FIRST_CRACK_START: first_crack,
        RoastEventType.DROP: last,
    }
    events = tuple(
        RecordEvent(kind, samples[index].time_s, samples[index].bean_temp_c, source="manual")
        for kind, index in marks.items()
    )
    return RoastRecord(
        uuid="0f6d1a52c1d44c3f8a2b9e7d6c5b4a39",
        started_utc=START,
        samples=samples,
        events=events,
        status=RecordStatus.COMPLETE,
        title="Simulated Hottop roast",
        batch_g=BATCH_G,
        sampling_interval_s=STEP_S,
    )


def write_roast_files(folder: Path, name: str = "simulated") -> RoastFiles:
    """Write :func:`simulated_record` as ``<name>.alog`` and ``<name>.csv`` in ``folder``."""
    record = simulated_record()
    alog = write_alog(record, folder / f"{name}.alog")
    csv = folder / f"{name}.csv"
    csv.write_text(export_csv(record), encoding="utf-8")
    return RoastFiles(record=record, alog=alog, csv=csv)
