"""Archive copies for rehearsing a race weekend offline: the archive as it stood before one race was run.

`copy_without_race` writes a copy of an archive folder with every row of one race removed (results, laps, pit stops,
standings, SC/VSC/red-flag history, weekend sessions, telemetry) while the calendar keeps the race, exactly as the
data looked the evening before. Unchanged files are symlinked, changed CSVs keep their original lines byte for byte.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# Historical files keyed by raceId, and those keyed by the race's full name ("2025 Dutch Grand Prix").
_BY_RACE_ID = ("results.csv", "qualifying.csv", "sprint_results.csv", "pit_stops.csv", "driver_standings.csv",
               "constructor_standings.csv", "constructor_results.csv", "lap_times_fastf1_derived_2018_2025.csv.gz")
_BY_RACE_NAME = ("safety_cars.csv", "virtual_safety_cars.csv", "red_flags.csv")
_VSC_ESTIMATES = "virtual_safety_car_estimates.json"


def _race(src: Path, season: int, round: int) -> tuple[int, str]:
    with open(src / "historical" / "races.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if int(row["year"]) == season and int(row["round"]) == round:
                return int(row["raceId"]), f"{season} {row['name']}"
    raise ValueError(f"no race {season} round {round} in {src / 'historical' / 'races.csv'}")


def _filter_lines(src: Path, dest: Path, drop: dict[str, str]) -> int:
    """Copy a CSV (optionally gzipped) without the rows whose columns all equal `drop`'s values; returns rows
    dropped."""
    opener = gzip.open if src.suffix == ".gz" else open
    with opener(src, "rt", newline="", encoding="utf-8") as fh:
        lines = fh.read().splitlines(keepends=True)
    header = next(csv.reader([lines[0].lstrip("\ufeff")]))
    wanted = [(header.index(column), value) for column, value in drop.items()]

    def dropped(line: str) -> bool:
        row = next(csv.reader([line]), [""] * len(header))
        return all(row[i] == value for i, value in wanted)

    kept = [lines[0]] + [line for line in lines[1:] if not dropped(line)]
    with opener(dest, "wt", newline="", encoding="utf-8") as out:
        out.writelines(kept)
    return len(lines) - len(kept)


def _filter_parquet(src: Path, dest: Path, race_id: int, session_name: str | None) -> int:
    """Copy a weekend file without the race's rows (of one session only when `session_name` is given)."""
    table = pq.read_table(src)
    if "ergast_raceId" not in table.column_names:
        shutil.copyfile(src, dest)
        return 0
    drop = pc.fill_null(pc.equal(table["ergast_raceId"], pa.scalar(race_id, table["ergast_raceId"].type)), False)
    if session_name is not None:
        drop = pc.and_(drop, pc.equal(table["SessionName"], session_name))
    keep = pc.invert(drop)
    kept = table.filter(keep)
    pq.write_table(kept, dest, compression="zstd")
    return table.num_rows - kept.num_rows


def copy_without_race(src: Path, dest: Path, season: int, round: int, *, keep_timing: bool = False,
                      keep_calendar: bool = True, keep_qualifying: bool = False) -> dict[str, int]:
    """Write `dest` = `src` minus one race's data; returns the rows (or files) removed per file.

    `keep_timing`: the race's FastF1 sessions and telemetry stay (timing lands before the classification);
    `keep_calendar=False`: its calendar row goes too (a session the source lists but cannot place yet);
    `keep_qualifying`: the weekend as it stands after qualifying: its qualifying results and every FastF1 session
    but the race stay."""
    race_id, race_name = _race(src, season, round)
    by_race_id = tuple(name for name in _BY_RACE_ID if not (keep_qualifying and name == "qualifying.csv"))
    race_session = {"SessionName": "Race"} if keep_qualifying else {}
    removed: dict[str, int] = {}
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = path.relative_to(src)
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        if keep_timing and rel.parts[0] in ("weekend", "telemetry"):
            out.symlink_to(path.resolve())
        elif rel.parts[0] == "historical" and (path.name == "races.csv" and not keep_calendar or path.name in by_race_id):
            removed[str(rel)] = _filter_lines(path, out, {"raceId": str(race_id)})
        elif rel.parts[0] == "historical" and path.name in _BY_RACE_NAME:
            removed[str(rel)] = _filter_lines(path, out, {"Race": race_name})
        elif path.name == _VSC_ESTIMATES:
            estimates = json.loads(path.read_text())
            removed[str(rel)] = len(estimates.pop(race_name, []))
            out.write_text(json.dumps(estimates))
        elif rel.parts[0] == "weekend" and path.suffix == ".parquet":
            removed[str(rel)] = _filter_parquet(path, out, race_id, race_session.get("SessionName"))
        elif rel.parts[0] == "weekend" and path.name == "sessions_index.csv":
            removed[str(rel)] = _filter_lines(path, out, {"ergast_raceId": str(race_id), **race_session})
        elif rel.parts[0] == "telemetry" and path.suffix == ".parquet" and _is_race_telemetry(path, season, race_name):
            removed[str(rel)] = 1  # the whole file is that race
        else:
            out.symlink_to(path.resolve())
    return removed


