"""FastF1 weekend loader: one session's live-timing data as weekend lake tables. Plain Python, no dagster.

Tables follow :data:`transforms.schemas.WEEKEND` and the archive's conventions (``weekend/*.parquet``): timedeltas
become float seconds from the session t0, race-control ``Time`` stays a timestamp, and every row carries the session
keys. ``SessionDate`` is the session's local calendar day at midnight, as in the archive (the start time itself is
what :func:`list_sessions` returns).
"""

from __future__ import annotations

import logging
import shutil
from datetime import datetime
from pathlib import Path

import fastf1
import pandas as pd
import pyarrow as pa
import requests
from fastf1.core import Lap, Session, Telemetry
from fastf1.events import Event, EventSchedule
from fastf1.exceptions import DataNotLoadedError
from requests_cache.backends.filesystem import FileCache

from transforms.exceptions import SessionNotFoundError, WeekendSourceError
from transforms.schemas import SESSION_CODES, SESSION_KEYS, TABLES, conform
from transforms.sessions import SessionRef

_logger = logging.getLogger(__name__)

# Optional session data: FastF1 attribute → weekend table. Missing data (e.g. no weather feed) gives an empty table.
_OPTIONAL_TABLES = {
    "session_weather": "weather_data",
    "race_control_messages": "race_control_messages",
    "track_status": "track_status",
    "session_status": "session_status",
    "session_results": "results",
}
_SCHEDULE_SLOTS = range(1, 6)  # FastF1 schedules name sessions Session1..Session5
_DRS_OPEN = 10  # FastF1 DRS codes: 0/1 off, 8 eligible, 10/12/14 open; the archive stores 0/1 (open)


def configure_cache(cache_dir: Path, *, http_cache_dir: Path | None = None, offline: bool = False) -> None:
    """Point FastF1's (process-wide) cache at ``cache_dir``; optionally serve HTTP from a frozen response folder."""
    fastf1.set_log_level("WARNING")
    cache_dir.mkdir(parents=True, exist_ok=True)  # FastF1 refuses a custom cache_dir that does not exist
    backend = FileCache(str(_working_copy(http_cache_dir, cache_dir / "frozen_http_cache"))) if http_cache_dir else None
    fastf1.Cache.configure(cache_dir=str(cache_dir), _backend=backend)
    fastf1.Cache.offline_mode(offline)  # always set: the flag outlives earlier calls in this process


def list_sessions(season: int, *, cache_dir: Path, offline: bool = False,
                  http_cache_dir: Path | None = None) -> list[tuple[SessionRef, datetime]]:
    """The season's sessions (testing excluded) with their scheduled start as a UTC-aware datetime."""
    configure_cache(cache_dir, http_cache_dir=http_cache_dir, offline=offline)
    sessions = []
    for _, event in _schedule(season, offline=offline).iterrows():
        for slot in _SCHEDULE_SLOTS:
            code, start = SESSION_CODES.get(event[f"Session{slot}"]), event[f"Session{slot}DateUtc"]
            if code and not pd.isna(start):
                ref = SessionRef(season, int(event["RoundNumber"]), code)
                sessions.append((ref, start.tz_localize("UTC").to_pydatetime()))
    return sessions


def load_session(ref: SessionRef, *, cache_dir: Path, telemetry: bool = False, ergast_race_id: int | None = None,
                 http_cache_dir: Path | None = None, offline: bool = False) -> dict[str, pa.Table]:
    """Load one session through FastF1 and return its weekend tables, conformed to their declared schemas."""
    configure_cache(cache_dir, http_cache_dir=http_cache_dir, offline=offline)
    session = _load(ref, telemetry=telemetry, offline=offline)
    frames = {"session_laps": pd.DataFrame(session.laps)}
    frames |= {name: _optional(session, attr) for name, attr in _OPTIONAL_TABLES.items()}
    frames["circuit_corners"] = _circuit_corners(session)
    if telemetry:
        frames["car_telemetry"] = session_car_telemetry(session)
    keys = _session_keys(session, ergast_race_id)
    return {name: _to_table(frame, keys, name, origin=f"fastf1 {ref.key}") for name, frame in frames.items()}


