"""Jolpica's database dump: the checked, resumable download (against the fake server), its tables read back as the
API's (a dump built from the archive's 2023 season returns the archive's tables), and a live cold start that takes
the history from the dump and only what is newer from the API."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from dump_builder import DumpBuilder
from jolpica_fake import FakeJolpica

from transforms.archive import ArchiveSource
from transforms.exceptions import DumpError
from transforms.jolpica import IdMap, JolpicaSource
from transforms.jolpica.dump import CHUNK_BYTES, fetch_dump
from transforms.jolpica.dump_tables import DumpClient
from transforms.jolpica.normalise import duration_ms, duration_text
from transforms.live import LiveSource
from transforms.schemas import TABLES
from transforms.settings import Settings
from transforms.sources import SourceUnavailableError

SEASON_TABLES = ("races", "results", "sprint_results", "qualifying", "pit_stops", "lap_times", "driver_standings",
                 "constructor_standings", "constructor_results")
ROW_IDS = {"resultId", "qualifyId", "driverStandingsId", "constructorStandingsId", "constructorResultsId"}


@pytest.fixture(scope="module")
def archive(archive_dir: Path) -> ArchiveSource:
    return ArchiveSource(archive_dir)


@pytest.fixture(scope="module")
def dump_2023(archive: ArchiveSource) -> bytes:
    """2023 complete, and 2024's calendar with results up to round 1 (the season under way at the dump)."""
    return DumpBuilder(archive).build({2023: None, 2024: 1})


def fetch(api: FakeJolpica, home: Path, **options: Any) -> Path:
    return fetch_dump(api.dump_url, home / "dump", **options)


