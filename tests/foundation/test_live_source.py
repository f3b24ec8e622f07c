"""The live source returns the same tables as the archive: Jolpica replayed by a local server, FastF1 replayed from
its frozen HTTP cache."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from transforms.archive import ArchiveSource
from transforms.live import LiveSource
from transforms.schemas import TABLES, WEEKEND
from transforms.sessions import SessionRef
from transforms.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jolpica"))
from jolpica_fake import FakeJolpica  # noqa: E402


@pytest.fixture(scope="module")
def live(archive_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("live_home")
    with FakeJolpica() as api:
        settings = Settings(home=home, source="live", jolpica_url=api.base_url, jolpica_dump_url="",
                            fastf1_http_cache=archive_dir / "weekend" / "fastf1_http_cache")
        yield LiveSource(settings)


def test_historical_tables_follow_the_declared_schemas(live: LiveSource) -> None:
    assert live.seasons() == [2023, 2024]  # the fixture pages list two seasons
    results = live.historical_table("results", 2024)
    assert results.schema.equals(TABLES["results"].schema) and results.num_rows > 0
    assert live.historical_table("safety_cars", 2024).num_rows == 0  # archive-only history


def test_weekend_tables_equal_the_archive_shape(live: LiveSource, archive_dir: Path) -> None:
    baku = SessionRef(2018, 4, "R")
    archive = ArchiveSource(archive_dir)
    for spec in WEEKEND:
        if spec.name == "car_telemetry":
            continue
        table = live.weekend_table(spec.name, baku)
        assert table.schema.equals(archive.weekend_table(spec.name, baku).schema)
    laps = live.weekend_table("session_laps", baku)
    assert laps.num_rows == archive.weekend_table("session_laps", baku).num_rows == 848
    results = live.weekend_table("session_results", baku).to_pylist()
    assert next(r["Abbreviation"] for r in results if r["ClassifiedPosition"] == "1") == "HAM"


def test_now_decides_which_seasons_and_sessions_exist(archive_dir: Path, tmp_path: Path) -> None:
    """A replay of the platform on 2025-09-01 (the archive's "now"): FastF1 weekends of the last three seasons as of
    then, and only the sessions over by then (the Dutch GP race of 2025-08-31, not the Italian GP)."""
    settings = Settings(home=tmp_path, source="live", now="2025-09-01T00:00:00",
                        fastf1_http_cache=archive_dir / "weekend" / "fastf1_http_cache")
    assert settings.fastf1_first_season == 2023 and settings.clock().tzinfo is not None
    one_season = settings.model_copy(update={"fastf1_first_season": 2025})
    sessions = LiveSource(one_season).sessions()
    assert max(sessions) == SessionRef(2025, 15, "R") and {s.season for s in sessions} == {2025}
    assert SessionRef(2025, 6, "S") in sessions  # the Miami sprint of the frozen cache
