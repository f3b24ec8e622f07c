"""Validated Jolpica items → Arrow tables in the lake's Ergast schemas (``transforms.schemas.TABLES``).

Every function registers the natural keys it meets in the :class:`IdMap` (new ones get new ids) and then only looks
ids up, so a table never depends on the order rows arrive in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa

from transforms.jolpica.ids import IdMap, Kind, row_id
from transforms.jolpica.models import (
    Circuit,
    Constructor,
    ConstructorStanding,
    Driver,
    DriverStanding,
    FastestLap,
    QualifyingResult,
    Race,
    Result,
    Season,
    SessionTime,
    StandingsList,
    Status,
)
from transforms.schemas import TABLES, conform

Row = dict[str, Any]


def seasons(items: list[Season], origin: str) -> pa.Table:
    return _table("seasons", [{"year": s.season, "url": s.url} for s in items], origin)


def circuits(items: list[Circuit], ids: IdMap, origin: str) -> pa.Table:
    ids.register("circuit", (c.circuit_id for c in items))
    rows = [{"circuitId": ids.id("circuit", c.circuit_id), "circuitRef": c.circuit_id, "name": c.circuit_name,
             "location": c.location.locality, "country": c.location.country, "lat": c.location.lat,
             "lng": c.location.long, "url": c.url}  # the API has no altitude: alt stays null
            for c in items]
    return _table("circuits", rows, origin)


def constructors(items: list[Constructor], ids: IdMap, origin: str) -> pa.Table:
    ids.register("constructor", (c.constructor_id for c in items))
    rows = [{"constructorId": ids.id("constructor", c.constructor_id), "constructorRef": c.constructor_id,
             "name": c.name, "nationality": c.nationality, "url": c.url} for c in items]
    return _table("constructors", rows, origin)


def drivers(items: list[Driver], ids: IdMap, origin: str) -> pa.Table:
    ids.register("driver", (d.driver_id for d in items))
    rows = [{"driverId": ids.id("driver", d.driver_id), "driverRef": d.driver_id, "number": d.permanent_number,
             "code": d.code, "forename": d.given_name, "surname": d.family_name, "dob": d.date_of_birth,
             "nationality": d.nationality, "url": d.url} for d in items]
    return _table("drivers", rows, origin)


def status(items: list[Status], ids: IdMap, origin: str) -> pa.Table:
    # The API carries Ergast's statusIds; adopt them unless the IdMap already numbers that text (or id) otherwise.
    ids.add("status", ((s.status, s.status_id) for s in items))
    ids.register("status", (s.status for s in items))
    return _table("status", [{"statusId": ids.id("status", s.status), "status": s.status} for s in items], origin)


def races(items: list[Race], ids: IdMap, origin: str) -> pa.Table:
    _register_races(items, ids)
    ids.register("circuit", (r.circuit.circuit_id for r in items))
    rows = [{"raceId": _race_id(r, ids), "year": r.season, "round": r.round,
             "circuitId": ids.id("circuit", r.circuit.circuit_id), "name": r.race_name, "date": r.date,
             "time": _utc_time(r.time), "url": r.url, **_session_columns(r)} for r in items]
    return _table("races", rows, origin)


def results(items: list[Race], ids: IdMap, origin: str) -> pa.Table:
    return _classification("results", items, lambda race: race.results, ids, origin)


def sprint_results(items: list[Race], ids: IdMap, origin: str) -> pa.Table:
    return _classification("sprint_results", items, lambda race: race.sprint_results, ids, origin)


def qualifying(items: list[Race], ids: IdMap, origin: str) -> pa.Table:
    _register_races(items, ids)
    ids.register("driver", (q.driver.driver_id for r in items for q in r.qualifying_results))
    ids.register("constructor", (q.constructor.constructor_id for r in items for q in r.qualifying_results))
    rows = [_qualifying_row(_race_id(r, ids), q, ids) for r in items for q in r.qualifying_results]
    return _table("qualifying", rows, origin)


def pit_stops(items: list[Race], ids: IdMap, origin: str) -> pa.Table:
    _register_races(items, ids)
    ids.register("driver", (p.driver_id for r in items for p in r.pit_stops))
    rows = [{"raceId": _race_id(r, ids), "driverId": ids.id("driver", p.driver_id), "stop": p.stop, "lap": p.lap,
             "time": p.time, "duration": p.duration, "milliseconds": duration_ms(p.duration)}
            for r in items for p in r.pit_stops]
    return _table("pit_stops", rows, origin)


def lap_times(items: list[Race], ids: IdMap, origin: str) -> pa.Table:
    _register_races(items, ids)
    ids.register("driver", (t.driver_id for r in items for lap in r.laps for t in lap.timings))
    rows = [{"raceId": _race_id(r, ids), "driverId": ids.id("driver", t.driver_id), "lap": lap.number,
             "position": t.position, "time": t.time, "milliseconds": duration_ms(t.time)}
            for r in items for lap in r.laps for t in lap.timings]
    return _table("lap_times", rows, origin)


def driver_standings(items: list[StandingsList], ids: IdMap, origin: str) -> pa.Table:
    entries = [(s, e) for s in items for e in s.driver_standings]
    return _standings("driver_standings", entries, ids, origin)


def constructor_standings(items: list[StandingsList], ids: IdMap, origin: str) -> pa.Table:
    entries = [(s, e) for s in items for e in s.constructor_standings]
    return _standings("constructor_standings", entries, ids, origin)


def constructor_results(race: pa.Table, sprint: pa.Table, origin: str) -> pa.Table:
    """Constructor points per race, derived from the normalised results: the sum of its cars' race *and* sprint
    points (Ergast's convention since sprints began in 2021). ``status`` stays null: Ergast's rare 'D'
    (a team excluded from the championship, e.g. McLaren 2007) is not visible in the results. Not applied either:
    the 1958-1978 rule that only a team's best-placed car scored, so those seasons can sum higher than Ergast."""
    points = pa.concat_tables([t.select(["raceId", "constructorId", "points"]) for t in (race, sprint)])
    per_race = (points.group_by(["raceId", "constructorId"]).aggregate([("points", "sum")])
                .sort_by([("raceId", "ascending"), ("constructorId", "ascending")]))
    rows = [{"constructorResultsId": row_id(r["raceId"], r["constructorId"]), "raceId": r["raceId"],
             "constructorId": r["constructorId"], "points": r["points_sum"]} for r in per_race.to_pylist()]
    return _table("constructor_results", rows, origin)


# --- helpers -------------------------------------------------------------------------------------------------------

_STANDINGS_COLUMNS: dict[str, tuple[Kind, str, str]] = {  # table → (IdMap kind, row id column, entity id column)
    "driver_standings": ("driver", "driverStandingsId", "driverId"),
    "constructor_standings": ("constructor", "constructorStandingsId", "constructorId"),
}


def _standings(name: str, entries: Sequence[tuple[StandingsList, DriverStanding | ConstructorStanding]], ids: IdMap,
               origin: str) -> pa.Table:
    kind, row_id_column, id_column = _STANDINGS_COLUMNS[name]
    ids.register("race", ((s.season, s.round) for s, _ in entries))
    ids.register(kind, (e.ref for _, e in entries))
    rows = []
    for s, e in entries:
        race_id, entity_id = ids.id("race", (s.season, s.round)), ids.id(kind, e.ref)
        rows.append({row_id_column: row_id(race_id, entity_id), "raceId": race_id, id_column: entity_id,
                     "points": e.points, "position": e.position, "positionText": e.position_text, "wins": e.wins})
    return _table(name, rows, origin)


def _classification(name: str, items: list[Race], rows_of: Callable[[Race], list[Result]], ids: IdMap,
                    origin: str) -> pa.Table:
    _register_races(items, ids)
    ids.register("driver", (x.driver.driver_id for r in items for x in rows_of(r)))
    ids.register("constructor", (x.constructor.constructor_id for r in items for x in rows_of(r)))
    ids.register("status", (x.status for r in items for x in rows_of(r)))
    rows = [_result_row(_race_id(r, ids), x, ids) for r in items for x in rows_of(r)]
    return _table(name, rows, origin)


_NO_FASTEST_LAP = FastestLap.model_validate({})  # before 2004 and for many DNFs


def _result_row(race_id: int, x: Result, ids: IdMap) -> Row:
    fastest = x.fastest_lap or _NO_FASTEST_LAP
    return {
        "resultId": row_id(race_id, x.position), "raceId": race_id, "driverId": ids.id("driver", x.driver.driver_id),
        "constructorId": ids.id("constructor", x.constructor.constructor_id), "number": x.number, "grid": x.grid,
        # The API's position is Ergast's positionOrder; the classified position only exists when the text is numeric.
        "position": int(x.position_text) if x.position_text.isdigit() else None, "positionText": x.position_text,
        "positionOrder": x.position, "points": x.points, "laps": x.laps,
        "time": x.time.time if x.time else None, "milliseconds": x.time.millis if x.time else None,
        "fastestLap": fastest.lap, "rank": fastest.rank, "fastestLapTime": fastest.time.time if fastest.time else None,
        "fastestLapSpeed": fastest.average_speed.speed if fastest.average_speed else None,
        "statusId": ids.optional_id("status", x.status),
    }


def _qualifying_row(race_id: int, q: QualifyingResult, ids: IdMap) -> Row:
    return {"qualifyId": row_id(race_id, q.position), "raceId": race_id, "driverId": ids.id("driver", q.driver.driver_id),
            "constructorId": ids.id("constructor", q.constructor.constructor_id), "number": q.number,
            "position": q.position, "q1": q.q1, "q2": q.q2, "q3": q.q3}


def _session_columns(race: Race) -> Row:
    # Ergast's races.csv keeps five session slots; on sprint weekends it files the sprint shootout (2023) and sprint
    # qualifying (2024-) under fp2, which Jolpica reports under their own names.
    sessions: dict[str, SessionTime | None] = {
        "fp1": race.first_practice,
        "fp2": race.second_practice or race.sprint_qualifying or race.sprint_shootout,
        "fp3": race.third_practice,
        "quali": race.qualifying,
        "sprint": race.sprint,
    }
    columns: Row = {}
    for slot, session in sessions.items():
        columns[f"{slot}_date"] = session.date if session else None
        columns[f"{slot}_time"] = _utc_time(session.time) if session else None
    return columns


def _register_races(items: list[Race], ids: IdMap) -> None:
    ids.register("race", ((r.season, r.round) for r in items))


def _race_id(race: Race, ids: IdMap) -> int:
    return ids.id("race", (race.season, race.round))


def _utc_time(text: str | None) -> str | None:
    """The API's "15:00:00Z" → Ergast's "15:00:00" (both UTC)."""
    return text.removesuffix("Z") if text else None


def duration_ms(duration: str | None) -> int | None:
    """A duration in milliseconds: the API's "25.012", "1:37.284", "1:31:44.742", or the same as a PostgreSQL
    interval in Jolpica's database dump ("00:01:37.284"). The one parser of durations: the dump and its tests use it."""
    if not duration:
        return None
    seconds = 0.0
    for part in duration.split(":"):
        seconds = seconds * 60 + float(part)
    return round(seconds * 1000)


def duration_text(ms: int) -> str:
    """Milliseconds as Ergast and Jolpica's API print a duration: "25.012", "1:37.284", "1:31:44.742"."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    if hours:
        return f"{hours}:{minutes:02}:{seconds:02}.{millis:03}"
    if minutes:
        return f"{minutes}:{seconds:02}.{millis:03}"
    return f"{seconds}.{millis:03}"


def _table(name: str, rows: list[Row], origin: str) -> pa.Table:
    return conform(pa.Table.from_pylist(rows), TABLES[name], origin=origin)
