"""The FastF1 weekend loader against the real fastf1 API, offline, on frozen HTTP responses of the 2018 Azerbaijan GP.

The frozen responses and the archive are read in place from the shared archive (``archive_dir`` in tests/conftest.py:
``<repo>/../shared/data``); tests that need them skip when it is absent. The loader copies the HTTP folder into a
pytest temp dir, never into the repo.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms.exceptions import SessionNotFoundError, UnknownSessionError, WeekendSourceError
from transforms.fastf1_loader import list_sessions, load_session
from transforms.schemas import TABLES, WEEKEND, conform
from transforms.sessions import SessionRef

BAKU_2018 = SessionRef(2018, 4, "R")
BAKU_2018_RACE_ID = 992  # Ergast raceId of the 2018 Azerbaijan Grand Prix


@pytest.fixture(scope="module")
def weekend_dir(archive_dir: Path) -> Path:
    return archive_dir / "weekend"


@pytest.fixture(scope="module")
def http_cache(weekend_dir: Path) -> Path:
    path = weekend_dir / "fastf1_http_cache"
    if not path.is_dir():
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fastf1_cache")


@pytest.fixture(scope="module")
def baku(cache_dir: Path, http_cache: Path) -> dict[str, pa.Table]:
    """The session loaded once for the module (about 2-3 s: FastF1 parses the full race timing feed)."""
    return load_session(BAKU_2018, cache_dir=cache_dir, ergast_race_id=BAKU_2018_RACE_ID,
                        http_cache_dir=http_cache, offline=True)


def _archive(weekend_dir: Path, file: str, table: str) -> pd.DataFrame:
    """The archive's rows of the same session, cast to the declared schema like every source."""
    raw = pq.read_table(weekend_dir / file, filters=[("ergast_raceId", "=", BAKU_2018_RACE_ID)])
    return conform(raw, TABLES[table], origin=file).to_pandas()


def test_laps_and_drivers(baku: dict[str, pa.Table]) -> None:
    laps = baku["session_laps"].to_pandas()
    assert len(laps) == 848
    assert laps["Driver"].nunique() == 20
    assert laps["LapNumber"].max() == 51
    assert not laps.duplicated(["DriverNumber", "LapNumber"]).any()  # the declared primary key


def test_hamilton_classified_first(baku: dict[str, pa.Table]) -> None:
    results = baku["session_results"].to_pandas().set_index("DriverNumber")
    assert len(results) == 20
    ham = results.loc["44"]
    assert (ham["Abbreviation"], ham["ClassifiedPosition"], ham["Position"]) == ("HAM", "1", 1.0)


def test_every_table_has_its_declared_schema(baku: dict[str, pa.Table]) -> None:
    assert set(baku) == {spec.name for spec in WEEKEND} - {"car_telemetry"}
    for name, table in baku.items():
        assert table.schema.equals(TABLES[name].schema), name


def test_session_keys_on_every_row(baku: dict[str, pa.Table]) -> None:
    expected = {"ergast_raceId": 992, "RoundNumber": 4, "EventDate": pd.Timestamp("2018-04-29"),
                "SessionDate": pd.Timestamp("2018-04-29"), "SessionName": "Race",
                "EventName": "Azerbaijan Grand Prix", "Year": 2018}
    for name, table in baku.items():
        for key, value in expected.items():
            assert set(table.column(key).to_pylist()) <= {value}, (name, key)


def test_missing_feeds_give_empty_tables(baku: dict[str, pa.Table]) -> None:
    # The frozen responses hold no weather feed and MultiViewer circuit info is never available offline.
    assert baku["session_weather"].num_rows == 0
    assert baku["circuit_corners"].num_rows == 0


def test_laps_agree_with_archive(baku: dict[str, pa.Table], weekend_dir: Path) -> None:
    ours = baku["session_laps"].to_pandas().set_index(["DriverNumber", "LapNumber"]).sort_index()
    archive = _archive(weekend_dir, "fastf1_laps.parquet", "session_laps").set_index(["DriverNumber", "LapNumber"]).sort_index()
    assert ours.index.equals(archive.index)
    for column in ("Stint", "Compound", "TyreLife", "Sector1Time", "Sector2Time", "Sector3Time", "PitInTime",
                   "PitOutTime", "SpeedST", "TrackStatus", "Team"):
        pd.testing.assert_series_equal(ours[column], archive[column], check_dtype=False, obj=column)
    # The archive's source lacks 174 lap times (ours: 12); where both have one, they are identical.
    timed = archive["LapTime"].notna() & ours["LapTime"].notna()
    assert (archive["LapTime"].isna().sum(), ours["LapTime"].isna().sum(), timed.sum()) == (174, 12, 674)
    assert (ours.loc[timed, "LapTime"] == archive.loc[timed, "LapTime"]).all()


