"""Jolpica's database dump (its own Django tables, not Ergast's) served as Jolpica's API serves them.

:class:`DumpClient` answers the API paths :class:`~transforms.jolpica.source.JolpicaSource` reads (``2023/results``,
``2023/5/laps``, ``drivers`` ...) with the items Jolpica's serialisers make from those tables
(jolpica-f1 ``jolpica_api/ergastapi/serializers.py`` and ``views.py``: which sessions, which entries, which lap is a
fastest lap, how a position text or a standing's text is chosen). The dump's history then goes through the same
validation, id mapping and normalisation into the Ergast tables as API pages do: a table built from the dump is the
table the API would have given. Durations (PostgreSQL intervals such as ``01:31:44.742``) are read by the one
duration parser, :func:`~transforms.jolpica.normalise.duration_ms`, and printed as the API prints them.

Where it departs from the API, on purpose:
- ``status`` lists every status text a race or sprint result carries, without ids (the dump has no Ergast status
  ids: the API's ``/status`` gives them, see :mod:`transforms.jolpica.history`); the API lists non-empty ``detail``
  texts of races only, with Ergast's id.
- a race without a dated race session takes the round's own date (the API would omit it and fail validation).
- a lap without a number, and a lap time or pit-stop duration that is null, is left out (the API cannot print it).
"""

from __future__ import annotations

import csv
import logging
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from transforms.exceptions import DumpError
from transforms.jolpica.normalise import duration_ms, duration_text

log = logging.getLogger("undercut.jolpica")

Item = dict[str, Any]
i32, i64, f64, s, b = pa.int32(), pa.int64(), pa.float64(), pa.string(), pa.bool_()

# The columns read from each ``formula_one_<table>.csv``, by name: Jolpica orders them id first, then alphabetically,
# and adds columns as its schema grows.
COLUMNS: dict[str, dict[str, pa.DataType]] = {
    "season": {"id": i64, "year": i32, "wikipedia": s},
    "circuit": {"id": i64, "reference": s, "name": s, "locality": s, "country": s, "latitude": f64, "longitude": f64,
                "wikipedia": s},
    "team": {"id": i64, "reference": s, "name": s, "nationality": s, "wikipedia": s},
    "driver": {"id": i64, "reference": s, "forename": s, "surname": s, "abbreviation": s, "nationality": s,
               "permanent_car_number": i32, "date_of_birth": pa.date32(), "wikipedia": s},
    "round": {"id": i64, "season_id": i64, "circuit_id": i64, "number": i32, "name": s, "date": pa.date32(),
              "wikipedia": s, "is_cancelled": b},
    "session": {"id": i64, "round_id": i64, "type": s, "number": i32, "timestamp": pa.timestamp("us", tz="UTC"),
                "has_time_data": b},
    "roundentry": {"id": i64, "round_id": i64, "team_driver_id": i64, "car_number": i32},
    "teamdriver": {"id": i64, "team_id": i64, "driver_id": i64, "season_id": i64},
    "sessionentry": {"id": i64, "session_id": i64, "round_entry_id": i64, "position": i32, "is_classified": b,
                     "status": i32, "detail": s, "points": f64, "grid": i32, "time": s, "fastest_lap_rank": i32,
                     "laps_completed": i32},
    "lap": {"id": i64, "session_entry_id": i64, "number": i32, "position": i32, "time": s, "average_speed": f64,
            "is_entry_fastest_lap": b, "is_deleted": b},
    "pitstop": {"id": i64, "session_entry_id": i64, "lap_id": i64, "number": i32, "duration": s,
                "local_timestamp": s},
    "driverchampionship": {"id": i64, "driver_id": i64, "round_id": i64, "position": i32, "points": f64,
                           "win_count": i32, "is_eligible": b, "adjustment_type": i32},
    "teamchampionship": {"id": i64, "team_id": i64, "round_id": i64, "position": i32, "points": f64,
                         "win_count": i32, "is_eligible": b, "adjustment_type": i32},
}

