"""The one declaration of every lake table: its Arrow schema, primary key and partitioning.

Historical tables keep the Ergast CSV column names; weekend tables keep FastF1's names (times as float seconds from
the session's t0, as the archive stores them). Every source (Jolpica, FastF1, archive) is cast to these schemas with
:func:`conform`, so live and archive runs produce identical tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import pyarrow as pa

from transforms.dbt_vars import DBT_PROJECT_DIR, read_yaml
from transforms.exceptions import SchemaError


class Partitioning(StrEnum):
    NONE = "none"  # reference tables: one file for the whole table
    SEASON = "season"  # historical tables: season=YYYY/
    SESSION = "session"  # weekend tables: season=YYYY/round=RR/session=CODE/


@dataclass(frozen=True)
class TableSpec:
    name: str
    schema: pa.Schema
    partitioning: Partitioning
    primary_key: tuple[str, ...] = ()
    description: str = ""

    @property
    def domain(self) -> str:
        return "weekend" if self.partitioning is Partitioning.SESSION else "historical"


def _s(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(n, t, nullable=True) for n, t in fields])


i32, i64, f64, f32, s, b = pa.int32(), pa.int64(), pa.float64(), pa.float32(), pa.string(), pa.bool_()
d32, ts_ms = pa.date32(), pa.timestamp("ms")

_result_cols = [
    ("resultId", i64), ("raceId", i32), ("driverId", i32), ("constructorId", i32), ("number", i32), ("grid", i32),
    ("position", i32), ("positionText", s), ("positionOrder", i32), ("points", f64), ("laps", i32), ("time", s),
    ("milliseconds", i64), ("fastestLap", i32),
]
_session_times = [(f"{p}_{k}", d32 if k == "date" else s) for p in ("fp1", "fp2", "fp3", "quali", "sprint")
                  for k in ("date", "time")]

HISTORICAL: tuple[TableSpec, ...] = (
    TableSpec("seasons", _s(("year", i32), ("url", s)), Partitioning.NONE, ("year",), "Championship seasons"),
    TableSpec("circuits", _s(("circuitId", i32), ("circuitRef", s), ("name", s), ("location", s), ("country", s),
                             ("lat", f64), ("lng", f64), ("alt", i32), ("url", s)),
              Partitioning.NONE, ("circuitId",), "Circuits"),
    TableSpec("constructors", _s(("constructorId", i32), ("constructorRef", s), ("name", s), ("nationality", s),
                                 ("url", s)), Partitioning.NONE, ("constructorId",), "Constructors (teams)"),
    TableSpec("drivers", _s(("driverId", i32), ("driverRef", s), ("number", i32), ("code", s), ("forename", s),
                            ("surname", s), ("dob", d32), ("nationality", s), ("url", s)),
              Partitioning.NONE, ("driverId",), "Drivers"),
    TableSpec("status", _s(("statusId", i32), ("status", s)), Partitioning.NONE, ("statusId",),
              "Finishing status codes"),
    TableSpec("races", _s(("raceId", i32), ("year", i32), ("round", i32), ("circuitId", i32), ("name", s),
                          ("date", d32), ("time", s), ("url", s), *_session_times),
              Partitioning.SEASON, ("raceId",), "Race calendar with session dates/times (UTC)"),
    TableSpec("results", _s(*_result_cols, ("rank", i32), ("fastestLapTime", s), ("fastestLapSpeed", f64),
                            ("statusId", i32)),
              Partitioning.SEASON, ("resultId",), "Grand Prix classifications"),
    TableSpec("sprint_results", _s(*_result_cols, ("fastestLapTime", s), ("statusId", i32), ("rank", i32)),
              Partitioning.SEASON, ("resultId",), "Sprint classifications"),
    TableSpec("qualifying", _s(("qualifyId", i64), ("raceId", i32), ("driverId", i32), ("constructorId", i32),
                               ("number", i32), ("position", i32), ("q1", s), ("q2", s), ("q3", s)),
              Partitioning.SEASON, ("qualifyId",), "Qualifying classifications"),
    TableSpec("pit_stops", _s(("raceId", i32), ("driverId", i32), ("stop", i32), ("lap", i32), ("time", s),
                              ("duration", s), ("milliseconds", i64)),
              Partitioning.SEASON, ("raceId", "driverId", "stop"), "Pit stops (duration = pit-lane time)"),
    TableSpec("lap_times", _s(("raceId", i32), ("driverId", i32), ("lap", i32), ("position", i32), ("time", s),
                              ("milliseconds", i64)),
              Partitioning.SEASON, ("raceId", "driverId", "lap"), "Race lap times"),
    TableSpec("driver_standings", _s(("driverStandingsId", i64), ("raceId", i32), ("driverId", i32), ("points", f64),
                                     ("position", i32), ("positionText", s), ("wins", i32)),
              Partitioning.SEASON, ("raceId", "driverId"), "Drivers' championship after each race"),
    TableSpec("constructor_standings", _s(("constructorStandingsId", i64), ("raceId", i32), ("constructorId", i32),
                                          ("points", f64), ("position", i32), ("positionText", s), ("wins", i32)),
              Partitioning.SEASON, ("raceId", "constructorId"), "Constructors' championship after each race"),
    TableSpec("constructor_results", _s(("constructorResultsId", i64), ("raceId", i32), ("constructorId", i32),
                                        ("points", f64), ("status", s)),
              Partitioning.SEASON, ("raceId", "constructorId"), "Constructor points per race"),
    TableSpec("safety_cars", _s(("Race", s), ("Cause", s), ("Deployed", i32), ("Retreated", i32), ("FullLaps", i32)),
              Partitioning.SEASON, ("Race", "Deployed"), "Safety-car deployments (lap numbers), keyed by race name"),
    TableSpec("virtual_safety_cars", _s(("Race", s), ("Deployed", i32), ("Retreated", i32), ("FullLaps", i32)),
              Partitioning.SEASON, ("Race", "Deployed"), "Virtual safety-car periods (lap numbers)"),
    TableSpec("red_flags", _s(("Race", s), ("Lap", i32), ("Resumed", s), ("Incident", s), ("Excluded", s)),
              Partitioning.SEASON, (), "Red flags (Resumed: Y/N/R/S)"),
)

# Every weekend table starts with these columns (as FastF1's event/session attributes).
SESSION_KEYS: list[tuple[str, pa.DataType]] = [
    ("ergast_raceId", i32), ("RoundNumber", i32), ("EventDate", ts_ms), ("SessionDate", ts_ms),
    ("SessionName", s), ("EventName", s), ("Year", i32),
]
SESSION_KEY_NAMES: tuple[str, ...] = tuple(n for n, _ in SESSION_KEYS)

WEEKEND: tuple[TableSpec, ...] = (
    TableSpec("session_laps", _s(
        *SESSION_KEYS, ("Time", f64), ("Driver", s), ("DriverNumber", s), ("LapTime", f64), ("LapNumber", i32),
        ("Stint", i32), ("PitOutTime", f64), ("PitInTime", f64), ("Sector1Time", f64), ("Sector2Time", f64),
        ("Sector3Time", f64), ("Sector1SessionTime", f64), ("Sector2SessionTime", f64), ("Sector3SessionTime", f64),
        ("SpeedI1", f64), ("SpeedI2", f64), ("SpeedFL", f64), ("SpeedST", f64), ("IsPersonalBest", b),
        ("Compound", s), ("TyreLife", f64), ("FreshTyre", b), ("Team", s), ("LapStartTime", f64),
        ("LapStartDate", ts_ms), ("TrackStatus", s), ("Position", f64), ("Deleted", b), ("DeletedReason", s),
        ("FastF1Generated", b), ("IsAccurate", b)),
        Partitioning.SESSION, ("DriverNumber", "LapNumber"), "FastF1 laps: stints, compounds, sectors, speed traps"),
    TableSpec("session_weather", _s(
        *SESSION_KEYS, ("Time", f64), ("AirTemp", f64), ("Humidity", f64), ("Pressure", f64), ("Rainfall", b),
        ("TrackTemp", f64), ("WindDirection", i32), ("WindSpeed", f64)),
        Partitioning.SESSION, ("Time",), "Weather samples (about one a minute)"),
    TableSpec("race_control_messages", _s(
        *SESSION_KEYS, ("Time", ts_ms), ("Category", s), ("Message", s), ("Status", s), ("Flag", s), ("Scope", s),
        ("Sector", i32), ("RacingNumber", s), ("Lap", i32)),
        Partitioning.SESSION, (), "Race control messages (flags, penalties, SC/VSC calls)"),
    TableSpec("track_status", _s(*SESSION_KEYS, ("Time", f64), ("Status", s), ("Message", s)),
              Partitioning.SESSION, (), "Track status changes: 1 green, 2 yellow, 4 SC, 5 red, 6 VSC, 7 VSC ending"),
    TableSpec("session_status", _s(*SESSION_KEYS, ("Time", f64), ("Status", s)),
              Partitioning.SESSION, ("Time", "Status"), "Session status changes (Started, Finished, Aborted, ...)"),
    TableSpec("session_results", _s(
        *SESSION_KEYS, ("DriverNumber", s), ("BroadcastName", s), ("Abbreviation", s), ("DriverId", s),
        ("TeamName", s), ("TeamColor", s), ("TeamId", s), ("FirstName", s), ("LastName", s), ("FullName", s),
        ("HeadshotUrl", s), ("CountryCode", s), ("Position", f64), ("ClassifiedPosition", s), ("GridPosition", f64),
        ("Q1", f64), ("Q2", f64), ("Q3", f64), ("Time", f64), ("Status", s), ("Points", f64), ("Laps", f64)),
        Partitioning.SESSION, ("DriverNumber",), "Session drivers and results (FastF1 Session.results)"),
    TableSpec("car_telemetry", _s(
        *SESSION_KEYS, ("Driver", s), ("LapNumber", i32), ("LapTime_ms", i32), ("Speed", f32), ("RPM", i32),
        ("nGear", i32), ("Throttle", f32), ("Brake", b), ("DRS", i32), ("Distance", f32), ("X", f32), ("Y", f32),
        ("Z", f32), ("AccX", f32), ("AccY", f32), ("AccZ", f32)),
        Partitioning.SESSION, ("Driver", "LapNumber", "LapTime_ms"),
        "Per-sample car telemetry: LapTime_ms from lap start, Speed km/h, Distance m from lap start, X/Y/Z 1/10 m"),
    TableSpec("circuit_corners", _s(
        *SESSION_KEYS, ("CornerNumber", i32), ("Letter", s), ("X", f64), ("Y", f64), ("Angle", f64), ("Distance", f64),
        ("Rotation", f64)),
        Partitioning.SESSION, ("CornerNumber", "Letter"), "Corner positions (FastF1 circuit info); Distance m from the line"),
)

TABLES: dict[str, TableSpec] = {t.name: t for t in HISTORICAL + WEEKEND}

# FastF1 session names ↔ the short codes used in weekend partition keys.
SESSION_CODES: dict[str, str] = {
    "Race": "R", "Qualifying": "Q", "Sprint": "S", "Sprint Qualifying": "SQ", "Sprint Shootout": "SQ",
    "Practice 1": "FP1", "Practice 2": "FP2", "Practice 3": "FP3",
}
SESSION_NAMES: dict[str, str] = {"R": "Race", "Q": "Qualifying", "S": "Sprint", "SQ": "Sprint Qualifying",
                                 "FP1": "Practice 1", "FP2": "Practice 2", "FP3": "Practice 3"}


def conform(table: pa.Table, spec: TableSpec, *, origin: str) -> pa.Table:
    """Select and cast ``table`` to ``spec.schema``; missing columns become nulls, extra columns are dropped.

    Raises :class:`SchemaError` naming ``origin`` and the column when a value cannot be cast.
    """
    columns = []
    for field in spec.schema:
        if field.name in table.column_names:
            col = table.column(field.name)
            try:
                columns.append(_cast(col, field.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise SchemaError(f"{origin}: column {field.name!r} cannot be read as {field.type}: {exc}") from exc
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=spec.schema)


def _cast(col: pa.ChunkedArray, to: pa.DataType) -> pa.ChunkedArray:
    if pa.types.is_boolean(to) and pa.types.is_string(col.type):
        # FastF1 flags arrive as 'True'/'False' strings in some caches.
        import pyarrow.compute as pc

        lowered = pc.utf8_lower(col)
        return pc.if_else(pc.equal(lowered, "true"), True, pc.if_else(pc.equal(lowered, "false"), False, None))
    if pa.types.is_integer(to) and pa.types.is_floating(col.type):
        # Nullable ints travel as floats through pandas; refuse silent truncation of real fractions.
        return col.cast(to, safe=True)
    if pa.types.is_timestamp(to) and pa.types.is_timestamp(col.type) and col.type.tz is not None:
        return col.cast(pa.timestamp(to.unit, tz="UTC")).cast(to)
    return col.cast(to, safe=False) if pa.types.is_timestamp(to) else col.cast(to)


# ---- tables written from Python into the warehouse's marts (precompute, insights, drift, ML predictions) ----------
# Declared once, as a dbt source beside the dbt marts, so `dbt docs` describes them like every other table.
PYTHON_MARTS_YML = DBT_PROJECT_DIR / "models" / "marts" / "_python_marts.yml"
_ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "FLOAT": pa.float32(),
                "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"),
                "TIMESTAMP_NS": pa.timestamp("ns"), "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC")}


def arrow_type(duckdb_type: str) -> pa.DataType:
    """The Arrow type of a column declared with DuckDB's type name (``DOUBLE[]`` is a list of doubles)."""
    if duckdb_type.endswith("[]"):
        return pa.list_(arrow_type(duckdb_type[:-2]))
    return _ARROW_TYPES[duckdb_type.upper()]


