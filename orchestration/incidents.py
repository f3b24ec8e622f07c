"""Failed-run analysis (RCA) on plain records: timeline, classified cause, similar past incidents, remediation hints.

The Dagster side (orchestration/defs/incidents) turns a failed run's event log into a :class:`FailedRun`; everything
here works on those records only, so it is testable without an instance and reusable by any other orchestrator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from pydantic import BaseModel, ConfigDict

from transforms import exceptions

LAST_LOG_LINES = 10
TOP_FRAMES = 5
SIMILAR_LIMIT = 3
MIN_SIMILARITY = 0.3  # TF-IDF cosine below this shares little more than generic words ("error", "step")


class Cause(StrEnum):
    SOURCE_UNREACHABLE = "source unreachable"
    RATE_LIMITED = "rate limited"
    SCHEMA_CHANGED = "schema changed"
    DATA_QUALITY = "data quality check failed"
    OUT_OF_MEMORY = "out of memory"
    WAREHOUSE_BUSY = "warehouse/catalog locked or busy"
    CODE_ERROR = "code error"


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorLink(Record):
    """One exception of a chain (outermost first): ``qualname`` as Python prints it, e.g. ``requests.exceptions.X``."""

    qualname: str
    message: str
    frames: tuple[str, ...] = ()  # innermost last, "path:line in function: code"

    @property
    def class_name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


LOG = "LOG"  # a log line (not a Dagster event)
CHECK_FAILED = "ASSET_CHECK_FAILED"  # an asset check evaluation that did not pass; message "asset/key: check"


class RunEvent(Record):
    """One event-log entry: ``kind`` is Dagster's event type (STEP_START, STEP_FAILURE, ...), LOG or CHECK_FAILED."""

    timestamp: float
    kind: str
    step: str | None = None
    message: str = ""


class StepFailure(Record):
    step: str | None  # None: the run failed outside any step (launcher, executor, process killed)
    errors: tuple[ErrorLink, ...]


class FailedRun(Record):
    run_id: str
    job: str
    events: tuple[RunEvent, ...]  # in log order
    failures: tuple[StepFailure, ...]  # in log order; the first is the one the incident is classified on

    @property
    def failed_checks(self) -> tuple[str, ...]:
        return tuple(e.message for e in self.events if e.kind == CHECK_FAILED)


class SimilarIncident(Record):
    incident_id: int
    score: float


class Incident(Record):
    run_id: str
    job: str
    failed_at: float  # unix seconds of the run's last event
    steps: tuple[str, ...]  # failing steps, first failure first
    cause: Cause
    error_class: str  # the exception the first failing step raised (below Dagster's wrapper)
    message: str  # one line
    errors: tuple[ErrorLink, ...]  # from error_class down to the root cause
    timeline: tuple[RunEvent, ...]
    failed_checks: tuple[str, ...]
    hints: tuple[str, ...]
    similar: tuple[SimilarIncident, ...] = ()
    id: int | None = None  # assigned by the store

    @property
    def step(self) -> str:
        return self.steps[0] if self.steps else "(run)"

    @property
    def headline(self) -> str:
        return f"{self.job} / {self.step}: {self.cause.value} — {self.message}"

    def text(self) -> str:
        """What similarity compares: where it failed and how (class names and messages of the whole chain)."""
        return " ".join([self.job, *self.steps, *(f"{e.qualname} {e.message}" for e in self.errors)])


# ---- classification ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """A cause matches when any exception of the chain has one of ``classes`` or a message matching ``pattern``."""

    cause: Cause
    classes: frozenset[str]
    pattern: re.Pattern[str] | None = None

    def matches(self, link: ErrorLink) -> bool:
        return (link.class_name in self.classes or link.qualname in self.classes
                or (self.pattern is not None and self.pattern.search(link.message) is not None))


def _rule(cause: Cause, classes: str, pattern: str | None = None) -> Rule:
    return Rule(cause, frozenset(classes.split()), re.compile(pattern, re.IGNORECASE) if pattern else None)


# Checked first, on every exception of the chain: memory runs out and the catalog gets busy inside any library's
# exception, ours included.
ANYWHERE_RULES: tuple[Rule, ...] = (
    _rule(Cause.OUT_OF_MEMORY, "MemoryError OutOfMemoryException ArrowMemoryError",
          r"exit(?:ed)? (?:with )?code:? `?(?:137|-9)\b|signal 9\b|SIGKILL|OOMKilled|out of memory"
          r"|cannot allocate memory"),
    # The warehouse catalog is busy (SQLite "database is locked", a DuckLake commit conflict) or a DuckDB file is
    # locked by another process (an old file warehouse, a notebook): nothing is wrong with code or data.
    _rule(Cause.WAREHOUSE_BUSY, "",
          r"could not set lock on file|conflicting lock is held|database is locked|transaction conflict"),
)