# Jolpica's SessionStatus: a result's status text is its ``detail``, else the status's name, capitalised.
STATUS_NAMES = {0: "Finished", 1: "Lapped", 10: "Accident", 11: "Retired", 20: "Disqualified", 30: "Did_not_start",
                40: "Did_not_qualify", 41: "Did_not_prequalify"}
UNCLASSIFIED_TEXT = {30: "W", 20: "D", 40: "F", 41: "F"}  # any other unclassified status: "R"
ADJUSTMENT_TEXT = {101: "D", 102: "E"}  # a standing's text: disqualified / excluded from the championship

_DERIVED = """
CREATE TABLE race_round AS
    SELECT r.id, s.year, r.number AS round, r.is_cancelled FROM f1_round r JOIN f1_season s ON s.id = r.season_id;
CREATE TABLE entry AS  -- a driver's entry in a session, with its race and team
    SELECT e.*, rr.year, rr.round, rr.id AS round_pk, x.type, x.number AS session_number, re.car_number,
           td.driver_id, td.team_id
    FROM f1_sessionentry e JOIN f1_session x ON x.id = e.session_id JOIN race_round rr ON rr.id = x.round_id
    JOIN f1_roundentry re ON re.id = e.round_entry_id JOIN f1_teamdriver td ON td.id = re.team_driver_id;
CREATE TABLE fastest_lap AS  -- the API shows an entry's first flagged lap as its fastest
    SELECT * FROM f1_lap WHERE is_entry_fastest_lap
    QUALIFY row_number() OVER (PARTITION BY session_entry_id ORDER BY id) = 1;
CREATE TABLE fastest_valid_lap AS  -- a qualifying time leaves deleted laps out
    SELECT * FROM f1_lap WHERE is_entry_fastest_lap AND NOT is_deleted
    QUALIFY row_number() OVER (PARTITION BY session_entry_id ORDER BY id) = 1;
CREATE TABLE race_lap AS
    SELECT e.year, e.round, l.number, l.position, l.time, e.driver_id
    FROM f1_lap l JOIN entry e ON e.id = l.session_entry_id
    WHERE e.type = 'R' AND l.number IS NOT NULL ORDER BY e.year, e.round, l.number, l.position;
"""


