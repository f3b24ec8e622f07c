"""The event log `undercut run` uses stores a batch of events exactly as Dagster stores them one at a time."""

from collections import Counter
from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    BackfillPolicy,
    DagsterInstance,
    Definitions,
    StaticPartitionsDefinition,
    asset,
    asset_check,
    define_asset_job,
)
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from orchestration.instance_storage import KeptIndexSqliteEventLogStorage, kept_index_overrides

ROUNDS = StaticPartitionsDefinition(["2025-13", "2025-14", "2025-15"])


@asset(partitions_def=ROUNDS, backfill_policy=BackfillPolicy.single_run())
def race_marts(context: AssetExecutionContext) -> None:
    context.log.info("races %s", context.partition_keys)


@asset(deps=[race_marts])
def season_summary() -> None:
    pass


@asset_check(asset=season_summary)
def summary_present() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


def _stored(home: Path) -> tuple[Counter[str], set[str], bool]:
    home.mkdir()
    instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides=kept_index_overrides(str(home))))
    defs = Definitions(assets=[race_marts, season_summary], asset_checks=[summary_present],
                       jobs=[define_asset_job("races", [race_marts])])
    tags = {ASSET_PARTITION_RANGE_START_TAG: "2025-13", ASSET_PARTITION_RANGE_END_TAG: "2025-15"}
    assert defs.resolve_job_def("races").execute_in_process(instance=instance, tags=tags).success
    assert defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection={season_summary.key}, asset_check_selection={summary_present.check_key},
    ).execute_in_process(instance=instance).success
    run_ids = [run.run_id for run in instance.get_runs()]
    events = Counter(str(entry.dagster_event_type) for run_id in run_ids for entry in instance.all_logs(run_id))
    partitions = instance.get_materialized_partitions(race_marts.key)
    check = instance.event_log_storage.get_latest_asset_check_execution_by_key([summary_present.check_key])
    instance.dispose()
    return events, partitions, check[summary_present.check_key].status.value == "SUCCEEDED"


def test_a_batch_is_stored_as_dagster_stores_its_events_one_by_one(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    batches: list[int] = []
    store_batch = KeptIndexSqliteEventLogStorage.store_event_batch
    monkeypatch.setattr(KeptIndexSqliteEventLogStorage, "store_event_batch",
                        lambda self, events: (batches.append(len(events)), store_batch(self, events)))
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "0")
    one_by_one = _stored(tmp_path / "one_by_one")
    assert batches == []
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "1000")
    batched = _stored(tmp_path / "batched")
    assert batches and max(batches) >= 3  # the range run's three materialisations (or its planned events) at once
    assert batched == one_by_one
    events, partitions, check_passed = batched
    assert partitions == set(ROUNDS.get_partition_keys()) and check_passed
    assert events["DagsterEventType.ASSET_MATERIALIZATION"] == 4
