"""Real failing runs on an ephemeral Dagster instance -> the run-failure sensor -> stored incidents -> the CLI."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetsDefinition,
    DagsterInstance,
    MaterializeResult,
    asset,
    build_run_status_sensor_context,
    materialize,
)

from orchestration.defs.historical.assets import historical_assets
from orchestration.defs.incidents.cli import register
from orchestration.defs.incidents.sensors import incident_sensor, record_failed_run
from orchestration.defs.incidents.store import IncidentStore
from orchestration.defs.resources import UndercutResource
from orchestration.incidents import CHECK_FAILED, Cause, Incident
from transforms.archive import read_ergast_csv
from transforms.schemas import TABLES

CLOSED_PORT_URL = "http://127.0.0.1:9/ergast/f1"  # port 9 (discard): nothing listens


def raw_asset(name: str) -> AssetsDefinition:
    return next(a for a in historical_assets if a.key.path == ["raw", name])


def resource(home: Path, archive: Path | None = None) -> UndercutResource:
    return UndercutResource(home=str(home), source_kind="archive" if archive else "live",
                            archive_dir=str(archive) if archive else None, lake_uri=str(home / "lake"),
                            jolpica_url=CLOSED_PORT_URL)


def fail_and_sense(instance: DagsterInstance, assets: list[AssetsDefinition], undercut: UndercutResource) -> Incident:
    """Materialise ``assets`` (which must fail), then evaluate the sensor on the failed run as the daemon would."""
    result = materialize(assets, instance=instance, resources={"undercut": undercut}, raise_on_error=False)
    assert not result.success
    context = build_run_status_sensor_context(sensor_name=incident_sensor.name, dagster_instance=instance,
                                              dagster_run=result.dagster_run,
                                              dagster_event=result.get_run_failure_event(),
                                              resources={"undercut": undercut})
    incident_sensor(context)
    incident = IncidentStore(Path(undercut.home)).get(result.run_id)
    assert incident is not None
    return incident


@pytest.fixture
def renamed_column_archive(archive_dir: Path, tmp_path: Path) -> Path:
    """The real status.csv after an upstream rename of its `status` column."""
    root = tmp_path / "archive"
    (root / "historical").mkdir(parents=True)
    header, *rows = (archive_dir / "historical" / "status.csv").read_text().splitlines()
    assert header == "statusId,status"
    (root / "historical" / "status.csv").write_text("\n".join(["statusId,statusText", *rows]))
    return root


def test_failed_runs_become_classified_similar_incidents(renamed_column_archive: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    instance = DagsterInstance.ephemeral()
    home = tmp_path / "home"
    live = resource(home)

    first = fail_and_sense(instance, [raw_asset("seasons")], live)
    assert (first.id, first.cause, first.steps, first.job) == (1, Cause.SOURCE_UNREACHABLE, ("raw__seasons",),
                                                              "__ephemeral_asset_job__")
    assert first.error_class == "transforms.exceptions.SourceUnavailableError"
    assert first.message.startswith(f"cannot reach the live source {CLOSED_PORT_URL} (ConnectionError)")
    assert first.errors[-1].qualname == "ConnectionRefusedError"
    assert first.errors[0].frames[-1].startswith("transforms/sources.py:")  # where our code raised it
    assert [e.kind for e in first.timeline] == ["PIPELINE_START", "STEP_START", "STEP_FAILURE", "PIPELINE_FAILURE"]
    assert first.similar == ()

    schema = fail_and_sense(instance, [raw_asset("status")], resource(home, renamed_column_archive))
    assert (schema.cause, schema.steps) == (Cause.SCHEMA_CHANGED, ("raw__status",))
    assert schema.message.endswith("status.csv: header lacks columns ['status']")

    second = fail_and_sense(instance, [raw_asset("circuits")], live)
    assert (second.cause, second.steps) == (Cause.SOURCE_UNREACHABLE, ("raw__circuits",))
    assert [s.incident_id for s in second.similar] == [first.id]  # not the schema change
    assert second.similar[0].score > 0.9

    # The sensor may see a run twice (daemon restart) and `undercut run` records it too: one incident per run.
    again = record_failed_run(instance, second.run_id, live.settings)
    assert again == second
    assert [i.id for i in IncidentStore(home).latest(10)] == [3, 2, 1]

    monkeypatch.setenv("UNDERCUT_HOME", str(home))
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["incidents"])
    assert args.func(args) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["id", "time", "(UTC)", "job", "step", "cause", "message"]
    assert [row.split()[4] for row in listing[1:]] == ["raw__circuits", "raw__status", "raw__seasons"]
    assert "source unreachable" in listing[1] and "cannot reach the live source" in listing[1]
    assert "schema changed" in listing[2]
    args = parser.parse_args(["incidents", "--show", second.run_id[:8]])
    assert args.func(args) == 0
    shown = capsys.readouterr().out
    assert f"#{first.id} score" in shown and "raw__seasons" in shown
    assert "UNDERCUT_SOURCE=archive" in shown  # a remediation hint


def test_failed_blocking_check_is_a_data_quality_incident(archive_dir: Path, tmp_path: Path) -> None:
    spec = TABLES["status"]

    @asset(check_specs=[AssetCheckSpec("finished_only", asset="status_snapshot", blocking=True)])
    def status_snapshot() -> MaterializeResult:
        status = read_ergast_csv(archive_dir / "historical" / "status.csv", spec)["status"].to_pylist()
        # An expectation the real data breaks: the archive lists 130+ statuses, not just "Finished".
        return MaterializeResult(check_results=[AssetCheckResult(passed=set(status) == {"Finished"},
                                                                 metadata={"statuses": len(set(status))})])

    incident = fail_and_sense(DagsterInstance.ephemeral(), [status_snapshot], resource(tmp_path))
    assert (incident.cause, incident.steps) == (Cause.DATA_QUALITY, ("status_snapshot",))
    assert incident.failed_checks == ("status_snapshot: finished_only",)
    assert CHECK_FAILED in [e.kind for e in incident.timeline]
    assert incident.error_class == "dagster._core.errors.DagsterAssetCheckFailedError"
