"""`undercut refresh` plans only what a new race weekend touches (archive copy without the 2025 Dutch GP -> full)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import DagsterInstance

from orchestration.defs.partition_sync import register_partitions
from orchestration.main_run import contiguous_ranges, plan_refresh
from transforms.archive import ArchiveSource
from transforms.archive_tools import copy_without_race


@pytest.fixture(scope="module")
def archive_before_zandvoort(archive_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("archive_minus_2025_15")
    removed = copy_without_race(archive_dir, dest, 2025, 15)
    assert removed["historical/results.csv"] == 20 and removed["historical/safety_cars.csv"] == 3
    assert removed["telemetry/car_telemetry_2025_dutch_gp_race.parquet"] == 1
    return dest


def test_refresh_plans_only_the_new_race(archive_dir: Path, archive_before_zandvoort: Path) -> None:
    instance = DagsterInstance.ephemeral()
    before = register_partitions(instance, ArchiveSource(archive_before_zandvoort))
    assert before.new_races[-1] == "2025-15"  # the Dutch GP was the next race then

    plan = plan_refresh(instance, ArchiveSource(archive_dir))
    assert plan.keys["season"] == ["2025"]
    assert plan.keys["session"] == ["2025-15-R"]
    # the Dutch GP partition now has a race; the Italian GP becomes the next race
    assert plan.keys["race"] == ["2025-15", "2025-16"]

    register_partitions(instance, ArchiveSource(archive_dir))
    assert plan_refresh(instance, ArchiveSource(archive_dir)).is_empty


def test_contiguous_ranges() -> None:
    keys = ["a", "b", "c", "d", "e"]
    assert contiguous_ranges(keys, ["b", "c", "e"]) == [("b", "c"), ("e", "e")]
    assert contiguous_ranges(keys, keys) == [("a", "e")]
    assert contiguous_ranges(keys, []) == []