# ---- download ----------------------------------------------------------------------------------------------------
def test_the_dump_is_downloaded_checked_and_extracted(api: FakeJolpica, tmp_path: Path, dump_2023: bytes,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    api.publish_dump(dump_2023)
    with caplog.at_level(logging.INFO, logger="undercut.jolpica"):
        folder = fetch(api, tmp_path, progress_every_s=0)

    assert (folder / "formula_one_sessionentry.csv").is_file()
    assert sorted(p.name for p in (tmp_path / "dump").iterdir()) == [".lock", "current.json", folder.name]
    assert any("ETA" in r.getMessage() for r in caplog.records)  # progress lines while it downloads
    assert fetch(api, tmp_path) == folder and len(api.dump_requests()) == 1  # within max_age: no request at all
    before = len(api.requests)
    assert fetch(api, tmp_path, max_age_s=0) == folder  # the index is asked again; same file: nothing downloaded
    assert len(api.requests) == before + 1 and len(api.dump_requests()) == 1
    api.dump = None  # the index is gone for a while: the dump we have still serves
    with caplog.at_level(logging.WARNING, logger="undercut.jolpica"):
        assert fetch(api, tmp_path, max_age_s=0) == folder
    assert "using the dump of 2025-09-07" in caplog.text


def test_a_broken_connection_resumes_where_it_stopped(api: FakeJolpica, tmp_path: Path, dump_2023: bytes) -> None:
    api.publish_dump(dump_2023, drop_after=2 * CHUNK_BYTES)  # whole chunks: what arrived is what was written

    fetch(api, tmp_path)

    assert [r.range for r in api.dump_requests()] == [None, f"bytes={2 * CHUNK_BYTES}-"]
    assert api.dump.served_bytes == len(dump_2023)  # type: ignore[union-attr]  # nothing downloaded twice


def test_an_interrupted_run_leaves_a_part_the_next_run_resumes(api: FakeJolpica, tmp_path: Path,
                                                               dump_2023: bytes) -> None:
    url = api.publish_dump(dump_2023, drop_after=3 * CHUNK_BYTES)
    with pytest.raises(DumpError, match=f"{3 * CHUNK_BYTES} of .* bytes after 1 attempts") as failed:
        fetch(api, tmp_path, attempts=1)
    assert failed.value.url == url and url in str(failed.value)

    folder = fetch(api, tmp_path)

    assert api.dump_requests()[-1].range == f"bytes={3 * CHUNK_BYTES}-"
    assert (folder / "formula_one_lap.csv").is_file()


def test_a_checksum_that_differs_from_the_index_is_a_clear_error(api: FakeJolpica, tmp_path: Path,
                                                                 dump_2023: bytes) -> None:
    url = api.publish_dump(dump_2023, sha256="0" * 64)

    with pytest.raises(DumpError, match="SHA-256") as failed:
        fetch(api, tmp_path)

    assert url in str(failed.value) and "dumps/download/" in str(failed.value)  # the dump and the index
    assert not list((tmp_path / "dump").glob("*.part"))  # a wrong file is not resumed


def test_a_cold_start_without_the_dump_says_how_to_go_without_it(api: FakeJolpica, tmp_path: Path) -> None:
    live = LiveSource(Settings(home=tmp_path, source="live", jolpica_url=api.base_url, jolpica_dump_url=api.dump_url))

    with pytest.raises(SourceUnavailableError, match="dumps index .*404.* set UNDERCUT_JOLPICA_DUMP_URL to nothing"):
        live.seasons()  # nothing published: the index answers 404


def test_a_member_that_fails_its_crc_check_is_a_clear_error(api: FakeJolpica, tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zipped:
        zipped.writestr("formula_one_season.csv", "id,year\n1,2023\n")
    corrupt = out.getvalue().replace(b"1,2023", b"1,2024")  # the data changed, its CRC-32 did not
    api.publish_dump(corrupt, sha256=hashlib.sha256(corrupt).hexdigest())

    with pytest.raises(DumpError, match="formula_one_season.csv .*CRC"):
        fetch(api, tmp_path)


# ---- the dump's tables are the API's ------------------------------------------------------------------------------
def rows_by_key(table: pa.Table, name: str) -> dict[tuple[object, ...], dict[str, object]]:
    key = TABLES[name].primary_key
    if key[0] in ROW_IDS:  # our row ids are not Ergast's sequence: match on the race and the driver or team
        key = ("raceId", "driverId" if "driverId" in table.column_names else "constructorId")
    return {tuple(r[k] for k in key): {c: v for c, v in r.items() if c not in ROW_IDS} for r in table.to_pylist()}


def test_a_dump_of_the_archive_reads_back_as_the_archive(archive: ArchiveSource, dump_2023: bytes,
                                                         tmp_path: Path) -> None:
    zipfile.ZipFile(io.BytesIO(dump_2023)).extractall(tmp_path)
    # Ids seeded as a home built from the archive would be: the tables must then carry the archive's ids.
    ids = IdMap.from_tables(drivers=archive.historical_table("drivers"),
                            constructors=archive.historical_table("constructors"),
                            circuits=archive.historical_table("circuits"),
                            races=archive.historical_table("races", 2023),
                            status=archive.historical_table("status"))
    source = JolpicaSource(DumpClient(tmp_path), ids)

    for name in SEASON_TABLES:
        ours = rows_by_key(source.table(name, 2023), name)
        if name == "lap_times":  # the builder's laps for pit stops the archive's derived lap times lack: no time
            ours = {k: r for k, r in ours.items() if r["time"] is not None}
        expected = {k: as_the_api_prints(name, r) for k, r in rows_by_key(archive.historical_table(name, 2023),
                                                                           name).items()}
        assert ours == expected, name
    for name in ("drivers", "constructors", "circuits"):
        key = TABLES[name].primary_key[0]
        expected = {r[key]: r for r in archive.historical_table(name).to_pylist()}
        ours = source.table(name).to_pylist()
        assert len(ours) > 10
        assert ours == [{**expected[r[key]], **({"alt": None} if name == "circuits" else {})} for r in ours], name


def as_the_api_prints(name: str, row: dict[str, object]) -> dict[str, object]:
    """An Ergast row as Jolpica's API gives it (what the API source makes of it too): a gap over a minute as
    "+1:12.647" (Ergast: "+72.647"), no time for an unclassified car (Ergast keeps a disqualified car's), no fastest-lap
    rank without a fastest lap (Ergast: 0), "" for a qualifying session without a time (Ergast: null)."""
    if name in ("results", "sprint_results"):
        time, classified = row["time"], str(row["positionText"]).isdigit()
        if isinstance(time, str):
            time = f"{'+' if time.startswith('+') else ''}{duration_text(duration_ms(time.lstrip('+')) or 0)}"
        row = {**row, "time": time if classified else None, "milliseconds": row["milliseconds"] if classified else None}
        if row["fastestLap"] is None and row["rank"] == 0:
            row["rank"] = None
    if name == "qualifying" and row["q1"] is None:
        row = {**row, "q1": ""}
    return row


# ---- a live cold start ------------------------------------------------------------------------------------------
def api_paths(api: FakeJolpica) -> set[str]:
    return {r.path for r in api.requests if not r.path.startswith("/data/")}


def test_a_cold_start_takes_the_history_from_the_dump_and_only_newer_rounds_from_the_api(
        api: FakeJolpica, tmp_path: Path, dump_2023: bytes, archive: ArchiveSource) -> None:
    url = api.publish_dump(dump_2023)
    live = LiveSource(Settings(home=tmp_path, source="live", jolpica_url=api.base_url, jolpica_dump_url=url))

    assert live.seasons() == [2023, 2024]
    tables = {(name, season): live.historical_table(name, season) for name in SEASON_TABLES for season in (2023, 2024)}
    reference = {name: live.historical_table(name) for name in ("seasons", "circuits", "constructors", "drivers",
                                                                 "status")}

    paths = api_paths(api)
    assert not [p for p in paths if p.startswith("2023/")]  # the complete season: the dump alone
    assert not paths & {"drivers", "constructors", "circuits"}  # nor the history's reference lists
    assert "2024/1/laps" not in paths and "2024/1/pitstops" not in paths  # the dump has 2024's first round...
    assert {"2024/2/laps", "2024/2/pitstops", "2024/results"} <= paths  # ... the API what came after it
    assert tables["lap_times", 2023].num_rows == 23_553 + 126  # the archive's lap times (+ laps of pit stops)
    races = {r["round"]: r["raceId"] for r in tables["races", 2024].to_pylist()}
    laps = tables["lap_times", 2024].to_pylist()
    assert sum(r["raceId"] == races[1] for r in laps) == dump_laps(dump_2023, 2024, 1)
    assert sum(r["raceId"] == races[2] for r in laps) == 3  # the fake API's round 2 (tests/fixtures/jolpica)

    drivers = reference["drivers"].to_pylist()
    assert {"bearman", "sargeant", "max_verstappen"} <= {d["driverRef"] for d in drivers}  # API 2024 + dump
    assert len({d["driverId"] for d in drivers}) == len({d["driverRef"] for d in drivers}) == len(drivers)
    for (name, _), table in tables.items():
        if "driverId" in table.column_names:
            assert set(table.column("driverId").to_pylist()) <= {d["driverId"] for d in drivers}, name
    status = {s["status"]: s["statusId"] for s in reference["status"].to_pylist()}
    assert (status["Finished"], status["+1 Lap"], status["Retired"]) == (1, 11, 31)  # Ergast's, from the API
    assert status["Collision damage"] > 31  # a text only the dump has: numbered after them
    assert reference["seasons"].column("year").to_pylist() == [2023, 2024]


def dump_laps(dump: bytes, season: int, rnd: int) -> int:
    """Race laps of one round in the dump, counted from its own tables."""
    def table(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(zipfile.ZipFile(io.BytesIO(dump)).read(name).decode())))

    year = {s["id"] for s in table("formula_one_season.csv") if s["year"] == str(season)}
    round_ids = {r["id"] for r in table("formula_one_round.csv") if r["season_id"] in year and r["number"] == str(rnd)}
    races = {x["id"] for x in table("formula_one_session.csv") if x["round_id"] in round_ids and x["type"] == "R"}
    entries = {e["id"] for e in table("formula_one_sessionentry.csv") if e["session_id"] in races}
    return sum(lap["session_entry_id"] in entries and lap["number"] != "" for lap in table("formula_one_lap.csv"))


def test_no_dump_url_reads_everything_from_the_api(api: FakeJolpica, tmp_path: Path) -> None:
    live = LiveSource(Settings(home=tmp_path, source="live", jolpica_url=api.base_url, jolpica_dump_url=""))

    results = live.historical_table("results", 2024)

    assert results.num_rows == 6 and live.history.dump is None
    assert not [r for r in api.requests if r.path.startswith("/data/")]


def test_fastf1_starts_three_seasons_back_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().fastf1_first_season >= 2018
    monkeypatch.setenv("UNDERCUT_FASTF1_FIRST_SEASON", "2025")
    monkeypatch.setenv("UNDERCUT_JOLPICA_DUMP_URL", "")
    assert (Settings().fastf1_first_season, Settings().jolpica_dump_url) == (2025, "")
    monkeypatch.setenv("UNDERCUT_FASTF1_FIRST_SEASON", "2017")
    with pytest.raises(ValueError, match="2018"):
        Settings()
