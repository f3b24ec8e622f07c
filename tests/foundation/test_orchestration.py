from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, AssetObservation, DagsterInstance, materialize
from dagster._core.definitions.data_version import DATA_VERSION_TAG

from orchestration.definitions import defs
from orchestration.defs.jobs import MAIN_JOBS, in_graph_order
from orchestration.defs.resources import UndercutResource
from orchestration.defs.weekend.assets import session_timing
from transforms.schemas import TABLES
from transforms.warehouse import Warehouse, reading

REPO = Path(__file__).resolve().parents[2]


def test_code_location_has_every_table_with_checks() -> None:
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {f"raw/{name}" for name in TABLES} <= keys
    assert "warehouse_raw_schema" in keys
    checks = {(c.asset_key.path[-1], c.name) for c in graph.asset_check_keys}
    assert ("results", "primary_key_unique") in checks and ("session_laps", "schema_matches") in checks
    assert all((name, "non_empty") in checks for name in TABLES)
    assert graph.get(AssetKey(["raw", "results"])).partitions_def.name == "season"  # type: ignore[union-attr]
    assert {"calendar_sensor", "incident_sensor", "race_refresh_sensor", "drift_retrain_sensor"} <= {
        s.name for s in defs.sensors or []}
    for name in ("next_race_strategy", "alternative_strategies", "car_performance_scores", "time_lost"):
        node = graph.get(AssetKey(["marts", name]))
        assert node.partitions_def.name == "race"  # type: ignore[union-attr]
        assert node.freshness_policy is not None
    assert graph.get(AssetKey(["raw", "session_laps"])).partitions_def.name == "session"  # type: ignore[union-attr]


def test_undercut_run_walks_its_jobs_in_the_asset_graphs_order() -> None:
    names = [job.name for job in MAIN_JOBS]
    # whatever order the jobs are listed in, each runs after the jobs whose assets it reads
    for listed in (names, names[::-1]):
        order = in_graph_order(defs, listed)
        assert sorted(order) == sorted(names)
        position = {name: i for i, name in enumerate(order)}
        for upstream, downstream in [("historical_job", "dbt_job"), ("weekend_job", "dbt_job"),
                                     ("warehouse_job", "dbt_job"), ("dbt_job", "ml_job"), ("ml_job", "drift_job"),
                                     ("ml_job", "race_job"), ("safety_car_job", "race_job")]:
            assert position[upstream] < position[downstream], (upstream, downstream, order)
    assert in_graph_order(defs, names) == names  # ties keep the listed order
    assert in_graph_order(defs, ["race_job", "ml_job"]) == ["ml_job", "race_job"]


def test_refresh_retrains_on_a_weekend_a_race_landed(built_home: Path, tmp_path: Path) -> None:
    """`--retrain weekend` (default): the ML job retrains when a race has its result but the models' last fits were
    not trained through it (recorded in marts.model_gate_decisions): landed in this refresh, or in one that was
    killed before retraining. Otherwise, as `drift`, only when the drift decision asks (none newer here)."""
    from home_copies import copy_warehouse

    from ml import gate_decisions
    from ml.registry import CHAMPION, GateDecision
    from orchestration.defs.jobs import INGEST_JOBS, refresh_sequence
    from transforms.settings import Settings
    from transforms.warehouse import read_frame, writing

    settings = Settings(home=tmp_path)
    copy_warehouse(built_home, tmp_path)
    latest, previous = read_frame(settings.warehouse, "select race_id from marts.dim_races where has_results "
                                                      "order by race_start_at desc limit 2")["race_id"]

    def ml_job_of(retrain: str, trained_through: int) -> str:
        with writing(settings.warehouse, "the decisions start afresh") as con:
            con.execute(f"drop table if exists marts.{gate_decisions.TABLE}")
        for model_name in ("finish_position", "lap_time"):
            gate_decisions.record(settings.warehouse, GateDecision(model_name, 1, CHAMPION, 0.5, None, None),
                                  trained_through if model_name == "lap_time" else latest)
        sequence = refresh_sequence(settings, retrain)
        assert [next(sequence) for _ in INGEST_JOBS] == [job.name for job in INGEST_JOBS]
        assert next(sequence) == "drift_job"
        return next(sequence)

    assert ml_job_of("weekend", trained_through=previous) == "ml_job"  # lap_time has not seen the latest race
    assert ml_job_of("weekend", trained_through=latest) == "ml_predict_job"
    assert ml_job_of("drift", trained_through=previous) == "ml_predict_job"
    assert ml_job_of("always", trained_through=latest) == "ml_job"


