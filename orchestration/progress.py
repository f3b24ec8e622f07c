"""What `undercut run`/`refresh` show while a job runs and once all are done: a progress line per job (asset
partitions materialised of those planned, elapsed, ETA) and a closing table of what each job did.

The counts come from the Dagster instance's event log, not from the run itself: a multiprocess run's steps write their
events from other processes, so a thread reads the records of the job's runs (found by a tag of their own) as they
land."""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from dagster import (
    AssetCheckEvaluation,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    DagsterRunStatus,
    JobDefinition,
    RunsFilter,
)
from dagster._core.events import DagsterEvent
from rich.console import Console
from rich.file_proxy import FileProxy
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

log = logging.getLogger("undercut.run")

PROGRESS_TAG = "undercut/progress"  # one value per job of a run or refresh: its runs, whatever their partition ranges
POLL_S = 0.5
STARTED = [status for status in DagsterRunStatus if status != DagsterRunStatus.NOT_STARTED]
COUNTED = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION,
           DagsterEventType.STEP_FAILURE}


@dataclass
class JobTally:
    """What a job did: its runs, asset partitions materialised, failed asset checks and steps, and its seconds."""

    runs: int = 0
    materialised: int = 0
    failed_checks: int = 0
    failed_steps: int = 0
    seconds: float = 0.0

    def count(self, event: DagsterEvent) -> None:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            self.materialised += 1
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            self.failed_steps += 1
        elif isinstance(event.event_specific_data, AssetCheckEvaluation) and not event.event_specific_data.passed:
            self.failed_checks += 1

    def add(self, other: JobTally) -> None:
        self.runs += other.runs
        self.materialised += other.materialised
        self.failed_checks += other.failed_checks
        self.failed_steps += other.failed_steps
        self.seconds += other.seconds

    def note(self) -> str:
        failed = [f"{n} failed {what}{'s' * (n > 1)}"
                  for n, what in ((self.failed_checks, "check"), (self.failed_steps, "step")) if n]
        return ", ".join(failed)


def planned(job_def: JobDefinition, assets: Sequence[AssetKey] | None, ranges: Sequence[Sequence[str]]) -> int:
    """Asset partitions the runs over `ranges` materialise: per run, each asset once per partition (once if the asset
    is not partitioned)."""
    graph = job_def.asset_layer.asset_graph
    keys = list(assets if assets is not None else job_def.asset_layer.executable_asset_keys)
    partitioned = len([key for key in keys if graph.get(key).partitions_def is not None])
    return sum(partitioned * len(partitions) + len(keys) - partitioned for partitions in ranges)


class _Poller:
    """Reads the new event records of the runs tagged `tag` into a tally, on an instance of its own (an instance's
    storage connections are not shared between threads)."""

    def __init__(self, instance: DagsterInstance, tag: str) -> None:
        self.instance = DagsterInstance.from_ref(instance.get_ref())
        self.tag = tag
        self.tally = JobTally()
        self._cursors: dict[str, str | None] = {}

    def poll(self) -> None:
        # not a run just created: its event log may still be initialising (sqlite: a shard per run), which a read
        # would race; the run's creation wrote its first events before it leaves NOT_STARTED
        run_ids = self.instance.get_run_ids(RunsFilter(tags={PROGRESS_TAG: self.tag}, statuses=STARTED))
        for run_id in run_ids:
            cursor, more = self._cursors.get(run_id), True
            while more:
                batch = self.instance.get_records_for_run(run_id, cursor=cursor, of_type=COUNTED)
                for record in batch.records:
                    if record.event_log_entry.dagster_event is not None:
                        self.tally.count(record.event_log_entry.dagster_event)
                cursor, more = batch.cursor, batch.has_more
            self._cursors[run_id] = cursor
        self.tally.runs = len(run_ids)

    def poll_quietly(self) -> None:
        try:
            self.poll()
        except Exception:  # a progress line must never fail a run (a storage busy with the run's own writes)
            log.debug("progress: could not read the event log", exc_info=True)


@contextmanager
def track(instance: DagsterInstance, job_name: str, total: int, tallies: dict[str, JobTally],
          show: bool = True) -> Iterator[dict[str, str]]:
    """Count what the runs with the tags it yields do while the block runs; with `show`, as a progress line on
    stderr (live on a terminal; elsewhere only its final state, printed when the block ends). The job's counts and
    seconds are added to `tallies[job_name]`, also when the block raises."""
    poller = _Poller(instance, uuid.uuid4().hex)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TimeRemainingColumn(), TextColumn("{task.fields[note]}"),
                        console=Console(stderr=True), transient=False, disable=not show)
    task = progress.add_task(job_name, total=total, note="")
    stop = threading.Event()

    def update() -> None:
        progress.update(task, completed=poller.tally.materialised, note=poller.tally.note())

    def refresh() -> None:
        while not stop.wait(POLL_S):
            poller.poll_quietly()
            update()

    thread = threading.Thread(target=refresh, name=f"progress-{job_name}", daemon=True)
    progress.start()
    handlers = _log_above()
    thread.start()
    try:
        yield {PROGRESS_TAG: poller.tag}
    finally:
        stop.set()
        thread.join()
        poller.poll_quietly()  # the runs have ended: the final counts are exact
        update()
        progress.stop_task(task)
        for handler, stream in handlers:
            handler.setStream(stream)
        progress.stop()
        poller.tally.seconds = progress.tasks[0].elapsed or 0.0
        poller.instance.dispose()
        tallies.setdefault(job_name, JobTally()).add(poller.tally)


def _log_above() -> list[tuple[logging.StreamHandler[TextIO], TextIO]]:
    """Point the console's log handlers at the live display's stand-in for stderr, which prints above the bar (a line
    written to stderr itself would be overwritten by the bar's next refresh). Returns the handlers and their streams."""
    if not isinstance(sys.stderr, FileProxy):  # not live: no terminal, or not shown
        return []
    swapped = [(h, h.stream) for h in logging.getLogger().handlers
               if isinstance(h, logging.StreamHandler) and h.stream is sys.__stderr__]
    for handler, _ in swapped:
        handler.setStream(sys.stderr)
    return swapped


def summary_table(tallies: dict[str, JobTally]) -> Table:
    """One row per job, in the order they ran, and their total."""
    table = Table(title="undercut: what ran")
    # whole job names in 80 columns (a log's width)
    table.add_column("job", no_wrap=True, min_width=max(map(len, [*tallies, "total"])))
    for column in ("runs", "materialised", "failed\nchecks", "failed\nsteps", "seconds"):
        table.add_column(column, justify="right")
    total = JobTally()
    for job, tally in tallies.items():
        table.add_row(job, *_cells(tally))
        total.add(tally)
    table.add_section()
    table.add_row("total", *_cells(total), style="bold")
    return table


def _cells(tally: JobTally) -> Iterable[str]:
    return (str(tally.runs), str(tally.materialised), str(tally.failed_checks), str(tally.failed_steps),
            f"{tally.seconds:.1f}")


def print_summary(tallies: dict[str, JobTally]) -> None:
    if tallies:
        Console(stderr=True).print(summary_table(tallies))