class DumpClient:
    """The API paths JolpicaSource reads, answered from an extracted dump folder (read once, into memory)."""

    def __init__(self, folder: Path) -> None:
        self.base_url = str(folder)  # what origins in error messages and logs start with
        self._db = duckdb.connect()
        tables = {name: _read(folder, name, columns) for name, columns in COLUMNS.items()}
        for name, table in tables.items():
            self._db.register("incoming", table)
            self._db.execute(f"CREATE TABLE f1_{name} AS SELECT * FROM incoming")
            self._db.unregister("incoming")
        self._db.execute(_DERIVED)
        # Items by primary key. One without a reference (the API's id) fails validation like its API page would.
        self._circuits = {r["id"]: _circuit(r) for r in tables["circuit"].to_pylist()}
        self._teams = {r["id"]: _present({"constructorId": r["reference"], "url": r["wikipedia"], "name": r["name"],
                                          "nationality": r["nationality"]}) for r in tables["team"].to_pylist()}
        self._drivers = {r["id"]: _driver(r) for r in tables["driver"].to_pylist()}
        self._headers = self._race_headers(tables)
        self._endpoints: dict[str, Callable[[int | None, int | None], list[Item]]] = {
            "seasons": self._seasons, "circuits": self._circuits_of, "constructors": self._constructors_of,
            "drivers": self._drivers_of, "status": self._statuses, "races": self._races,
            "results": lambda season, rnd: self._results(season, rnd, "R", "Results"),
            "sprint": lambda season, rnd: self._results(season, rnd, "SR", "SprintResults"),
            "qualifying": self._qualifying, "pitstops": self._pit_stops, "laps": self._laps,
            "driverStandings": lambda season, rnd: self._standings(season, rnd, "driver"),
            "constructorStandings": lambda season, rnd: self._standings(season, rnd, "team"),
        }
        log.info("jolpica dump %s: %d seasons, %d races", folder, tables["season"].num_rows, len(self._headers))

    # ---- what the dump covers ----------------------------------------------------------------------------------------
    def final_seasons(self) -> set[int]:
        """Seasons whose every round (not cancelled) has race results in the dump: nothing newer can come."""
        rows = self._rows("SELECT year, bool_and(id IN (SELECT round_pk FROM entry WHERE type = 'R')) AS raced "
                          "FROM race_round WHERE NOT is_cancelled GROUP BY year")
        return {r["year"] for r in rows if r["raced"]}

    def raced_rounds(self, season: int) -> set[int]:
        return {r["round"] for r in self._rows("SELECT DISTINCT round FROM entry WHERE year = ? AND type = 'R'",
                                               season)}

    # ---- the API ---------------------------------------------------------------------------------------------------
    def get_all(self, path: str) -> list[Item]:
        """The items of ``path`` (``[season/[round/]]endpoint``), as JolpicaClient.get_all returns the API's."""
        *numbers, endpoint = path.strip("/").split("/")
        if len(numbers) > 2 or not all(n.isdigit() for n in numbers) or endpoint not in self._endpoints:
            raise DumpError(f"{self.base_url}: the dump serves no API path {path!r}", url=f"{self.base_url}/{path}")
        season, rnd = ([int(n) for n in numbers] + [None, None])[:2]
        return self._endpoints[endpoint](season, rnd)

    def _seasons(self, season: int | None, rnd: int | None) -> list[Item]:
        _only(season is None and rnd is None, "seasons")
        return [_present({"season": r["year"], "url": r["wikipedia"]})
                for r in self._rows("SELECT year, wikipedia FROM f1_season ORDER BY year")]

    def _circuits_of(self, season: int | None, rnd: int | None) -> list[Item]:
        _only(rnd is None, "circuits")
        ids = self._ids("SELECT circuit_id AS id FROM f1_round r JOIN race_round rr ON rr.id = r.id "
                        "WHERE rr.year = ?", season, everything="SELECT id FROM f1_circuit")
        return sorted((self._circuits[i] for i in ids), key=lambda c: c.get("circuitId", ""))

    def _constructors_of(self, season: int | None, rnd: int | None) -> list[Item]:
        _only(rnd is None, "constructors")
        return self._season_entrants("team_id", "f1_team", self._teams, "constructorId", season)

    def _drivers_of(self, season: int | None, rnd: int | None) -> list[Item]:
        _only(rnd is None, "drivers")
        return self._season_entrants("driver_id", "f1_driver", self._drivers, "driverId", season)

    def _season_entrants(self, id_column: str, table: str, items: dict[int, Item], sort_key: str,
                         season: int | None) -> list[Item]:
        """The teams or drivers of a season's entry list (f1_teamdriver), or all of them without a season."""
        ids = self._ids(f"SELECT {id_column} AS id FROM f1_teamdriver td JOIN f1_season s ON s.id = td.season_id "
                        "WHERE s.year = ?", season, everything=f"SELECT id FROM {table}")
        return sorted((items[i] for i in ids), key=lambda item: item.get(sort_key, ""))

    def _statuses(self, season: int | None, rnd: int | None) -> list[Item]:
        _only(season is None and rnd is None, "status")
        rows = self._rows("SELECT DISTINCT detail, status FROM entry WHERE type IN ('R', 'SR')")
        texts = {_status_text(r) for r in rows}
        return [{"status": text} for text in sorted(t for t in texts if t)]

    def _races(self, season: int | None, rnd: int | None) -> list[Item]:
        _only(season is not None and rnd is None, "races")
        rows = self._rows("SELECT id FROM race_round WHERE year = ? AND NOT is_cancelled ORDER BY round", season)
        return [self._headers[r["id"]] for r in rows]

    def _results(self, season: int | None, rnd: int | None, session_type: str, key: str) -> list[Item]:
        _only(season is not None and rnd is None, key)
        rows = self._rows("SELECT e.*, f.number AS fastest_lap, f.time AS fastest_time, f.average_speed "
                          "FROM entry e LEFT JOIN fastest_lap f ON f.session_entry_id = e.id "
                          "WHERE e.year = ? AND e.type = ? ORDER BY e.round, e.position", season, session_type)
        winner_ms = {r["round_pk"]: duration_ms(r["time"]) for r in rows if r["position"] == 1}
        races: dict[int, list[Item]] = defaultdict(list)
        for r in rows:
            races[r["round_pk"]].append(self._result(r, winner_ms.get(r["round_pk"])))
        return [{**self._headers[pk], key: results} for pk, results in races.items()]

    def _result(self, r: dict[str, Any], winner_ms: int | None) -> Item:
        position = None if r["position"] is None else str(r["position"])
        item = {"number": r["car_number"], "position": position, "points": r["points"], "grid": r["grid"],
                "Driver": self._drivers[r["driver_id"]], "Constructor": self._teams[r["team_id"]],
                "laps": r["laps_completed"], "status": _status_text(r),
                "positionText": position if r["is_classified"] else UNCLASSIFIED_TEXT.get(r["status"], "R")}
        finish_ms = duration_ms(r["time"])
        if finish_ms is not None and r["is_classified"]:
            item["Time"] = {"millis": finish_ms, "time": _finish_text(finish_ms, winner_ms)}
        if r["fastest_lap"] is not None:
            fastest_ms = duration_ms(r["fastest_time"])
            item["FastestLap"] = _present({
                "rank": r["fastest_lap_rank"], "lap": r["fastest_lap"],
                "Time": None if fastest_ms is None else {"time": duration_text(fastest_ms)},
                "AverageSpeed": None if r["average_speed"] is None else {"speed": r["average_speed"]}})
        return _present(item)

    def _qualifying(self, season: int | None, rnd: int | None) -> list[Item]:
        _only(season is not None and rnd is None, "qualifying")
        rows = self._rows("SELECT e.round_pk, e.round_entry_id, e.type, e.position, e.car_number, e.driver_id, "
                          "e.team_id, f.time FROM entry e LEFT JOIN fastest_valid_lap f ON f.session_entry_id = e.id "
                          "WHERE e.year = ? AND e.type LIKE 'Q%' AND e.position IS NOT NULL "
                          "ORDER BY e.round, e.round_entry_id, e.session_number", season)
        by_entry: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            by_entry[r["round_pk"], r["round_entry_id"]].append(r)
        races: dict[int, list[Item]] = defaultdict(list)
        for (pk, _), sessions in by_entry.items():
            races[pk].append(_qualifying_result(sessions, self._drivers, self._teams))
        return [{**self._headers[pk], "QualifyingResults": sorted(results, key=lambda q: int(q["position"]))}
                for pk, results in races.items()]

    def _pit_stops(self, season: int | None, rnd: int | None) -> list[Item]:
        _only(season is not None and rnd is not None, "pitstops")
        rows = self._rows("SELECT e.round_pk, e.driver_id, l.number AS lap, p.number AS stop, p.local_timestamp, "
                          "p.duration FROM f1_pitstop p JOIN entry e ON e.id = p.session_entry_id "
                          "LEFT JOIN f1_lap l ON l.id = p.lap_id WHERE e.year = ? AND e.round = ? AND e.type = 'R' "
                          "ORDER BY p.local_timestamp", season, rnd)
        stops = [_present({"driverId": self._drivers[r["driver_id"]].get("driverId"), "lap": r["lap"],
                           "stop": r["stop"], "time": r["local_timestamp"], "duration": _text(r["duration"])})
                 for r in rows]
        return [{**self._headers[rows[0]["round_pk"]], "PitStops": stops}] if rows else []

    def _laps(self, season: int | None, rnd: int | None) -> list[Item]:
        _only(season is not None and rnd is not None, "laps")
        rows = self._rows("SELECT number, position, time, driver_id FROM race_lap WHERE year = ? AND round = ?",
                          season, rnd)
        laps: dict[int, list[Item]] = defaultdict(list)
        for r in rows:
            laps[r["number"]].append(_present({"driverId": self._drivers[r["driver_id"]].get("driverId"),
                                               "position": r["position"], "time": _text(r["time"])}))
        if not laps:
            return []
        header = self._headers[self._round_pk(season, rnd)]
        return [{**header, "Laps": [{"number": n, "Timings": timings} for n, timings in laps.items()]}]

    def _standings(self, season: int | None, rnd: int | None, kind: str) -> list[Item]:
        _only(season is not None and rnd is not None, "standings")
        # Jolpica keeps a standing after every point-scoring session; the one a round ends with carries round_id.
        rows = self._rows(f"SELECT c.* FROM f1_{kind}championship c JOIN race_round rr ON rr.id = c.round_id "
                          "WHERE rr.year = ? AND rr.round = ? ORDER BY c.position", season, rnd)
        key, entity, items = (("DriverStandings", "Driver", self._drivers) if kind == "driver"
                              else ("ConstructorStandings", "Constructor", self._teams))
        standings = [_present({"position": r["position"], "positionText": _standing_text(r), "points": r["points"],
                               "wins": r["win_count"], entity: items[r[f"{kind}_id"]]}) for r in rows]
        return [{"season": season, "round": rnd, key: standings}] if standings else []

    # ---- helpers -----------------------------------------------------------------------------------------------------
    def _race_headers(self, tables: dict[str, pa.Table]) -> dict[int, Item]:
        """Every round's race fields (BaseRaceSerializer + RaceSerializer's session times), by round id."""
        first: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)  # round -> type -> first session of it
        sessions = tables["session"].filter(pc.is_valid(tables["session"]["timestamp"]))
        for x in sorted(sessions.to_pylist(), key=lambda x: (x["timestamp"], x["type"])):
            first[x["round_id"]].setdefault(x["type"], x)
        years = {r["id"]: r["year"] for r in tables["season"].to_pylist()}
        headers = {}
        for r in tables["round"].to_pylist():
            times = first[r["id"]]
            year = years[r["season_id"]]
            race = _when(times.get("R"))
            header = {"season": year, "round": r["number"], "url": r["wikipedia"], "raceName": r["name"],
                      "Circuit": self._circuits.get(r["circuit_id"]),
                      "date": race["date"] if race else r["date"], "time": race.get("time") if race else None,
                      "FirstPractice": _when(times.get("FP1")), "SecondPractice": _when(times.get("FP2")),
                      "ThirdPractice": _when(times.get("FP3")), "Qualifying": _when(times.get("Q1")),
                      "Sprint": _when(times.get("SR")),
                      "SprintShootout" if year == 2023 else "SprintQualifying": _when(times.get("SQ1"))}
            headers[r["id"]] = _present(header)
        return headers

    def _round_pk(self, season: int | None, rnd: int | None) -> int:
        return self._rows("SELECT id FROM race_round WHERE year = ? AND round = ?", season, rnd)[0]["id"]

    def _ids(self, of_season: str, season: int | None, *, everything: str) -> set[int]:
        rows = self._rows(everything) if season is None else self._rows(of_season, season)
        return {r["id"] for r in rows}

    def _rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        cursor = self._db.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _read(folder: Path, name: str, columns: dict[str, pa.DataType]) -> pa.Table:
    file = f"formula_one_{name}.csv"
    path = next(iter(sorted(folder.rglob(file))), None)
    if path is None:
        raise DumpError(f"the dump in {folder} has no {file}", url=str(folder))
    with path.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f), [])
    missing = [c for c in columns if c not in header]
    if missing:
        raise DumpError(f"{path}: Jolpica's table lacks column(s) {missing} (its schema changed?)", url=str(path))
    options = pacsv.ConvertOptions(include_columns=list(columns), column_types=columns, true_values=["t"],
                                   false_values=["f"], strings_can_be_null=True)
    try:
        return pacsv.read_csv(path, convert_options=options)
    except pa.ArrowInvalid as exc:
        raise DumpError(f"{path}: {exc}", url=str(path)) from exc


