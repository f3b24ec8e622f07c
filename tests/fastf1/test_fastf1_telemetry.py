"""Telemetry shaping on hand-built FastF1 objects.

The frozen HTTP responses hold no CarData/Position streams for any of their four sessions, so the real
``load_session(..., telemetry=True)`` path cannot run offline; these tests drive the same FastF1 slicing and merging
code with small synthetic ``Telemetry`` and ``Lap`` objects instead.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from fastf1.core import Lap, Laps, Telemetry

from transforms.fastf1_loader import lap_car_telemetry, session_car_telemetry
from transforms.schemas import TABLES, conform

T0 = pd.Timestamp("2018-04-29 12:00:00")
SESSION = SimpleNamespace(t0_date=T0)  # merge_channels needs only the session's t0_date
LAP = Lap({"Driver": "HAM", "DriverNumber": "44", "LapNumber": 23.0,
           "LapStartTime": pd.Timedelta(seconds=102), "Time": pd.Timedelta(seconds=110)})


def _car() -> Telemetry:
    """Car data at ~3.7 Hz from 100 s to 113 s: a steady 180 km/h, DRS eligible (8) then open (12)."""
    n = 50
    session_time = pd.Timedelta(seconds=100) + pd.to_timedelta(np.arange(n) * 0.27, unit="s")
    return Telemetry({"Date": T0 + session_time, "SessionTime": session_time, "Time": session_time - session_time[0],
                      "RPM": np.linspace(10_000, 11_000, n), "Speed": np.full(n, 180.0), "nGear": np.full(n, 7),
                      "Throttle": np.full(n, 100.0), "Brake": np.zeros(n, bool),
                      "DRS": np.r_[np.full(25, 8), np.full(25, 12)], "Source": "car"}, session=SESSION)


def _pos() -> Telemetry:
    """Position data at ~3.3 Hz, offset from the car samples, moving along X."""
    n = 45
    session_time = pd.Timedelta(seconds=100.1) + pd.to_timedelta(np.arange(n) * 0.3, unit="s")
    return Telemetry({"Date": T0 + session_time, "SessionTime": session_time, "Time": session_time - session_time[0],
                      "X": np.arange(n) * 150.0, "Y": np.arange(n) * -5.0, "Z": np.full(n, 100.0),
                      "Status": "OnTrack", "Source": "pos"}, session=SESSION)


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return lap_car_telemetry(_car(), _pos(), LAP)


def test_lap_time_runs_from_lap_start_to_lap_end(rows: pd.DataFrame) -> None:
    assert rows["LapTime_ms"].iloc[0] == 0
    assert rows["LapTime_ms"].iloc[-1] == 8_000  # LapStartTime 102 s → Time 110 s
    assert rows["LapTime_ms"].is_monotonic_increasing


def test_distance_is_metres_from_lap_start(rows: pd.DataFrame) -> None:
    assert rows["Distance"].iloc[0] == 0
    assert rows["Distance"].iloc[-1] == pytest.approx(8 * 50, rel=0.01)  # 8 s at 180 km/h = 50 m/s


def test_car_and_position_channels_are_merged(rows: pd.DataFrame) -> None:
    assert rows[["Speed", "RPM", "nGear", "X", "Y", "Z"]].notna().all().all()
    assert (rows["Driver"] == "HAM").all() and (rows["LapNumber"] == 23).all()
    assert rows["X"].is_monotonic_increasing  # positions interpolated onto car samples, in order
    assert (rows["RPM"] == rows["RPM"].round()).all()  # interpolated RPM rounded for the integer column


def test_drs_becomes_an_open_flag(rows: pd.DataFrame) -> None:
    assert set(rows["DRS"]) == {0, 1}  # codes 8 (eligible) → 0, 12 (open) → 1


def test_rows_conform_to_car_telemetry_schema(rows: pd.DataFrame) -> None:
    table = conform(pa.Table.from_pandas(rows, preserve_index=False), TABLES["car_telemetry"], origin="synthetic")
    assert table.num_rows == len(rows)
    assert table.column("LapTime_ms").to_pylist() == rows["LapTime_ms"].astype(int).tolist()


def test_session_telemetry_covers_timed_laps_of_drivers_with_data() -> None:
    laps = Laps(pd.DataFrame([
        dict(LAP),
        {**LAP, "LapNumber": 24.0, "LapStartTime": pd.Timedelta(seconds=110), "Time": pd.NaT},  # no end: skipped
        {**LAP, "Driver": "RAI", "DriverNumber": "7"},  # no car data for car 7: skipped
    ]), session=SESSION)
    session = SimpleNamespace(drivers=["44", "7"], laps=laps, car_data={"44": _car()}, pos_data={"44": _pos()})
    rows = session_car_telemetry(session)  # type: ignore[arg-type]  # a stand-in for fastf1.core.Session
    assert rows.groupby(["Driver", "LapNumber"]).size().index.tolist() == [("HAM", 23)]
    assert len(rows) == len(lap_car_telemetry(_car(), _pos(), LAP))
