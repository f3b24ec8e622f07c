"""The refresh planner on the real archive and a real (ephemeral) Dagster instance: what is due after a new race, a
stewards' revision and a failed run, read from observations and materialisations only."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey, AssetMaterialization, DagsterInstance
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._core.definitions.data_version import CODE_VERSION_TAG

from orchestration.defs.jobs import dbt_job, historical_job, race_job, warehouse_job, weekend_job
from orchestration.defs.planner import Planner
from orchestration.defs.sources.observe import observe_source
from orchestration.defs.warehouse.assets import WAREHOUSE_RAW_SCHEMA
from orchestration.main_run import contiguous_ranges
from transforms.archive import ArchiveSource
from transforms.archive_tools import copy_without_race, revise_result

JOBS = {"season": historical_job, "session": weekend_job, "race": race_job}


@pytest.fixture(scope="module")
def asset_graph() -> BaseAssetGraph:
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


@pytest.fixture
def archive_before_zandvoort(archive_dir: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "archive_minus_2025_15"
    removed = copy_without_race(archive_dir, dest, 2025, 15)
    assert removed["historical/results.csv"] == 20 and removed["historical/safety_cars.csv"] == 3
    assert removed["telemetry/car_telemetry_2025_dutch_gp_race.parquet"] == 1
    return dest


def _assets(graph: BaseAssetGraph, partitions: str) -> list[AssetKey]:
    return sorted(JOBS[partitions].selection.resolve(graph))


def _due(instance: DagsterInstance, graph: BaseAssetGraph) -> dict[str, list[str]]:
    planner = Planner(instance, graph)
    return {name: planner.due_partitions(_assets(graph, name), instance.get_dynamic_partitions(name))
            for name in JOBS}


def _materialise(instance: DagsterInstance, keys: list[AssetKey], partitions: list[str]) -> None:
    """What a successful run records: a materialisation of each asset for each partition."""
    for key in keys:
        for partition in partitions:
            instance.report_runless_asset_event(AssetMaterialization(asset_key=key, partition=partition))


def _materialise_due(instance: DagsterInstance, graph: BaseAssetGraph) -> None:
    for name, keys in _due(instance, graph).items():
        _materialise(instance, _assets(graph, name), keys)


def _observe(instance: DagsterInstance, archive: Path) -> None:
    observe_source(instance, ArchiveSource(archive)).record(instance)


def test_due_after_a_revision_a_failed_run_and_a_new_race(archive_dir: Path, archive_before_zandvoort: Path,
                                                          asset_graph: BaseAssetGraph) -> None:
    instance = DagsterInstance.ephemeral()
    _observe(instance, archive_before_zandvoort)
    first = _due(instance, asset_graph)
    assert len(first["season"]) == 76 and len(first["session"]) == 196 and len(first["race"]) == 144
    assert first["race"][-1] == "2025-15"  # the Dutch GP is the next race
    _materialise_due(instance, asset_graph)
    assert _due(instance, asset_graph) == {"season": [], "session": [], "race": []}
    _observe(instance, archive_before_zandvoort)  # the same source again: nothing changed, nothing due
    assert _due(instance, asset_graph) == {"season": [], "session": [], "race": []}

    # The stewards revise the British GP (2025 round 12): its season, and its race and every later race of 2025
    # (standings and odds carry it forward); no session, no other season.
    revise_result(archive_before_zandvoort, 2025, 12)
    _observe(instance, archive_before_zandvoort)
    assert _due(instance, asset_graph) == {"season": ["2025"], "session": [],
                                           "race": ["2025-12", "2025-13", "2025-14", "2025-15"]}

    # A run that failed half-way: one table of the season written, the rest not; the race job never ran.
    _materialise(instance, [AssetKey(["raw", "results"])], ["2025"])
    due = _due(instance, asset_graph)
    assert due["season"] == ["2025"] and due["race"] == ["2025-12", "2025-13", "2025-14", "2025-15"]
    _materialise_due(instance, asset_graph)

    # The Dutch GP lands (the full archive, unrevised: round 12 is due again, back to the published result).
    _observe(instance, archive_dir)
    assert _due(instance, asset_graph) == {"season": ["2025"], "session": ["2025-15-R"],
                                           "race": ["2025-12", "2025-13", "2025-14", "2025-15", "2025-16"]}
    assert instance.get_dynamic_partitions("race")[-1] == "2025-16"  # the Italian GP is the next race now


def test_unpartitioned_assets_follow_their_upstream(archive_before_zandvoort: Path,
                                                    asset_graph: BaseAssetGraph) -> None:
    instance = DagsterInstance.ephemeral()
    _observe(instance, archive_before_zandvoort)
    planner = Planner(instance, asset_graph)
    raw_views = sorted(warehouse_job.selection.resolve(asset_graph))
    assert planner.due_assets(raw_views) == set(raw_views)  # never materialised
    _materialise(instance, raw_views, [None])  # type: ignore[list-item]
    assert not planner.due_assets(raw_views)
    _materialise(instance, [AssetKey(["raw", "session_laps"])], ["2025-14-R"])  # a lake table changed
    assert planner.due_assets(raw_views) == set(raw_views)


def test_a_dbt_build_selects_what_is_downstream_of_the_change(archive_before_zandvoort: Path,
                                                               asset_graph: BaseAssetGraph) -> None:
    instance = DagsterInstance.ephemeral()
    planner = Planner(instance, asset_graph)
    models = dbt_job.selection.resolve(asset_graph)
    for key in [k for k in asset_graph.toposorted_asset_keys if k in models]:  # as a dbt build records them
        instance.report_runless_asset_event(AssetMaterialization(
            asset_key=key, tags={CODE_VERSION_TAG: asset_graph.get(key).code_version or ""}))
    _materialise(instance, [WAREHOUSE_RAW_SCHEMA], [None])  # the views are recreated: nothing to rebuild for it
    assert not planner.due_assets(models)
    # a model's SQL changed since it last ran (another checksum): it and what reads it
    entries = AssetKey(["intermediate", "int_race_entries"])
    instance.report_runless_asset_event(AssetMaterialization(asset_key=entries, tags={CODE_VERSION_TAG: "older"}))
    changed = planner.due_assets(models)
    assert entries in changed and AssetKey(["features", "race_entry_features"]) in changed
    assert AssetKey(["marts", "fct_laps"]) not in changed
    instance.report_runless_asset_event(AssetMaterialization(
        asset_key=entries, tags={CODE_VERSION_TAG: asset_graph.get(entries).code_version or ""}))
    _materialise(instance, [AssetKey(["raw", "results"])], ["2025"])  # a revised result
    due = planner.due_assets(models)
    names = {key.path[-1] for key in due}
    assert {"stg_ergast__results", "fct_results", "fct_standings", "race_entry_features"} <= names
    # timing-only models and the reference dimensions do not read the results
    assert not names & {"stg_fastf1__session_laps", "stg_ergast__circuits", "int_race_lap_clock", "fct_qualifying"}
    assert due == due | {c for k in due for c in asset_graph.get(k).child_keys if c in models}  # closed downstream


def test_contiguous_ranges() -> None:
    keys = ["a", "b", "c", "d", "e"]
    assert contiguous_ranges(keys, ["b", "c", "e"]) == [("b", "c"), ("e", "e")]
    assert contiguous_ranges(keys, keys) == [("a", "e")]
    assert contiguous_ranges(keys, []) == []


def test_a_session_without_a_calendar_entry_is_reported_then_picked_up(archive_dir: Path, tmp_path: Path) -> None:
    from dagster import AssetCheckKey

    # The Dutch GP's timing is out, but its race is not in the calendar yet (nor its results).
    early = tmp_path / "archive"
    copy_without_race(archive_dir, early, 2025, 15, keep_timing=True, keep_calendar=False)
    instance = DagsterInstance.ephemeral()
    observation = observe_source(instance, ArchiveSource(early))
    assert observation.unplaced == ["2025-15-R"]
    assert "2025-15-R" not in observation.new_partitions["session"]
    assert "2025-15-R" not in observation.changed(AssetKey(["source", "fastf1_session"]))
    observation.record(instance)
    check = AssetCheckKey(AssetKey(["source", "fastf1_session"]), "every_session_placed")
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([check])[check]
    evaluation = record.event.dagster_event.event_specific_data  # type: ignore[union-attr]
    assert not evaluation.passed and "2025-15-R" in evaluation.description

    # The calendar (and the classification) are published: the session is registered and observed.
    later = observe_source(instance, ArchiveSource(archive_dir))
    assert later.unplaced == [] and later.new_partitions["session"] == ["2025-15-R"]
    assert "2025-15-R" in later.changed(AssetKey(["source", "fastf1_session"]))
