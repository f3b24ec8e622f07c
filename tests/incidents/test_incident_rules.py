"""The classifier, timeline and similarity on plain records; error chains come from real exceptions of our code."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dagster._utils import get_run_crash_explanation
from dagster._utils.error import serializable_error_info_from_exc_info

from orchestration.defs.incidents.sensors import error_chain
from orchestration.incidents import (
    CHECK_FAILED,
    LOG,
    Cause,
    ErrorLink,
    FailedRun,
    RunEvent,
    StepFailure,
    analyse,
    classify,
    similar_incidents,
    timeline,
)
from tests.jolpica.jolpica_fake import FakeJolpica, Reply
from transforms import exceptions
from transforms.archive import ArchiveSource
from transforms.jolpica import JolpicaClient


def chain_of(call: object) -> tuple[ErrorLink, ...]:
    """Run ``call`` and return the exception it raises as the sensor records it (via Dagster's serialiser)."""
    try:
        call()  # type: ignore[operator]
    except Exception:
        return error_chain(serializable_error_info_from_exc_info(sys.exc_info()))
    raise AssertionError("expected an exception")


def link(qualname: str, message: str) -> ErrorLink:
    return ErrorLink(qualname=qualname, message=message)


def test_jolpica_429_after_retries_is_rate_limited() -> None:
    with FakeJolpica() as api:
        api.script("seasons", Reply(429, b"{}", {"Retry-After": "0"}), Reply(429, b"{}", {"Retry-After": "0"}))
        client = JolpicaClient(api.base_url, max_attempts=2, sleep=lambda _s: None)
        errors = chain_of(lambda: client.get_all("seasons"))
    assert errors[0].qualname == "transforms.exceptions.RateLimitedError"
    assert "HTTP 429 Too Many Requests" in errors[0].message
    assert classify(errors) is Cause.RATE_LIMITED


def test_jolpica_server_errors_and_refused_connections_are_source_unreachable() -> None:
    with FakeJolpica() as api:
        api.script("seasons", Reply(503), Reply(503))
        client = JolpicaClient(api.base_url, max_attempts=2, sleep=lambda _s: None)
        server_down = chain_of(lambda: client.get_all("seasons"))
    refused = chain_of(lambda: JolpicaClient("http://127.0.0.1:9/ergast/f1", max_attempts=1).get_all("seasons"))
    assert "HTTP 503" in server_down[0].message and classify(server_down) is Cause.SOURCE_UNREACHABLE
    assert "ConnectionError" in refused[0].message and classify(refused) is Cause.SOURCE_UNREACHABLE


def test_archive_errors_split_into_unreachable_and_schema_changed(archive_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "historical").mkdir()
    missing = chain_of(lambda: ArchiveSource(tmp_path).historical_table("status"))
    assert "is missing table 'status'" in missing[0].message
    assert missing[0].qualname == "transforms.exceptions.ArchiveMissingError"
    assert classify(missing) is Cause.SOURCE_UNREACHABLE
    # A real file whose statusId column turned into text: a value no longer parses as the declared int32.
    rows = (archive_dir / "historical" / "status.csv").read_text().splitlines()
    (tmp_path / "historical" / "status.csv").write_text("\n".join([rows[0], 'S1,"Finished"', *rows[2:]]))
    retyped = chain_of(lambda: ArchiveSource(tmp_path).historical_table("status"))
    assert [e.class_name for e in retyped] == ["ArchiveError", "ValueError"]
    assert classify(retyped) is Cause.SCHEMA_CHANGED


def test_our_errors_are_filed_by_the_nearest_class_of_their_mro() -> None:
    """By type, whatever the message says; memory and a busy catalog still win from anywhere in the chain."""
    def filed(cls: type[Exception], message: str = "") -> Cause:
        return classify([link(f"{cls.__module__}.{cls.__qualname__}", message)])

    assert filed(exceptions.ArchiveMissingError) is Cause.SOURCE_UNREACHABLE  # before ArchiveError's schema cause
    assert filed(exceptions.ArchiveError) is Cause.SCHEMA_CHANGED
    assert filed(exceptions.JolpicaResponseError) is Cause.SCHEMA_CHANGED
    assert filed(exceptions.RateLimitedError, "GET x failed after 5 attempts; last: HTTP 503") is Cause.RATE_LIMITED
    assert filed(exceptions.JolpicaError, "GET x: HTTP 404 Not Found") is Cause.CODE_ERROR
    assert filed(exceptions.SessionNotFoundError) is Cause.CODE_ERROR
    assert filed(exceptions.SchemaError, "database is locked") is Cause.WAREHOUSE_BUSY
    # a class of the same name elsewhere is not ours: only its message counts
    assert filed(type("SourceUnavailableError", (Exception,), {"__module__": "somewhere"})) is Cause.CODE_ERROR


@pytest.mark.parametrize(("errors", "checks", "cause"), [
    ([link("builtins.MemoryError", "")], (), Cause.OUT_OF_MEMORY),
    # A step process killed by the kernel's OOM killer, as the sensor records it: the executor's explanation
    # becomes the message of the bare crash exception.
    ([link("dagster._core.executor.child_process_executor.ChildProcessCrashException",
           get_run_crash_explanation("Multiprocess executor: child process for step raw__results", -9))], (),
     Cause.OUT_OF_MEMORY),
    ([link("dagster._core.errors.DagsterLaunchFailedError", "pod undercut-run-1 exited with code 137 (OOMKilled)")],
     (), Cause.OUT_OF_MEMORY),
    ([link("_duckdb.OutOfMemoryException", "Out of Memory Error: could not allocate block of size 256 KiB")], (),
     Cause.OUT_OF_MEMORY),
    ([link("_duckdb.BinderException", 'Binder Error: Referenced column "lap_time_ms" not found in FROM clause!')],
     (), Cause.SCHEMA_CHANGED),
    ([link("dagster._core.errors.DagsterAssetCheckFailedError",
           "1 blocking asset check failed with ERROR severity:\nmarts/fct_laps: lap_time_positive")], (),
     Cause.DATA_QUALITY),
    ([link("dagster_dbt.errors.DagsterDbtCliRuntimeError", "The dbt CLI process failed with exit code `1`.")],
     ("marts/fct_results: unique_fct_results_result_id",), Cause.DATA_QUALITY),
    ([link("builtins.KeyError", "'driverId'")], (), Cause.CODE_ERROR),
    ([link("builtins.ValueError", "results is partitioned by season: pass season=")], (), Cause.CODE_ERROR),
])
def test_classify_on_plain_records(errors: list[ErrorLink], checks: tuple[str, ...], cause: Cause) -> None:
    assert classify(errors, checks) is cause


def test_analyse_keeps_lifecycle_failed_checks_and_last_logs() -> None:
    events = [RunEvent(timestamp=0, kind="RUN_START"), RunEvent(timestamp=1, kind="STEP_START", step="a"),
              *(RunEvent(timestamp=2 + i, kind="ASSET_MATERIALIZATION", step="a") for i in range(50)),
              *(RunEvent(timestamp=60 + i, kind=LOG, step="a", message=f"season {2000 + i}") for i in range(15)),
              RunEvent(timestamp=80, kind=CHECK_FAILED, step="a", message="raw/results: non_empty"),
              RunEvent(timestamp=81, kind="STEP_FAILURE", step="a", message="failed"),
              RunEvent(timestamp=82, kind="RUN_FAILURE")]
    wrapper = link("dagster._core.errors.DagsterExecutionStepExecutionError", 'Error occurred while executing op "a":')
    raised = ErrorLink(qualname="builtins.KeyError", message="'x'",
                       frames=tuple(f"f.py:{i} in f: x" for i in range(9)))
    run = FailedRun(run_id="r1", job="j", events=tuple(events),
                    failures=(StepFailure(step="a", errors=(wrapper, raised)),))
    incident = analyse(run)
    assert [e.kind for e in incident.timeline] == ["RUN_START", "STEP_START", *[LOG] * 10, CHECK_FAILED,
                                                   "STEP_FAILURE", "RUN_FAILURE"]
    assert incident.timeline[2].message == "season 2005"  # the last 10 of 15 log lines
    assert incident.failed_checks == ("raw/results: non_empty",)
    assert incident.cause is Cause.DATA_QUALITY  # a failed check beats an otherwise unexplained error
    assert (incident.error_class, incident.step, incident.failed_at) == ("builtins.KeyError", "a", 82)
    assert incident.errors[0].frames[-1] == "f.py:8 in f: x" and len(incident.errors[0].frames) == 5
    assert timeline(events, last_logs=0)[-3:] == tuple(events[-3:])


def test_similarity_ranks_the_same_failure_first_and_drops_unrelated_ones() -> None:
    unreachable = ("historical_job raw__results transforms.exceptions.SourceUnavailableError cannot reach the live "
                   "source http://127.0.0.1:9/ergast/f1 (ConnectionError)")
    past = [(1, "weekend_job session_laps transforms.exceptions.ArchiveError status.csv:2: column 'statusId': "
                "could not convert string to float"),
            (2, unreachable.replace("results", "qualifying").replace(":9/", ":8080/")),
            (3, "ml_job train_lap_time builtins.KeyError 'driverId'")]
    similar = similar_incidents(unreachable, past)
    assert [s.incident_id for s in similar] == [2]
    assert similar[0].score > 0.8
    assert similar_incidents(unreachable, []) == ()


def test_a_warehouse_held_by_another_process_is_its_own_cause_naming_the_holder(tmp_path: Path) -> None:
    """An analyst's connection holding warehouse.duckdb in another process: the real DuckDB lock error."""
    import subprocess

    import duckdb

    warehouse = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); sys.stdin.read()", str(warehouse)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        errors = chain_of(lambda: duckdb.connect(str(warehouse)))
    finally:
        holder.communicate("")
    assert classify(errors) is Cause.WAREHOUSE_BUSY
    incident = analyse(FailedRun(run_id="r1", job="warehouse_job", events=(),
                                 failures=(StepFailure(step="warehouse_raw_schema", errors=errors),)))
    assert incident.cause is Cause.WAREHOUSE_BUSY
    assert f"PID {holder.pid} (" in incident.hints[0]