def _working_copy(src: Path, dst: Path) -> Path:
    """Copy the frozen HTTP responses to a writable folder: FileCache writes ``redirects.sqlite`` next to them."""
    dst.mkdir(parents=True, exist_ok=True)
    for file in src.iterdir():
        if file.is_file() and not (dst / file.name).exists():
            shutil.copyfile(file, dst / file.name)  # copyfile, not copy2: the source files are read-only
    return dst


def _schedule(season: int, *, offline: bool) -> EventSchedule:
    try:
        return fastf1.get_event_schedule(season, include_testing=False)
    except (ValueError, requests.RequestException) as exc:  # FastF1: "Failed to load any schedule data."
        hint = " (offline mode: the cache holds no schedule for it)" if offline else ""
        raise WeekendSourceError(f"no FastF1 event schedule for season {season}{hint}: {exc}") from exc


def _event(ref: SessionRef, *, offline: bool) -> Event:
    schedule = _schedule(ref.season, offline=offline)
    if ref.round not in set(schedule["RoundNumber"]):
        raise SessionNotFoundError(
            f"session {ref.key}: season {ref.season} has no round {ref.round} "
            f"(rounds {schedule['RoundNumber'].min()}-{schedule['RoundNumber'].max()})")
    return schedule.get_event_by_round(ref.round)


def _session_name(event: Event, ref: SessionRef) -> str:
    """FastF1's name for ``ref.session`` at this event ("SQ" is "Sprint Shootout" in 2023)."""
    names = [event[f"Session{slot}"] for slot in _SCHEDULE_SLOTS]
    for name in names:
        if SESSION_CODES.get(name) == ref.session:
            return name
    raise SessionNotFoundError(f"session {ref.key}: the {event['EventName']} has no {ref.session_name} session "
                               f"(its sessions: {', '.join(n for n in names if n)})")


def _load(ref: SessionRef, *, telemetry: bool, offline: bool) -> Session:
    event = _event(ref, offline=offline)
    session = event.get_session(_session_name(event, ref))
    try:
        session.load(laps=True, telemetry=telemetry, weather=True, messages=True)
    except Exception as exc:  # FastF1's parsers fail with arbitrary types (KeyError, IndexError, ...) on bad feeds
        raise WeekendSourceError(f"session {ref.key}: FastF1 failed to load {session}: {exc!r}") from exc
    # FastF1 logs and carries on when a feed is missing; laps (and telemetry when asked) are not optional here.
    required = ("laps", "car_data", "pos_data") if telemetry else ("laps",)
    missing = [attr for attr in required if _is_empty(session, attr)]
    if missing:
        hint = " (offline mode: not in the cache)" if offline else ""
        raise WeekendSourceError(f"session {ref.key}: FastF1 loaded no {', '.join(missing)} for {session}{hint}")
    return session


def _is_empty(session: Session, attr: str) -> bool:
    try:
        return len(getattr(session, attr)) == 0
    except DataNotLoadedError:
        return True


def _optional(session: Session, attr: str) -> pd.DataFrame:
    try:
        return pd.DataFrame(getattr(session, attr))
    except DataNotLoadedError:
        return pd.DataFrame()


def _circuit_corners(session: Session) -> pd.DataFrame:
    """Corner markers from MultiViewer via FastF1; their Distance needs telemetry (NaN without it)."""
    try:
        info = session.get_circuit_info()
    except (AttributeError, KeyError, ValueError, requests.RequestException) as exc:
        # FastF1 3.9 raises AttributeError when the MultiViewer API gives no answer (offline, unknown circuit).
        _logger.warning("%s: no circuit info (%r); circuit_corners is empty", session, exc)
        return pd.DataFrame()
    if info is None:
        return pd.DataFrame()
    return info.corners.rename(columns={"Number": "CornerNumber"}).assign(Rotation=info.rotation)