def test_cli_help() -> None:
    out = subprocess.run([sys.executable, "-m", "orchestration.cli", "--help"], capture_output=True, text=True,
                         check=True)
    assert "run" in out.stdout


def test_live_source_offline_fails_fast_with_archive_hint(tmp_path: Path) -> None:
    env = {**os.environ, "UNDERCUT_HOME": str(tmp_path), "UNDERCUT_SOURCE": "live",
           "UNDERCUT_JOLPICA_URL": "http://127.0.0.1:9/ergast/f1"}  # port 9 (discard): nothing listens
    # one probe, no retry loop: the timeout only guards against a hang, it measures nothing
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", "run"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2
    assert "UNDERCUT_SOURCE=archive UNDERCUT_ARCHIVE_DIR=" in proc.stderr
    assert "Retrying" not in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "lake").exists()


def test_unknown_session_partition_fails_clearly(archive_dir: Path, tmp_path: Path) -> None:
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("session", ["2018-40-R"])
    resource = UndercutResource(home=str(tmp_path), source_kind="archive", archive_dir=str(archive_dir),
                                lake_uri=str(tmp_path / "lake"), jolpica_url="http://127.0.0.1:9")
    result = materialize([session_timing], partition_key="2018-40-R", instance=instance,
                         resources={"undercut": resource}, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "session 2018-40-R is not in the archive" in str(failure.step_failure_data.error)  # type: ignore[union-attr]
    assert not (tmp_path / "lake" / "weekend").exists()


@pytest.mark.slow
def test_main_run_fills_lake_and_warehouse(built_home: Path) -> None:
    with reading(Warehouse.at(built_home)) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0]  # type: ignore[index]
                  for t in ("results", "qualifying", "pit_stops", "lap_times", "session_laps", "driver_standings",
                            "safety_cars", "car_telemetry")}
        winner = con.execute("""
            SELECT d.surname FROM raw.results r JOIN raw.races ra USING (raceId) JOIN raw.drivers d USING (driverId)
            WHERE ra.year = 2024 AND ra.name = 'Monaco Grand Prix' AND r.positionOrder = 1""").fetchone()
    assert counts == {"results": 27058, "qualifying": 10794, "pit_stops": 11953, "lap_times": 151527,
                      "session_laps": 173956, "driver_standings": 35172, "safety_cars": 362,
                      "car_telemetry": 2376599}
    assert winner == ("Leclerc",)
    instance = DagsterInstance.from_config(str(built_home / "dagster"))
    assert len(instance.get_dynamic_partitions("session")) == 197
    check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [c for c in defs.resolve_asset_graph().asset_check_keys
         if c.asset_key == AssetKey(["raw", "session_laps"]) and c.name == "primary_key_unique"])
    assert all(rec is not None and rec.status.value == "SUCCEEDED" for rec in check.values())


def test_calendar_sensor_registers_and_requests_new_partitions(archive_dir: Path, tmp_path: Path) -> None:
    from dagster import build_sensor_context

    from orchestration.defs.weekend.sensors import calendar_sensor

    instance = DagsterInstance.ephemeral()
    # registered by an earlier tick whose run never materialised it: registered is not done, it is requested
    instance.add_dynamic_partitions("session", ["2018-01-R"])
    resource = UndercutResource(home=str(tmp_path), source_kind="archive", archive_dir=str(archive_dir),
                                lake_uri=str(tmp_path / "lake"), jolpica_url="http://127.0.0.1:9")
    result = calendar_sensor(build_sensor_context(instance=instance, resources={"undercut": resource},
                                                  definitions=defs))
    added = {r.partitions_def_name: list(r.partition_keys) for r in result.dynamic_partitions_requests}
    assert added["season"][0] == "1950" and len(added["season"]) == 76
    assert len(added["session"]) == 196 and added["session"][-1] == "2025-15-R"
    assert len(added["race"]) == 145 and added["race"][-2:] == ["2025-15", "2025-16"]  # raced ones + the next race
    jobs = {r.job_name for r in result.run_requests}
    assert jobs == {"historical_job", "weekend_job"} and len(result.run_requests) == 76 + 197
    # every partition's source version is observed with the tick, and named in the run key
    observed = {e.partition: e.tags[DATA_VERSION_TAG] for e in result.asset_events
                if isinstance(e, AssetObservation) and e.asset_key == AssetKey(["source", "fastf1_session"])}
    first = next(r for r in result.run_requests if r.partition_key == "2018-01-R")
    assert first.run_key == f"weekend_job:2018-01-R:{observed['2018-01-R']}:0"
