"""race_refresh_sensor: which race partitions a marts rebuild makes stale (records in a real ephemeral instance)."""

from __future__ import annotations

import time

from dagster import AssetMaterialization, DagsterInstance

from orchestration.defs.jobs import RACE_MARKER
from orchestration.defs.races.sensors import RACE_SESSION_LAPS, stale_races


def _materialise(instance: DagsterInstance, key: object, partition: str) -> float:
    instance.report_runless_asset_event(AssetMaterialization(asset_key=key, partition=partition))  # type: ignore[arg-type]
    time.sleep(0.01)  # distinct event timestamps
    return time.time()


def test_stale_races_are_the_new_the_newly_raced_and_the_next() -> None:
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("race", ["2025-13", "2025-14", "2025-15"])
    for race in ("2025-13", "2025-14"):
        _materialise(instance, RACE_SESSION_LAPS, f"{race}-R")
        _materialise(instance, RACE_MARKER, race)
    # nothing changed since: only the never-computed next race is stale
    assert stale_races(instance, rebuilt_at=0.0) == ["2025-15"]

    # 2025-14's race data lands again (a re-run after a correction), and the Dutch GP gets computed as the next race
    _materialise(instance, RACE_MARKER, "2025-15")
    _materialise(instance, RACE_SESSION_LAPS, "2025-14-R")
    assert stale_races(instance, rebuilt_at=0.0) == ["2025-14"]

    # a marts rebuild after the next race was computed refreshes it (new predictions, SC table...)
    assert stale_races(instance, rebuilt_at=time.time() + 1) == ["2025-14", "2025-15"]