# undercut's own errors, by type: the nearest of these classes in the exception's MRO gives the cause.
TYPED_CAUSES: dict[type[exceptions.UndercutError], Cause] = {
    exceptions.RateLimitedError: Cause.RATE_LIMITED,
    exceptions.SourceUnavailableError: Cause.SOURCE_UNREACHABLE,
    exceptions.SchemaError: Cause.SCHEMA_CHANGED,
}

# Other libraries' exceptions, by name and message.
LIBRARY_RULES: tuple[Rule, ...] = (
    _rule(Cause.RATE_LIMITED, "RateLimitExceededError TooManyRequests",
          r"HTTP 429\b|\b429 Client Error|too many requests|rate limit(?:ed| exceeded)"),
    _rule(Cause.SOURCE_UNREACHABLE,
          "requests.exceptions.ConnectionError ConnectTimeout ReadTimeout Timeout NewConnectionError MaxRetryError "
          "NameResolutionError ConnectionRefusedError gaierror RemoteDisconnected",
          r"\bHTTP 5\d\d\b|connection refused|failed to establish a new connection|name resolution"),
    _rule(Cause.SCHEMA_CHANGED,
          "ArrowInvalid ArrowTypeError ArrowNotImplementedError BinderException ConversionException",
          r"Binder Error|Referenced column .* not found"),
    _rule(Cause.DATA_QUALITY, "DagsterAssetCheckFailedError",
          r"blocking asset checks? failed|Failure in test|Got \d+ results?, configured to fail"),
)


def _typed_cause(link: ErrorLink) -> Cause | None:
    cls = exceptions.by_qualname(link.qualname)
    return next((TYPED_CAUSES[c] for c in cls.__mro__ if c in TYPED_CAUSES), None) if cls else None


def classify(errors: Sequence[ErrorLink], failed_checks: Sequence[str] = ()) -> Cause:
    """The cause of a failure from its exception chain; checks that failed in the run make a bare dbt error DQ."""
    for rule in ANYWHERE_RULES:
        if any(rule.matches(link) for link in errors):
            return rule.cause
    typed = next((cause for link in errors if (cause := _typed_cause(link)) is not None), None)
    if typed is not None:
        return typed
    for rule in LIBRARY_RULES:
        if any(rule.matches(link) for link in errors):
            return rule.cause
    if failed_checks:  # e.g. `dbt build` stopped after a failing test: the CLI error itself names no test
        return Cause.DATA_QUALITY
    return Cause.CODE_ERROR


# ---- remediation ---------------------------------------------------------------------------------------------------
HINTS: dict[Cause, tuple[str, ...]] = {
    Cause.SOURCE_UNREACHABLE: (
        "Check that the source answers: `curl $UNDERCUT_JOLPICA_URL/seasons.json?limit=1` (live) or that "
        "$UNDERCUT_ARCHIVE_DIR holds the expected files (archive).",
        "Work offline meanwhile: UNDERCUT_SOURCE=archive UNDERCUT_ARCHIVE_DIR=../shared/data undercut run.",
        "Nothing was written for the failed partitions: re-execute the run from failure once the source is back.",
    ),
    Cause.RATE_LIMITED: (
        "Jolpica allows 4 requests/s and 500/h unauthenticated (transforms/jolpica/ratelimit.py): wait for the "
        "hourly window to reopen, then re-execute from failure; fetched pages are in the disk cache.",
        "Run one client per process so all requests share one RateLimiter; avoid parallel backfills of live data.",
        "Backfill large season ranges from the archive instead of the live API.",
    ),
    Cause.SCHEMA_CHANGED: (
        "The source no longer matches the declared schema: compare the failing table's columns and types with "
        "its TableSpec in transforms/schemas.py.",
        "Adapt the spec or the normaliser/conform step (and the dbt staging model if a column was renamed), then "
        "re-run the affected partitions.",
        "If the source file is corrupt rather than changed, restore it from the archive and re-run.",
    ),
    Cause.DATA_QUALITY: (
        "Inspect the failed checks (Dagster UI asset checks, or dbt_project/target/run_results.json for dbt "
        "tests) and the rows they flag.",
        "Fix the upstream data (re-materialise the partition) or, if the expectation is wrong, the check itself; "
        "downstream assets were not updated with the bad data.",
    ),
    Cause.OUT_OF_MEMORY: (
        "Run fewer partitions per run (smaller backfill ranges) or give the process more memory.",
        "For DuckDB steps set a memory_limit and a temp_directory so large joins spill to disk.",
        "Look for a whole-table load (pandas .to_pandas() / fetchdf) where a filtered or streamed read would do.",
    ),
    Cause.WAREHOUSE_BUSY: (
        "Another writer held the warehouse catalog (or a DuckDB file) while this run committed: a second run "
        "writing the same tables, a process writing outside undercut's lock, or a PostgreSQL catalog under "
        "maintenance. Wait for it to finish.",
        "Then re-execute the run from failure: nothing was written by the failed step.",
    ),
    Cause.CODE_ERROR: (
        "A bug or an unhandled case in undercut's code: read the innermost frames below and reproduce with the "
        "failing partition in a test.",
        "After the fix, re-execute the run from failure (only the failed steps run again).",
    ),
}


