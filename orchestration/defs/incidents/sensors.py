"""Run-failure sensor: every failed run of the code location becomes an incident (see orchestration.incidents)."""


import logging
import re
from pathlib import Path

from dagster import (
    DagsterEventType,
    DagsterInstance,
    DefaultSensorStatus,
    EventLogEntry,
    RunFailureSensorContext,
    run_failure_sensor,
)
from dagster._utils.error import SerializableErrorInfo

from orchestration.defs.incidents.store import IncidentStore
from orchestration.defs.resources import UndercutResource
from orchestration.incidents import (
    CHECK_FAILED,
    LOG,
    ErrorLink,
    FailedRun,
    Incident,
    RunEvent,
    StepFailure,
    analyse,
    similar_incidents,
)
from transforms.settings import Settings

REPO = Path(__file__).resolve().parents[3]
FRAME = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)\n(?P<code>[^\n]*)')
INSTALL_PREFIX = re.compile(r"^.*/(?:site-packages|lib/python\d+\.\d+)/")


def _frame(entry: str) -> str:
    """``  File "/abs/x.py", line 3, in f\\n    code\\n`` as ``x.py:3 in f: code`` (paths from the repo or package)."""
    found = FRAME.search(entry)
    if not found:
        return " ".join(entry.split())
    path = INSTALL_PREFIX.sub("", found["path"]).removeprefix(f"{REPO}/")
    return f"{path}:{found['line']} in {found['func']}: {found['code'].strip()}"


def error_chain(error: SerializableErrorInfo | None) -> tuple[ErrorLink, ...]:
    """Outermost first, following ``raise ... from`` causes, else the exception being handled when it was raised."""
    links = []
    while error is not None:
        # Dagster stores the message as Python prints it: "package.module.Class: message".
        head, sep, rest = error.message.strip().partition(": ")
        cls_name = error.cls_name or "Exception"
        named = head.rsplit(".", 1)[-1] == cls_name
        links.append(ErrorLink(qualname=head if named else cls_name,
                               message=(rest if sep else "") if named else error.message.strip(),
                               frames=tuple(_frame(s) for s in error.stack)))
        error = error.cause or error.context
    return tuple(links)


def _level(level: str | int) -> int:
    return level if isinstance(level, int) else logging.getLevelNamesMapping().get(level.upper(), logging.INFO)


def _event(entry: EventLogEntry) -> RunEvent | None:
    event = entry.dagster_event
    if event is None:  # a log line; DEBUG lines (one per partition in a backfill) would bury the last useful ones
        return (RunEvent(timestamp=entry.timestamp, kind=LOG, step=entry.step_key, message=entry.user_message)
                if _level(entry.level) >= logging.INFO else None)
    if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
        check = event.asset_check_evaluation_data
        if check.passed:
            return None
        return RunEvent(timestamp=entry.timestamp, kind=CHECK_FAILED, step=entry.step_key,
                        message=f"{check.asset_key.to_user_string()}: {check.check_name}")
    return RunEvent(timestamp=entry.timestamp, kind=event.event_type_value, step=entry.step_key,
                    message=entry.user_message or event.message or "")


def _is(entry: EventLogEntry, kind: DagsterEventType) -> bool:
    return entry.dagster_event is not None and entry.dagster_event.event_type == kind


def _error(entry: EventLogEntry) -> SerializableErrorInfo | None:
    data = entry.dagster_event.event_specific_data if entry.dagster_event else None
    return getattr(data, "error", None)


def failed_run(instance: DagsterInstance, run_id: str) -> FailedRun:
    """A failed run's event log as plain records."""
    run = instance.get_run_by_id(run_id)
    if run is None:
        raise ValueError(f"run {run_id} is not in this Dagster instance")
    entries = instance.all_logs(run_id)
    events = [e for e in map(_event, entries) if e is not None]
    with_error = [(e, err) for e in entries if (err := _error(e)) is not None]
    # A killed step process (OOM) fails with a bare ChildProcessCrashException; the executor's engine event before
    # it says how the process ended ("terminated by signal 9 (SIGKILL) ...").
    explained = {e.step_key: e.user_message for e, _ in with_error if _is(e, DagsterEventType.ENGINE_EVENT)}

    def failure(entry: EventLogEntry, error: SerializableErrorInfo) -> StepFailure:
        *outer, innermost = error_chain(error)
        if not innermost.message and entry.step_key in explained:
            innermost = innermost.model_copy(update={"message": explained[entry.step_key]})
        return StepFailure(step=entry.step_key, errors=(*outer, innermost))

    # Step failures first (the cause); run-level errors (executor, launcher) only matter when no step failed.
    failures = [failure(e, err) for e, err in with_error if _is(e, DagsterEventType.STEP_FAILURE)]
    failures += [failure(e, err) for e, err in with_error if not _is(e, DagsterEventType.STEP_FAILURE)]
    return FailedRun(run_id=run_id, job=run.job_name, events=tuple(events), failures=tuple(failures))


def record_failed_run(instance: DagsterInstance, run_id: str, settings: Settings) -> Incident:
    """Analyse a failed run and store its incident under ``settings.home`` (replacing any earlier record of it)."""
    store = IncidentStore(settings.home)
    incident = analyse(failed_run(instance, run_id))
    similar = similar_incidents(incident.text(), store.history_before(incident.failed_at, run_id))
    return store.save(incident.model_copy(update={"similar": similar}))


@run_failure_sensor(name="incident_sensor", default_status=DefaultSensorStatus.RUNNING,
                    description="Records an incident (cause, timeline, similar incidents, hints) for each failed run")
def incident_sensor(context: RunFailureSensorContext, undercut: UndercutResource) -> None:
    incident = record_failed_run(context.instance, context.dagster_run.run_id, undercut.settings)
    context.log.info(f"incident {incident.id}: {incident.headline}")