def _only(ok: bool, endpoint: str) -> None:
    if not ok:
        raise ValueError(f"the dump serves {endpoint} for the seasons and rounds JolpicaSource asks, not this one")


def _present(item: Item) -> Item:
    """Without the null fields, as Jolpica's serialisers leave them out."""
    return {k: v for k, v in item.items() if v is not None}


def _circuit(r: dict[str, Any]) -> Item:
    def seven_digits(x: float | None) -> float | None:  # the API prints coordinates with 7 significant digits
        return float(f"{x:.7g}") if x else None

    location = {"lat": seven_digits(r["latitude"]), "long": seven_digits(r["longitude"]), "locality": r["locality"],
                "country": r["country"]}
    return _present({"circuitId": r["reference"], "url": r["wikipedia"], "circuitName": r["name"],
                     "Location": location})


def _driver(r: dict[str, Any]) -> Item:
    return _present({"driverId": r["reference"], "permanentNumber": r["permanent_car_number"],
                     "code": r["abbreviation"], "url": r["wikipedia"], "givenName": r["forename"],
                     "familyName": r["surname"], "dateOfBirth": r["date_of_birth"], "nationality": r["nationality"]})


def _when(session: dict[str, Any] | None) -> Item | None:
    """A session's UTC date, and its time when the dump knows it (else the timestamp is midnight, not a time)."""
    if session is None:
        return None
    stamp = session["timestamp"]
    return {"date": stamp.date(), **({"time": f"{stamp.time()}Z"} if session["has_time_data"] else {})}


