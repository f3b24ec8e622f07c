"""A small Jolpica database dump for tests, built from the archive's Ergast tables: Jolpica's own Django tables
(``formula_one_*.csv``, columns id first then alphabetical, as jolpica-f1's ``scripts/generate_csv_dump.py`` writes
them) in PostgreSQL's CSV dialect ("" for null, t/f, ``2023-03-05 15:00:00+00`` timestamps, ``00:01:32.608``
intervals), zipped flat. Primary keys are Jolpica's own sequence, not Ergast's ids.

Rounds up to ``last_round`` of a season get entries, laps, pit stops and standings; later rounds only their calendar
entry (a season under way when the dump was made)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from transforms.archive import ArchiveSource
from transforms.jolpica.normalise import duration_ms

Row = dict[str, Any]
UNCLASSIFIED_STATUS = {"W": 30, "D": 20, "F": 40}  # Jolpica's SessionStatus for Ergast's position texts; else 11


def interval(ms: int | None) -> str | None:
    """PostgreSQL's text for an interval: 00:01:32.608 (trailing zeros of the fraction dropped)."""
    if ms is None:
        return None
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    fraction = f".{millis:03}".rstrip("0").rstrip(".")
    return f"{hours:02}:{minutes:02}:{seconds:02}{fraction}"