# ---- analysis ------------------------------------------------------------------------------------------------------
TIMELINE_KINDS = frozenset({
    "RUN_START", "PIPELINE_START", "STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "STEP_UP_FOR_RETRY",
    "STEP_RESTARTED", "RUN_FAILURE", "PIPELINE_FAILURE", "RUN_CANCELED", "PIPELINE_CANCELED", CHECK_FAILED,
})


def timeline(events: Sequence[RunEvent], last_logs: int = LAST_LOG_LINES) -> tuple[RunEvent, ...]:
    """Run/step lifecycle events, failed checks and the last ``last_logs`` log lines, in log order.

    Materialisations and passed checks are left out: a single-run backfill writes hundreds of them.
    """
    keep = {i for i, e in enumerate(events) if e.kind in TIMELINE_KINDS}
    logs = [i for i, e in enumerate(events) if e.kind == LOG][-last_logs:] if last_logs else []
    return tuple(events[i] for i in sorted(keep.union(logs)))


def _raised_at(errors: Sequence[ErrorLink]) -> int:
    """Index of the exception the step's code raised: Dagster wraps it in user-code errors that say nothing more."""
    return next((i for i, link in enumerate(errors[:-1]) if not link.qualname.startswith("dagster._core.errors.")),
                max(len(errors) - 1, 0))


def one_line(text: str, width: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


_LOCK_HOLDER = re.compile(r"conflicting lock is held in (?P<program>\S+) \(PID (?P<pid>\d+)\)", re.IGNORECASE)


def lock_holder(errors: Sequence[ErrorLink]) -> tuple[int, str] | None:
    """(PID, program) when DuckDB named the process holding the warehouse's lock."""
    found = next((m for link in errors if (m := _LOCK_HOLDER.search(link.message))), None)
    return (int(found["pid"]), found["program"]) if found else None


def _hints(cause: Cause, errors: Sequence[ErrorLink]) -> tuple[str, ...]:
    holder = lock_holder(errors) if cause is Cause.WAREHOUSE_BUSY else None
    if holder is None:
        return HINTS[cause]
    pid, program = holder
    return (f"The lock was held by PID {pid} ({program}): `ps -p {pid} -o pid,user,args` shows what it is.",
            *HINTS[cause])


def analyse(run: FailedRun) -> Incident:
    """The incident of a failed run (without similar incidents: those need the store's history)."""
    first = run.failures[0] if run.failures else StepFailure(step=None, errors=())
    cause = classify(first.errors, run.failed_checks)
    # Frames where our code raised and where the root cause was raised; the links in between just pass it on.
    chain = first.errors[_raised_at(first.errors):] or (ErrorLink(qualname="UnknownFailure", message="the run failed"),)
    errors = tuple(link.model_copy(update={"frames": link.frames[-TOP_FRAMES:] if i in (0, len(chain) - 1) else ()})
                   for i, link in enumerate(chain))
    return Incident(
        run_id=run.run_id, job=run.job, failed_at=max((e.timestamp for e in run.events), default=0.0),
        steps=tuple(dict.fromkeys(f.step for f in run.failures if f.step)),
        cause=cause, error_class=errors[0].qualname, message=one_line(errors[0].message), errors=errors,
        timeline=timeline(run.events), failed_checks=run.failed_checks,
        hints=_hints(cause, first.errors),
    )


def similar_incidents(text: str, past: Sequence[tuple[int, str]], limit: int = SIMILAR_LIMIT,
                      min_score: float = MIN_SIMILARITY) -> tuple[SimilarIncident, ...]:
    """Past incidents whose error text is closest to ``text`` by TF-IDF cosine, best first."""
    if not past:
        return ()
    from sklearn.feature_extraction.text import TfidfVectorizer  # ~2 s to import: not for `undercut incidents`

    # Words only: run ids, ports, seasons and line numbers differ between otherwise identical failures.
    vectoriser = TfidfVectorizer(token_pattern=r"[A-Za-z]{2,}", sublinear_tf=True)
    matrix = vectoriser.fit_transform([text, *(t for _, t in past)])
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel()  # rows are L2-normalised: dot product = cosine
    order = np.argsort(-scores, kind="stable")[:limit]
    return tuple(SimilarIncident(incident_id=past[i][0], score=round(float(scores[i]), 3))
                 for i in order if scores[i] >= min_score)