def _is_race_telemetry(path: Path, season: int, race_name: str) -> bool:
    first = pq.read_table(path, columns=["Year", "EventName"]).slice(0, 1).to_pylist()[0]
    return bool(first["Year"] == season and f"{season} {first['EventName']}" == race_name)


def link_copy(src: Path, dest: Path) -> None:
    """A copy of an archive folder made of symlinks: edit one file by replacing it (as `revise_result` does)."""
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        out = dest / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.symlink_to(path.resolve())


def _rewrite_csv(path: Path, change: Callable[[list[dict[str, str]]], None]) -> None:
    """Rewrite a CSV in place (a real file: a symlinked one is copied first) after `change` edits its rows."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    change(rows)
    path.unlink()
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        writer.writerows(rows)


def revise_result(archive: Path, season: int, round: int) -> tuple[str, str]:
    """A stewards' revision, as the source would republish it: in an archive copy made by `copy_without_race` (or
    any copy whose files may be symlinks), P2 gets a 5 s time penalty that drops him behind P3. Positions, points and
    time swap in results.csv; both drivers' championship points move by the difference from that race to the end
    of the season, and the standings' order follows. Returns the driverIds (demoted, promoted)."""
    folder = archive / "historical"
    race_id, _ = _race(folder.parent, season, round)
    calendar = csv.DictReader((folder / "races.csv").read_text(encoding="utf-8").splitlines())
    season_races = [int(r["raceId"]) for r in calendar if int(r["year"]) == season and int(r["round"]) >= round]
    swapped: dict[str, str] = {}

    def swap_p2_p3(rows: list[dict[str, str]]) -> None:
        second, third = (next(r for r in rows if r["raceId"] == str(race_id) and r["positionOrder"] == p)
                         for p in ("2", "3"))
        for column in ("position", "positionText", "positionOrder", "points"):
            second[column], third[column] = third[column], second[column]
        second["milliseconds"] = str(int(third["milliseconds"]) + 5_000)  # behind the driver he now trails
        second["time"] = "+penalty"
        swapped.update(demoted=second["driverId"], promoted=third["driverId"],
                       delta=str(float(third["points"]) - float(second["points"])))

    def move_points(rows: list[dict[str, str]]) -> None:
        delta = float(swapped["delta"])  # what the promoted driver gained, the demoted one lost
        for race in season_races:
            entries = [r for r in rows if int(r["raceId"]) == race]
            for r in entries:
                if r["driverId"] in (swapped["demoted"], swapped["promoted"]):
                    sign = 1 if r["driverId"] == swapped["promoted"] else -1
                    r["points"] = f"{float(r['points']) + sign * delta:g}"
            # ties keep their published order
            ranked = sorted(entries, key=lambda r: (-float(r["points"]), int(r["position"])))
            for position, r in enumerate(ranked, start=1):
                r["position"] = r["positionText"] = str(position)

    _rewrite_csv(folder / "results.csv", swap_p2_p3)
    _rewrite_csv(folder / "driver_standings.csv", move_points)
    return swapped["demoted"], swapped["promoted"]