def test_hamilton_pit_stop_lap_matches_archive(baku: dict[str, pa.Table]) -> None:
    laps = baku["session_laps"].to_pandas().set_index(["Driver", "LapNumber"])
    assert (laps.loc[("HAM", 22), ["Stint", "Compound", "PitInTime"]].tolist()
            == [1, "SUPERSOFT", 3128.205])
    assert (laps.loc[("HAM", 23), ["LapTime", "Stint", "Compound", "TyreLife", "PitOutTime"]].tolist()
            == [124.215, 2, "SOFT", 1.0, 3148.551])


@pytest.mark.parametrize(("table", "file"), [("race_control_messages", "fastf1_race_control.parquet"),
                                             ("track_status", "fastf1_track_status.parquet"),
                                             ("session_status", "fastf1_session_status.parquet")])
def test_status_tables_equal_archive(baku: dict[str, pa.Table], weekend_dir: Path, table: str, file: str) -> None:
    pd.testing.assert_frame_equal(baku[table].to_pandas(), _archive(weekend_dir, file, table))


def test_race_control_time_is_a_timestamp(baku: dict[str, pa.Table]) -> None:
    first = baku["race_control_messages"].column("Time")[0].as_py()
    assert first == datetime(2018, 4, 29, 12, 7, 10)


def test_frozen_http_folder_stays_pristine(baku: dict[str, pa.Table], cache_dir: Path, http_cache: Path) -> None:
    assert not (http_cache / "redirects.sqlite").exists()
    assert (cache_dir / "frozen_http_cache" / "redirects.sqlite").exists()  # FileCache wrote into the copy


def test_list_sessions_from_schedule(cache_dir: Path, http_cache: Path) -> None:
    sessions = dict(list_sessions(2018, cache_dir=cache_dir, http_cache_dir=http_cache, offline=True))
    assert len(sessions) == 21 * 5  # 21 conventional weekends: FP1-3, Q, R
    assert sessions[BAKU_2018] == datetime(2018, 4, 29, 12, 10, tzinfo=UTC)
    assert min(sessions.items(), key=lambda item: item[1])[0] == SessionRef(2018, 1, "FP1")


@pytest.mark.parametrize(("ref", "message"), [(SessionRef(2018, 40, "R"), "season 2018 has no round 40"),
                                              (SessionRef(2018, 4, "S"), "has no Sprint session")])
def test_unknown_session_fails_fast(cache_dir: Path, http_cache: Path, ref: SessionRef, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(SessionNotFoundError, match=message) as error:
        load_session(ref, cache_dir=cache_dir, http_cache_dir=http_cache, offline=True)
    assert time.perf_counter() - started < 2
    assert isinstance(error.value, UnknownSessionError) and isinstance(error.value, WeekendSourceError)
    assert ref.key in str(error.value)


def test_session_missing_from_offline_cache(cache_dir: Path, http_cache: Path) -> None:
    with pytest.raises(WeekendSourceError, match=r"2018-04-FP1: FastF1 loaded no laps .*offline"):
        load_session(SessionRef(2018, 4, "FP1"), cache_dir=cache_dir, http_cache_dir=http_cache, offline=True)


@pytest.mark.filterwarnings("ignore:Request returned:UserWarning")  # FastF1's Ergast client on the 504 it fakes offline
def test_offline_without_any_cache_fails_fast(tmp_path: Path) -> None:
    started = time.perf_counter()
    with pytest.raises(WeekendSourceError, match="no FastF1 event schedule for season 2019"):
        list_sessions(2019, cache_dir=tmp_path, offline=True)
    with pytest.raises(WeekendSourceError, match="no FastF1 event schedule for season 2019"):
        load_session(SessionRef(2019, 4, "R"), cache_dir=tmp_path, offline=True)
    assert time.perf_counter() - started < 2
