"""Roast charts: a PNG with the curves, events and phases of a kept roast or a roast log."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import matplotlib.image
import pytest

from roastctl.agents.recipe import run_scripted_roast
from roastctl.clock import ManualClock
from roastctl.logs.record import RecordSample, RoastRecord
from roastctl.roast.phases import development_ratio
from roastctl.roast.plot import PlotError, render_roast_png
from roastctl.store.database import RoastStore
from support import run, simulated_session

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "roasts"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A store holding one finished simulated roast: its path and the roast's id."""
    path = tmp_path_factory.mktemp("plot-store") / "roasts.sqlite3"
    store = RoastStore(path)
    clock = ManualClock()
    manager, sim, _ = simulated_session(store, clock)
    manager.start_session()
    run_scripted_roast(manager, sim)
    roast_id = manager.roast_id
    manager.stop_session()
    store.close()
    assert roast_id is not None
    return path, roast_id


def test_a_kept_roast_is_drawn_with_its_events_and_phases(
    kept: tuple[Path, int], tmp_path: Path
) -> None:
    path, roast_id = kept
    store = RoastStore(path, recover=False)
    record = store.get_roast(roast_id)
    store.close()
    target = tmp_path / "roast.png"
    drawn = render_roast_png(record, target, width_px=1200, height_px=800)
    assert target.read_bytes()[:8] == PNG_SIGNATURE
    pixels = matplotlib.image.imread(target)
    assert pixels.shape[:2] == (800, 1200)
    assert float(pixels[..., :3].std()) > 0.05  # curves and bands, not a blank canvas
    # COOL is the scripted roast's stop_cooling at the end of cooling.
    assert drawn.events == ("CHARGE", "TP", "DRY", "FCs", "DROP", "COOL")
    assert drawn.phases == ("drying", "maillard", "development")
    assert drawn.samples == len(record.samples)
    assert drawn.dtr_percent == development_ratio({e.type.value: e.time_s for e in record.events})


def test_a_log_without_events_or_controls_still_draws(tmp_path: Path) -> None:
    samples = tuple(
        RecordSample(time_s=float(i), bean_temp_c=20.0 + i / 5, env_temp_c=None) for i in range(300)
    )
    record = RoastRecord(uuid="bare", started_utc=datetime(2026, 1, 1, tzinfo=UTC), samples=samples)
    drawn = render_roast_png(record, tmp_path / "bare.png")
    assert (drawn.events, drawn.phases, drawn.dtr_percent) == ((), (), None)
    assert matplotlib.image.imread(tmp_path / "bare.png").shape[:2] == (1000, 1600)


def test_a_roast_without_a_curve_is_refused(tmp_path: Path) -> None:
    record = RoastRecord(
        uuid="empty",
        started_utc=datetime(2026, 1, 1, tzinfo=UTC),
        samples=(RecordSample(time_s=0.0, bean_temp_c=20.0, env_temp_c=20.0),),
    )
    with pytest.raises(PlotError, match="roast empty has no curve"):
        render_roast_png(record, tmp_path / "none.png")
    assert not (tmp_path / "none.png").exists()
    with pytest.raises(PlotError):
        render_roast_png(replace(record, samples=()), tmp_path / "none.png")


def test_roastctl_plot_draws_a_kept_roast_and_a_log_file(
    kept: tuple[Path, int], tmp_path: Path
) -> None:
    path, roast_id = kept
    env = {**os.environ, "ROASTCTL_STORE__PATH": str(path)}
    by_id = run("plot", str(roast_id), "-o", str(tmp_path / "kept.png"), env=env)
    assert by_id.returncode == 0, by_id.stderr
    assert "events CHARGE TP DRY FCs DROP" in by_id.stdout
    log = FIXTURES / "skywalker__scottjames__roast_25-11-16_1235.alog"
    by_file = run("plot", str(log), "-o", str(tmp_path / "log.png"), env=env)
    assert by_file.returncode == 0, by_file.stderr
    assert "CHARGE" in by_file.stdout
    assert (tmp_path / "log.png").read_bytes()[:8] == PNG_SIGNATURE
    missing = run("plot", "999", "-o", str(tmp_path / "x.png"), env=env)
    assert missing.returncode == 2
    assert "no roast with id 999" in missing.stderr
