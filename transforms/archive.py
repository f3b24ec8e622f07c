"""Archive source: a folder in the layout of the shared F1 archive, read into the declared lake tables.

Layout (every file is required unless marked optional)::

    historical/<table>.csv              Ergast CSV dump, ``\\N`` = null (lap_times may be ``lap_times*.csv[.gz]``)
    weekend/fastf1_<kind>.parquet       FastF1 weekend tables with ``ergast_raceId`` + session keys
    telemetry/car_telemetry_*.parquet   optional: per-sample telemetry of some races
    telemetry/circuit_corners_*.csv     optional: corner positions of those races

A malformed CSV row raises :class:`ArchiveError` naming the file and line; a missing file names the file expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import logging
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from transforms.exceptions import ArchiveError, ArchiveMissingError, SchemaError, UnknownSessionError
from transforms.schemas import HISTORICAL, SESSION_KEY_NAMES, TABLES, Partitioning, TableSpec, conform
from transforms.sessions import SessionRef
from transforms.source_versions import session_digests

log = logging.getLogger("undercut.archive")

NULLS = frozenset({"\\N", ""})
WEEKEND_FILES = {
    "session_laps": "fastf1_laps.parquet",
    "session_weather": "fastf1_weather.parquet",
    "race_control_messages": "fastf1_race_control.parquet",
    "track_status": "fastf1_track_status.parquet",
    "session_status": "fastf1_session_status.parquet",
    "session_results": "fastf1_drivers.parquet",
}
TELEMETRY_TABLES = ("car_telemetry", "circuit_corners")
# races.csv rows from 2025 on carry only the first 8 columns (session dates unknown): pad them with nulls.
SHORT_ROWS_ALLOWED = {"races"}


def _parse_int(v: str) -> int:
    f = float(v)  # the SC history writes some lap numbers as "39.0"
    if not f.is_integer():
        raise ValueError(f"{v!r} is not a whole number")
    return int(f)


_PARSERS: dict[str, Callable[[str], Any]] = {
    "int32": _parse_int, "int64": _parse_int, "double": float, "float": float,
    "date32[day]": dt.date.fromisoformat, "string": str,
}


def read_ergast_csv(path: Path, spec: TableSpec) -> pa.Table:
    """Parse an Ergast CSV into ``spec.schema``; errors name the file and line.

    Arrow's vectorised reader does the work (the row-by-row reader took ~8 s of every run's archive read); a file it
    cannot take as it is (a bad value, a short row) is read again row by row, which pads short rows where allowed
    and names the offending line."""
    header = _csv_header(path, spec)
    if spec.name not in SHORT_ROWS_ALLOWED:
        try:
            return _read_vectorised(path, spec)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
            pass
    return _read_rows(path, spec, header)


def _open_text(path: Path) -> Any:
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    return opener(path, "rt", encoding="utf-8-sig", newline="")


def _csv_header(path: Path, spec: TableSpec) -> list[str]:
    with _open_text(path) as fh:
        header = next(csv.reader(fh), None)
    if header is None:
        raise ArchiveError(f"{path}: empty file, expected a header with {spec.schema.names}")
    missing = [n for n in spec.schema.names if n not in header]
    if missing:
        raise ArchiveError(f"{path}: header lacks columns {missing}")
    return header


def _read_vectorised(path: Path, spec: TableSpec) -> pa.Table:
    """Every column read as text, then converted as the row-by-row parsers do (whole numbers may be written
    ``39.0``); raises on anything those would reject."""
    text = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
        include_columns=spec.schema.names, column_types=dict.fromkeys(spec.schema.names, pa.string()),
        null_values=sorted(NULLS), strings_can_be_null=True))
    columns = []
    for field in spec.schema:
        column = text[field.name]
        if pa.types.is_integer(field.type):
            number = pc.cast(column, pa.float64())
            if pc.all(pc.equal(pc.floor(number), number)).as_py() is False:
                raise ValueError(f"{field.name}: not whole numbers")
            column = pc.cast(number, field.type)
        elif not pa.types.is_string(field.type):
            column = pc.cast(column, field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=spec.schema).combine_chunks()


def _read_rows(path: Path, spec: TableSpec, header: list[str]) -> pa.Table:
    with _open_text(path) as fh:
        rows = csv.reader(fh)
        next(rows)
        idx = [header.index(n) for n in spec.schema.names]
        parsers = [_PARSERS[str(f.type)] for f in spec.schema]
        columns: list[list[Any]] = [[] for _ in idx]
        for line_no, row in enumerate(rows, start=2):
            if len(row) != len(header):
                if not (spec.name in SHORT_ROWS_ALLOWED and 0 < len(row) < len(header)):
                    raise ArchiveError(f"{path}:{line_no}: expected {len(header)} fields, found {len(row)}: {row!r}")
                row = row + ["\\N"] * (len(header) - len(row))
            for col, i, parse, name in zip(columns, idx, parsers, spec.schema.names, strict=True):
                v = row[i]
                try:
                    col.append(None if v in NULLS else parse(v))
                except ValueError as exc:
                    raise ArchiveError(f"{path}:{line_no}: column {name!r}: {exc}") from exc
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, spec.schema, strict=True)],
                                schema=spec.schema)


def _season_of_race_name(race: pa.ChunkedArray) -> pa.Array:
    # SC/VSC/red-flag history is keyed by race name, e.g. "2024 Monaco Grand Prix".
    return pc.cast(pc.utf8_slice_codeunits(race, 0, 4), pa.int32())


class ArchiveSource:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise ArchiveMissingError(f"archive folder {self.root} does not exist (set UNDERCUT_ARCHIVE_DIR to the archive, "
                               "e.g. ../shared/data)")

    # ---- historical -------------------------------------------------------------------------------------------
    def _csv_path(self, name: str) -> Path:
        folder = self.root / "historical"
        if name == "lap_times":
            found = sorted(folder.glob("lap_times*.csv*"))
            if found:
                return found[0]
        path = folder / f"{name}.csv"
        if not path.exists():
            raise ArchiveMissingError(f"archive {self.root} is missing table {name!r}: expected {path}")
        return path

    def _historical(self, name: str) -> pa.Table:
        cache = self.__dict__.setdefault("_hist_cache", {})
        if name not in cache:
            path = self._csv_path(name)
            log.debug("reading %s", path)
            cache[name] = read_ergast_csv(path, TABLES[name])
        return cache[name]

    @cached_property
    def _race_season(self) -> dict[int, int]:
        races = self._historical("races")
        return dict(zip(races["raceId"].to_pylist(), races["year"].to_pylist(), strict=True))

    def _season_column(self, name: str, table: pa.Table) -> pa.Array:
        if name == "races":
            return table["year"]
        if "Race" in table.column_names:
            return _season_of_race_name(table["Race"])
        lookup = self._race_season
        unknown = set(table["raceId"].to_pylist()) - lookup.keys()
        if unknown:
            raise ArchiveError(f"{self._csv_path(name)}: raceIds {sorted(unknown)[:5]} are not in races.csv")
        return pa.array([lookup[r] for r in table["raceId"].to_pylist()], pa.int32())

    def _by_season(self, name: str) -> dict[int, pa.Table]:
        # Split each table once: a run asks for every season of every table.
        cache = self.__dict__.setdefault("_season_cache", {})
        if name not in cache:
            table = self._historical(name)
            seasons = self._season_column(name, table)
            cache[name] = {s: table.filter(pc.equal(seasons, s)) for s in pc.unique(seasons).to_pylist()}
        return cache[name]

    def seasons(self) -> list[int]:
        return sorted(self._historical("seasons")["year"].to_pylist())

    def historical_table(self, name: str, season: int | None = None) -> pa.Table:
        spec = TABLES.get(name)
        if spec is None or spec.domain != "historical":
            raise ArchiveError(f"unknown historical table {name!r}")
        table = self._historical(name)
        if spec.partitioning is Partitioning.NONE:
            return table
        if season is None:
            raise ValueError(f"{name} is partitioned by season: pass season=")
        seasons = self.seasons()
        if season not in seasons:
            raise ArchiveError(f"season {season} is not in the archive (has {seasons[0]}–{seasons[-1]})")
        return self._by_season(name).get(season, table.schema.empty_table())

    # ---- weekend ----------------------------------------------------------------------------------------------
    def _weekend_path(self, name: str) -> Path:
        path = self.root / "weekend" / WEEKEND_FILES[name]
        if not path.exists():
            raise ArchiveMissingError(f"archive {self.root} is missing table {name!r}: expected {path}")
        return path

    @cached_property
    def _weekend(self) -> dict[str, tuple[pa.Table, dict[SessionRef, pa.Array]]]:
        # Read every weekend file once and index it by session, so each partition is a cheap take().
        out = {}
        for name in WEEKEND_FILES:
            path = self._weekend_path(name)
            table = conform(pq.read_table(path), TABLES[name], origin=str(path))
            out[name] = (table, _index_sessions(table))
        return out

    def sessions(self) -> list[SessionRef]:
        return sorted(self._weekend["session_laps"][1])

    def session_versions(self) -> dict[SessionRef, str]:
        """A content digest per session: its rows of every weekend file, and its telemetry and corner files."""
        corners = [p.read_bytes() for p in sorted((self.root / "telemetry").glob("circuit_corners_*.csv"))]
        files = {ref: [path.read_bytes(), *corners] for ref, path in self._telemetry_sessions.items()}
        return session_digests(self._weekend, files)

    def _telemetry_files(self) -> Iterator[Path]:
        yield from sorted((self.root / "telemetry").glob("car_telemetry_*.parquet"))

    @cached_property
    def _telemetry_sessions(self) -> dict[SessionRef, Path]:
        """Which session each telemetry file holds, matched on (Year, EventName, SessionName)."""
        by_event = {(k["Year"], k["EventName"], k["SessionName"]): ref for ref, k in self._session_keys.items()}
        out = {}
        for path in self._telemetry_files():
            first = pq.read_table(path, columns=["Year", "EventName", "SessionName"]).slice(0, 1).to_pylist()[0]
            ref = by_event.get((first["Year"], first["EventName"], first["SessionName"]))
            if ref is None:
                raise ArchiveError(f"{path}: no weekend session matches {first}")
            out[ref] = path
        return out

    @cached_property
    def _session_keys(self) -> dict[SessionRef, dict[str, Any]]:
        table, index = self._weekend["session_laps"]
        return {ref: table.select(list(SESSION_KEY_NAMES)).take(rows[:1]).to_pylist()[0] for ref, rows in index.items()}

    def weekend_table(self, name: str, session: SessionRef) -> pa.Table:
        if session not in self._session_keys:
            raise UnknownSessionError(f"session {session.key} is not in the archive {self.root}")
        spec = TABLES[name]
        if name in WEEKEND_FILES:
            table, index = self._weekend[name]
            rows = index.get(session)
            return spec.schema.empty_table() if rows is None else table.take(rows)
        if name not in TELEMETRY_TABLES:
            raise ArchiveError(f"unknown weekend table {name!r}")
        path = self._telemetry_sessions.get(session)
        if path is None:
            return spec.schema.empty_table()
        return self._with_keys(self._read_telemetry(name, path, session), session, spec)

    def _read_telemetry(self, name: str, path: Path, session: SessionRef) -> pd.DataFrame:
        if name == "car_telemetry":
            return pq.read_table(path).to_pandas()
        keys = self._session_keys[session]
        corners = [p for p in sorted(path.parent.glob("circuit_corners_*.csv"))]
        frames = [pd.read_csv(p) for p in corners]
        df = pd.concat(frames) if frames else pd.DataFrame(columns=["EventName"])
        return df[df["EventName"] == keys["EventName"]]

    def _with_keys(self, df: pd.DataFrame, session: SessionRef, spec: TableSpec) -> pa.Table:
        for k, v in self._session_keys[session].items():
            df[k] = v
        try:
            return conform(pa.Table.from_pandas(df, preserve_index=False), spec, origin=f"{self.root}:{spec.name}")
        except SchemaError as exc:
            raise ArchiveError(str(exc)) from exc

    def fingerprint(self) -> str:
        """Every file's path, size and modification time: equal fingerprints mean the archive was not touched, so
        its content digests (source_versions.probe, seconds of reading) need not be recomputed."""
        h = hashlib.blake2b(digest_size=12)
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            stat = path.stat()
            h.update(f"{path.relative_to(self.root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        return h.hexdigest()

    def check_layout(self) -> None:
        """Fail before writing anything when a required table is absent."""
        for spec in HISTORICAL:
            self._csv_path(spec.name)
        for name in WEEKEND_FILES:
            self._weekend_path(name)


def _index_sessions(table: pa.Table) -> dict[SessionRef, pa.Array]:
    keys = table.select(["Year", "RoundNumber", "SessionName"]).to_pandas()
    out = {}
    for (year, rnd, name), rows in keys.groupby(["Year", "RoundNumber", "SessionName"], sort=False).indices.items():
        out[SessionRef.from_name(int(year), int(rnd), name)] = pa.array(rows)
    return out


__all__ = ["ArchiveError", "ArchiveSource", "read_ergast_csv"]