def _status_text(r: dict[str, Any]) -> str | None:
    return r["detail"] or STATUS_NAMES.get(r["status"])


def _finish_text(finish_ms: int, winner_ms: int | None) -> str:
    """The winner's race time, the others' gap to it; "" for a classified car that stopped before the winner did."""
    if winner_ms is None or finish_ms == winner_ms:
        return duration_text(finish_ms)
    return "" if finish_ms < winner_ms else f"+{duration_text(finish_ms - winner_ms)}"


def _text(duration: str | None) -> str | None:
    ms = duration_ms(duration)
    return None if ms is None else duration_text(ms)


def _qualifying_result(sessions: list[dict[str, Any]], drivers: dict[int, Item], teams: dict[int, Item]) -> Item:
    """One car's qualifying: its last session's position, and each session's best lap ("" without one). Q1-Q3 are
    named; older formats (one aggregate or two best-of sessions) fill Q1, then Q2."""
    last = sessions[-1]
    item: Item = {"number": last["car_number"], "position": str(last["position"]),
                  "Driver": drivers[last["driver_id"]], "Constructor": teams[last["team_id"]]}
    for x in sessions:
        time = _text(x["time"]) or ""
        if x["type"] in ("Q1", "Q2", "Q3"):
            item[x["type"]] = time
        else:
            item["Q2" if item.get("Q1") else "Q1"] = time
    return _present(item)


def _standing_text(r: dict[str, Any]) -> str | None:
    if r["adjustment_type"] in ADJUSTMENT_TEXT:
        return ADJUSTMENT_TEXT[r["adjustment_type"]]
    if not r["is_eligible"]:
        return "-"
    return None if r["position"] is None else str(r["position"])
