from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from transforms.archive import ArchiveSource, read_ergast_csv
from transforms.exceptions import ArchiveError, UnknownSessionError
from transforms.schemas import TABLES
from transforms.sessions import SessionRef


@pytest.fixture(scope="module")
def archive(archive_dir: Path) -> ArchiveSource:
    return ArchiveSource(archive_dir)


def test_row_counts_equal_the_archive(archive: ArchiveSource) -> None:
    seasons = archive.seasons()
    assert seasons[0] == 1950 and seasons[-1] == 2025
    results = sum(archive.historical_table("results", s).num_rows for s in seasons)
    assert results == 27058
    laps = sum(archive.weekend_table("session_laps", ref).num_rows for ref in archive.sessions())
    assert laps == 173956
    assert len(archive.sessions()) == 197


def test_known_facts(archive: ArchiveSource) -> None:
    races = archive.historical_table("races", 2025).to_pylist()
    italy = next(r for r in races if r["raceId"] == 1160)
    assert italy["name"] == "Italian Grand Prix" and italy["round"] == 16 and italy["fp1_date"] is None
    baku = archive.weekend_table("session_laps", SessionRef(2018, 4, "R"))
    assert baku.num_rows == 848 and len(set(baku["Driver"].to_pylist())) == 20
    scs = archive.historical_table("safety_cars", 1973).to_pylist()
    assert {"Race": "1973 Canadian Grand Prix", "Cause": "Accident", "Deployed": 33, "Retreated": 39,
            "FullLaps": 5} in scs  # "39.0" in the file is read as lap 39


def test_telemetry_is_matched_to_its_session(archive: ArchiveSource) -> None:
    zandvoort = SessionRef(2025, 15, "R")
    tel = archive.weekend_table("car_telemetry", zandvoort)
    assert tel.num_rows == 837025
    assert set(tel["ergast_raceId"].to_pylist()) == {1159}
    assert archive.weekend_table("circuit_corners", zandvoort).num_rows > 10
    assert archive.weekend_table("car_telemetry", SessionRef(2024, 8, "R")).num_rows == 0


def test_unknown_season_and_session(archive: ArchiveSource) -> None:
    with pytest.raises(ArchiveError, match="season 1949 is not in the archive"):
        archive.historical_table("results", 1949)
    with pytest.raises(UnknownSessionError, match="2018-40-R"):
        archive.weekend_table("session_laps", SessionRef(2018, 40, "R"))
    with pytest.raises(UnknownSessionError, match="YYYY-RR-CODE"):
        SessionRef.parse("2018-Baku")


def test_malformed_csv_row_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "pit_stops.csv"
    path.write_text("raceId,driverId,stop,lap,time,duration,milliseconds\n"
                    "841,153,1,1,17:05:23,26.898,26898\n"
                    "841,30,1,lap-one,17:05:52,25.021,25021\n")
    with pytest.raises(ArchiveError, match=r"pit_stops.csv:3: column 'lap'"):
        read_ergast_csv(path, TABLES["pit_stops"])
    path.write_text("raceId,driverId,stop,lap,time,duration,milliseconds\n841,153,1\n")
    with pytest.raises(ArchiveError, match=r"pit_stops.csv:2: expected 7 fields, found 3"):
        read_ergast_csv(path, TABLES["pit_stops"])


def test_ergast_nulls_and_types(tmp_path: Path) -> None:
    path = tmp_path / "drivers.csv"
    path.write_text('driverId,driverRef,number,code,forename,surname,dob,nationality,url\n'
                    '1,"hamilton",44,"HAM","Lewis","Hamilton","1985-01-07","British","http://x"\n'
                    '2,"heidfeld",\\N,"HEI","Nick","Heidfeld","1977-05-10","German","http://y"\n')
    table = read_ergast_csv(path, TABLES["drivers"])
    assert table.schema.equals(TABLES["drivers"].schema)
    assert table["number"].to_pylist() == [44, None]
    assert table["dob"][0].as_py().isoformat() == "1985-01-07"


def test_missing_table_is_named(tmp_path: Path, archive_dir: Path) -> None:
    shutil.copytree(archive_dir / "historical", tmp_path / "historical")
    (tmp_path / "historical" / "qualifying.csv").unlink()
    with pytest.raises(ArchiveError, match=r"missing table 'qualifying'.*qualifying.csv"):
        ArchiveSource(tmp_path).check_layout()
    with pytest.raises(ArchiveError, match="does not exist"):
        ArchiveSource(tmp_path / "nowhere")


def test_conform_refuses_fractional_ints() -> None:
    from transforms.exceptions import SchemaError
    from transforms.schemas import conform

    bad = pa.table({"raceId": [1.5], "driverId": [1], "lap": [2]})
    with pytest.raises(SchemaError, match="raceId"):
        conform(bad, TABLES["lap_times"], origin="unit-test")
