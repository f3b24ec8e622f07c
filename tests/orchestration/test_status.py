"""`undercut status --json` on the built home, then after a new race partition (missing everywhere downstream) and a
failed check are recorded in its Dagster instance."""

from __future__ import annotations

import json
from pathlib import Path

from dagster import AssetCheckEvaluation, AssetCheckSeverity, DagsterInstance
from home_copies import copy_home
from undercut_cli import undercut

from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.sources.assets import FASTF1_SESSION, PLACED_CHECK


def _status(home: Path, archive: Path) -> dict:
    return json.loads(undercut("status", home, archive, "--json"))


def test_status_reports_missing_partitions_and_failed_checks(built_home: Path, archive_dir: Path,
                                                             tmp_path: Path) -> None:
    home = copy_home(built_home, tmp_path / "home")
    status = _status(home, archive_dir)
    groups = {g["group"]: g for g in status["groups"]}
    assert {"historical", "weekend", "dbt_marts", "ml", "strategy", "insights", "monitoring"} <= set(groups)
    assert groups["weekend"]["partitions"] > 1500 and groups["historical"]["materialised"] == groups["historical"][
        "partitions"]
    # built and refreshed: nothing missing (but the weekly warehouse upkeep and walk-forward evaluation), stale or failed
    assert {g: s["missing"] for g, s in groups.items() if s["missing"]} == {"warehouse": 1, "ml_evaluation": 1}
    assert not any(s["stale"] or s["failed"] for s in groups.values())
    assert status["next_race"]["race_key"] == "2025-16" and status["next_race"]["race_name"] == "Italian Grand Prix"
    assert status["next_race"]["precompute_fresh"] and status["provisional_races"] == []
    assert status["failing_checks"] == [] and status["last_run"]["status"] == "SUCCESS"

    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        instance.add_dynamic_partitions(race_partitions.name, ["2025-17"])
        instance.report_runless_asset_event(AssetCheckEvaluation(
            asset_key=FASTF1_SESSION, check_name=PLACED_CHECK, passed=False, severity=AssetCheckSeverity.WARN,
            description="sessions without a calendar entry: 2026-01-R"))
    after = _status(home, archive_dir)
    missing = {g["group"]: g["missing"] - groups[g["group"]]["missing"] for g in after["groups"]}
    # one race more for each race-partitioned asset (the safety-car probability is per circuit, unpartitioned)
    assert missing["insights"] == groups["insights"]["assets"] == 4 and missing["historical"] == 0
    assert missing["strategy"] == groups["strategy"]["assets"] - 1
    assert after["failing_checks"] == [{"check": f"{FASTF1_SESSION.to_user_string()}:{PLACED_CHECK}",
                                        "severity": "WARN",
                                        "description": "sessions without a calendar entry: 2026-01-R"}]