def session_car_telemetry(session: Session) -> pd.DataFrame:
    """``car_telemetry`` rows for every lap with a start and end time, of every driver with car and position data."""
    laps = []
    for number in session.drivers:
        car, pos = session.car_data.get(number), session.pos_data.get(number)
        if car is None or pos is None:
            continue
        for _, lap in session.laps.pick_drivers(number).iterlaps(require=["LapStartTime", "Time"]):
            laps.append(lap_car_telemetry(car, pos, lap))
    return pd.concat(laps, ignore_index=True) if laps else pd.DataFrame()


def lap_car_telemetry(car: Telemetry, pos: Telemetry, lap: Lap) -> pd.DataFrame:
    """One lap of a driver's car data merged with position data, as ``car_telemetry`` rows.

    Like ``Lap.get_telemetry()`` without its slow driver-ahead channel: slices padded by one sample, merged, then cut
    at the lap edges with interpolated boundary samples, so LapTime_ms runs from 0 to the lap time.
    """
    car_lap = car.slice_by_lap(lap, pad=1, pad_side="both").add_distance()
    merged = (pos.slice_by_lap(lap, pad=1, pad_side="both")
              .merge_channels(car_lap, frequency="original")
              .slice_by_lap(lap, interpolate_edges=True))
    since_start = merged["SessionTime"] - lap["LapStartTime"]
    return pd.DataFrame({
        "Driver": lap["Driver"],
        "LapNumber": int(lap["LapNumber"]),
        "LapTime_ms": (since_start / pd.Timedelta(milliseconds=1)).round(),
        "Speed": merged["Speed"],
        "RPM": merged["RPM"].round(),  # interpolated samples are fractional; the schema is integer
        "nGear": merged["nGear"].round(),
        "Throttle": merged["Throttle"],
        "Brake": merged["Brake"],
        "DRS": (merged["DRS"] >= _DRS_OPEN).astype("int32"),
        "Distance": merged["Distance"] - merged["Distance"].iloc[0],  # add_distance starts at the padding sample
        "X": merged["X"], "Y": merged["Y"], "Z": merged["Z"],
    })


def _session_keys(session: Session, ergast_race_id: int | None) -> dict[str, object]:
    event = session.event
    return {
        "ergast_raceId": ergast_race_id,
        "RoundNumber": int(event["RoundNumber"]),
        "EventDate": event["EventDate"],
        "SessionDate": _session_day(event, session),
        "SessionName": session.name,
        "EventName": event["EventName"],
        "Year": int(event.year),
    }


def _session_day(event: Event, session: Session) -> pd.Timestamp:
    """The local calendar day of the session (the archive's and live-timing folder's convention)."""
    try:
        local = event.get_session_date(session.name)
    except ValueError:  # schedules from the Ergast fallback have UTC times only
        return pd.Timestamp(session.date).normalize()
    return local.tz_localize(None).normalize()


def _to_table(frame: pd.DataFrame, keys: dict[str, object], name: str, *, origin: str) -> pa.Table:
    table = pa.Table.from_pandas(_archive_conventions(frame), preserve_index=False)
    for key, type_ in SESSION_KEYS:
        table = table.append_column(key, pa.array([keys[key]] * table.num_rows, type_))
    return conform(table, TABLES[name], origin=f"{origin} {name}")


def _archive_conventions(frame: pd.DataFrame) -> pd.DataFrame:
    """Timedeltas → float seconds; FastF1's ``astype(str)`` of missing values ('nan', e.g. Compound) → null."""
    fixed: dict[str, pd.Series] = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_timedelta64_dtype(values):
            fixed[column] = values.dt.total_seconds()
        elif values.dtype == object:
            fixed[column] = values.mask(values.eq("nan"))
    return frame.assign(**fixed)