@cache
def python_mart_columns() -> dict[str, dict[str, str]]:
    """marts.<table> -> {column: DuckDB type name}, in declared order, from ``_python_marts.yml``."""
    (source,) = read_yaml(PYTHON_MARTS_YML)["sources"]
    return {t["name"]: {c["name"]: c["data_type"] for c in t["columns"]} for t in source["tables"]}


@cache
def python_marts() -> dict[str, pa.Schema]:
    """marts.<table> -> its declared Arrow schema."""
    return {name: pa.schema([pa.field(c, arrow_type(t)) for c, t in columns.items()])
            for name, columns in python_mart_columns().items()}


def conform_mart(name: str, table: pa.Table) -> pa.Table:
    """``table`` cast to the declared schema of ``marts.<name>``, columns in declared order.

    Raises :class:`SchemaError` naming the table and the columns when the columns are not exactly the declared ones
    (a table with no rows may have none: it becomes an empty table with the declared columns)."""
    declared = python_marts().get(name)
    if declared is None:
        raise SchemaError(f"marts.{name} is not declared in {PYTHON_MARTS_YML.name}")
    if table.num_rows == 0:
        return declared.empty_table()
    missing = set(declared.names) - set(table.column_names)
    extra = set(table.column_names) - set(declared.names)
    if missing or extra:
        raise SchemaError(f"marts.{name}: columns missing {sorted(missing)}, not declared {sorted(extra)} "
                          f"(declared in {PYTHON_MARTS_YML.name})")
    return conform(table, TableSpec(name, declared, Partitioning.NONE), origin=f"marts.{name}")