class DumpBuilder:
    def __init__(self, archive: ArchiveSource) -> None:
        self.archive = archive
        self.drivers = {d["driverId"]: d for d in archive.historical_table("drivers").to_pylist()}
        self.teams = {c["constructorId"]: c for c in archive.historical_table("constructors").to_pylist()}
        self.rows: dict[str, list[Row]] = defaultdict(list)
        self.pk: dict[tuple[Any, ...], int] = {}  # (table, natural key) -> primary key
        self.race_years: dict[int, int] = {}

    def build(self, seasons: dict[int, int | None]) -> bytes:
        """A zipped dump of ``{season: last round with results (None: all)}``."""
        for season, last_round in seasons.items():
            self._season(season, last_round)
        return self._zip()

    def _add(self, table: str, key: Any, **row: Any) -> int:
        if (table, key) not in self.pk:
            pk = len(self.rows[table]) + 1
            self.pk[table, key] = pk
            self.rows[table].append({"id": pk, "api_id": f"{table}_{pk}", **row})
        return self.pk[table, key]

    def _season(self, year: int, last_round: int | None) -> None:
        url = next(s["url"] for s in self.archive.historical_table("seasons").to_pylist() if s["year"] == year)
        season = self._add("season", year, year=year, wikipedia=url)
        circuits = {c["circuitId"]: c for c in self.archive.historical_table("circuits").to_pylist()}
        raced = []
        for race in self.archive.historical_table("races", year).to_pylist():
            c = circuits[race["circuitId"]]
            circuit = self._add("circuit", c["circuitId"], reference=c["circuitRef"], name=c["name"],
                                locality=c["location"], country=c["country"], latitude=c["lat"], longitude=c["lng"],
                                altitude=c["alt"], wikipedia=c["url"])
            self._add("round", race["raceId"], season_id=season, circuit_id=circuit, number=race["round"],
                      name=race["name"], date=race["date"], wikipedia=race["url"], is_cancelled=False)
            self._sessions(race)
            self.race_years[race["raceId"]] = year
            if last_round is None or race["round"] <= last_round:
                raced.append(race["raceId"])
        for name, session_type in (("results", "R"), ("sprint_results", "SR")):
            self._results(name, session_type, year, raced)
        self._qualifying(year, raced)
        self._laps(year, raced)
        self._pit_stops(year, raced)
        for name, kind in (("driver_standings", "driver"), ("constructor_standings", "team")):
            self._standings(name, kind, year, raced)

    def _sessions(self, race: Row) -> None:
        """Ergast's session slots as Jolpica's sessions: fp2 is the sprint shootout/qualifying on a sprint weekend;
        qualifying is three sessions."""
        slots = [("FP1", "fp1"), ("SQ1" if race["sprint_date"] else "FP2", "fp2"), ("FP3", "fp3"), ("Q1", "quali"),
                 ("Q2", "quali"), ("Q3", "quali"), ("SR", "sprint"), ("R", "")]
        for number, (kind, slot) in enumerate(slots, start=1):
            date, time = (race["date"], race["time"]) if kind == "R" else (race[f"{slot}_date"], race[f"{slot}_time"])
            if date is None and not kind.startswith("Q"):
                continue  # qualifying sessions stay (undated) for older races' qualifying results
            stamp = None
            if date is not None:
                stamp = dt.datetime.combine(date, dt.time.fromisoformat(time or "00:00:00"))
                stamp += dt.timedelta(minutes={"Q2": 25, "Q3": 45}.get(kind, 0))
            self._add("session", (race["raceId"], kind), round_id=self.pk["round", race["raceId"]], type=kind,
                      number=number, timestamp=stamp and f"{stamp:%Y-%m-%d %H:%M:%S}+00",
                      has_time_data=time is not None,
                      point_system_id=1, is_cancelled=False)

    def _entry(self, race_id: int, session_type: str, driver_id: int, constructor_id: int, car_number: int | None,
               **entry: Any) -> int:
        """The driver's session entry, with the people, team and round entry behind it."""
        year = self.race_years[race_id]
        driver = self._driver(driver_id)
        team = self._team(constructor_id)
        team_driver = self._add("teamdriver", (driver_id, constructor_id, year), team_id=team, driver_id=driver,
                                season_id=self.pk["season", year], role=0)
        round_entry = self._add("roundentry", (race_id, driver_id, constructor_id), car_number=car_number,
                                round_id=self.pk["round", race_id], team_driver_id=team_driver)
        return self._add("sessionentry", (race_id, session_type, driver_id),
                         session_id=self.pk["session", (race_id, session_type)], round_entry_id=round_entry,
                         is_eligible_for_points=True, **entry)

    def _driver(self, driver_id: int) -> int:
        d = self.drivers[driver_id]
        return self._add("driver", driver_id, reference=d["driverRef"], forename=d["forename"], surname=d["surname"],
                         abbreviation=d["code"], nationality=d["nationality"], permanent_car_number=d["number"],
                         date_of_birth=d["dob"], wikipedia=d["url"], country_code=None)

    def _team(self, constructor_id: int) -> int:
        c = self.teams[constructor_id]
        return self._add("team", constructor_id, reference=c["constructorRef"], name=c["name"],
                         nationality=c["nationality"], wikipedia=c["url"], base_team_id=None)

    def _results(self, name: str, session_type: str, year: int, raced: list[int]) -> None:
        statuses = {s["statusId"]: s["status"] for s in self.archive.historical_table("status").to_pylist()}
        for r in _of(self.archive.historical_table(name, year).to_pylist(), raced):
            text, detail = r["positionText"], statuses[r["statusId"]]
            if text.isdigit():
                status = 0 if detail == "Finished" else 1 if "Lap" in detail else 11
            else:
                status = UNCLASSIFIED_STATUS.get(text, 11)
            entry = self._entry(r["raceId"], session_type, r["driverId"], r["constructorId"], r["number"],
                                position=r["positionOrder"], is_classified=text.isdigit(), status=status,
                                detail=detail, points=r["points"], grid=r["grid"], time=interval(r["milliseconds"]),
                                fastest_lap_rank=r["rank"], laps_completed=r["laps"])
            if r["fastestLap"] is not None:
                self._lap(entry, r["fastestLap"], average_speed=r.get("fastestLapSpeed"), is_entry_fastest_lap=True,
                          time=interval(duration_ms(r["fastestLapTime"])))

    def _qualifying(self, year: int, raced: list[int]) -> None:
        for q in _of(self.archive.historical_table("qualifying", year).to_pylist(), raced):
            for session_type in ("Q1", "Q2", "Q3"):
                best = q[session_type.lower()]
                if session_type != "Q1" and best is None:
                    continue  # knocked out before this session
                entry = self._entry(q["raceId"], session_type, q["driverId"], q["constructorId"], q["number"],
                                    position=q["position"], is_classified=True)
                if best:
                    self._lap(entry, None, is_entry_fastest_lap=True, time=interval(duration_ms(best)))

    def _laps(self, year: int, raced: list[int]) -> None:
        for lap in _of(self.archive.historical_table("lap_times", year).to_pylist(), raced):
            entry = self.pk["sessionentry", (lap["raceId"], "R", lap["driverId"])]
            self._lap(entry, lap["lap"], position=lap["position"], time=interval(lap["milliseconds"]))

    def _lap(self, entry: int, number: int | None, **lap: Any) -> int:
        """One lap row per entry and lap number, whichever table mentions it first (a fastest lap, a lap time)."""
        key = (entry, number if number is not None else "best")
        pk = self._add("lap", key, session_entry_id=entry, number=number, position=None, time=None,
                       average_speed=None, is_entry_fastest_lap=False, is_deleted=False)
        row = self.rows["lap"][pk - 1]
        row.update({k: v for k, v in lap.items() if v is not None})
        return pk

    def _pit_stops(self, year: int, raced: list[int]) -> None:
        for p in _of(self.archive.historical_table("pit_stops", year).to_pylist(), raced):
            entry = self.pk["sessionentry", (p["raceId"], "R", p["driverId"])]
            self._add("pitstop", (p["raceId"], p["driverId"], p["stop"]), session_entry_id=entry,
                      lap_id=self._lap(entry, p["lap"]), number=p["stop"], duration=interval(p["milliseconds"]),
                      local_timestamp=p["time"])

    def _standings(self, name: str, kind: str, year: int, raced: list[int]) -> None:
        column = "driverId" if kind == "driver" else "constructorId"
        rounds = {r["raceId"]: r["round"] for r in self.archive.historical_table("races", year).to_pylist()}
        for s in _of(self.archive.historical_table(name, year).to_pylist(), raced):
            entity = self._driver(s[column]) if kind == "driver" else self._team(s[column])
            self._add(f"{kind}championship", (s["raceId"], s[column]), **{f"{kind}_id": entity},
                      session_id=self.pk["session", (s["raceId"], "R")], round_id=self.pk["round", s["raceId"]],
                      season_id=None, year=year, round_number=rounds[s["raceId"]], session_number=8,
                      position=s["position"], points=s["points"], win_count=s["wins"], highest_finish=None,
                      is_eligible=s["positionText"].isdigit(), adjustment_type=0)

    def _zip(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
            for table, rows in sorted(self.rows.items()):
                info = zipfile.ZipInfo(f"formula_one_{table}.csv", date_time=(1999, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zipped.writestr(info, _csv(rows))
        return out.getvalue()


def _of(rows: Iterable[Row], raced: list[int]) -> list[Row]:
    races = set(raced)
    return [r for r in rows if r["raceId"] in races]


def _csv(rows: list[Row]) -> str:
    columns = ["id", *sorted({c for r in rows for c in r} - {"id"})]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_pg(row.get(c)) for c in columns])
    return text.getvalue()


def _pg(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
